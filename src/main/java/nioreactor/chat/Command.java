package nioreactor.chat;

/**
 * The chat room's commands: a line that starts with {@code /} (but not {@code //}, which sends a line starting with
 * {@code /}). The command word is everything up to the first space; what follows is its argument.
 */
enum Command {
    /** {@code /nick NAME}: later lines, and the join, leave and who lines, carry NAME instead of {@code #id}. */
    NICK("/nick"),
    /** {@code /who}: one line listing the members in the order they joined; any argument is ignored. */
    WHO("/who"),
    /** {@code /quit}: a {@code * bye} line, then the connection closes after flushing; any argument is ignored. */
    QUIT("/quit");

    /** What an unknown command's ERR line suggests. */
    static final String USAGE = "/nick NAME, /who, /quit";

    private final String word;

    Command(String word) {
        this.word = word;
    }

    /** The command named by {@code word} (case-sensitive, as typed), or null for an unknown one. */
    static Command named(String word) {
        for (Command c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        return null;
    }
}
