package nioreactor.kv;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands the key-value service knows, with Redis's arity rule (n: exactly n arguments counting the name;
 * -n: at least n) and whether a command may grow memory (Redis's {@code denyoom} flag: refused above
 * {@code maxmemory}). {@link #lookup} finds one from the request's bytes without allocating.
 */
enum KvCommand {
    PING(-1, false),
    ECHO(2, false),
    SET(-3, true),
    GET(2, false),
    DEL(-2, false),
    EXISTS(-2, false),
    INCR(2, true),
    DECR(2, true),
    INCRBY(3, true),
    DECRBY(3, true),
    MGET(-2, false),
    MSET(-3, true),
    EXPIRE(-3, false),
    PEXPIRE(-3, false),
    TTL(2, false),
    PTTL(2, false),
    PERSIST(2, false),
    DBSIZE(1, false),
    FLUSHDB(-1, false),
    FLUSHALL(-1, false),
    SELECT(2, false),
    INFO(-1, false),
    QUIT(-1, false),
    /** A container: {@code CONFIG GET} is the one subcommand answered. */
    CONFIG(-2, false),
    /** A container: answered with empty lists, so that redis-cli starts without asking for more. */
    COMMAND(-1, false);

    /** Lower case, as Redis names a command in its error messages. */
    final String lowerName;
    final int arity;
    final boolean growsMemory;
    private final byte[] upper;

    private static final KvCommand[][] BY_LENGTH;

    static {
        int longest = 0;
        for (KvCommand c : values()) {
            longest = Math.max(longest, c.upper.length);
        }
        List<List<KvCommand>> lists = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            lists.add(new ArrayList<>());
        }
        for (KvCommand c : values()) {
            lists.get(c.upper.length).add(c);
        }
        BY_LENGTH = new KvCommand[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            BY_LENGTH[i] = lists.get(i).toArray(new KvCommand[0]);
        }
    }

    KvCommand(int arity, boolean growsMemory) {
        this.lowerName = name().toLowerCase(java.util.Locale.ROOT);
        this.arity = arity;
        this.growsMemory = growsMemory;
        this.upper = Reply.ascii(name());
    }

    boolean arityOk(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }

    /** The command named by {@code buf[off, off+len)}, in any letter case, or null. */
    static KvCommand lookup(byte[] buf, int off, int len) {
        if (len >= BY_LENGTH.length) {
            return null;
        }
        for (KvCommand c : BY_LENGTH[len]) {
            if (equalsIgnoreCase(c.upper, buf, off, len)) {
                return c;
            }
        }
        return null;
    }

    /** ASCII case-insensitive comparison of {@code upper} (upper case) with {@code buf[off, off+len)}. */
    static boolean equalsIgnoreCase(byte[] upper, byte[] buf, int off, int len) {
        if (upper.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            int b = buf[off + i];
            if (b >= 'a' && b <= 'z') {
                b -= 32;
            }
            if (b != upper[i]) {
                return false;
            }
        }
        return true;
    }
}
