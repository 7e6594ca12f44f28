package nioreactor.reactor;

import java.util.Locale;
import org.slf4j.helpers.MessageFormatter;

/**
 * One trace event as a {@linkplain Reactor#addTraceTap tap} sees it: the same event as one {@code --trace} line. A tap
 * is called on the reactor thread at the moment the event happens, so it can stamp the time itself.
 *
 * <p>Nothing is formatted until asked: a tap that only counts, or drops the event because its reader is behind, pays
 * for no string. {@link #kind()}, {@link #connectionId()} and {@link #text()} are computed on first use. The
 * arguments are the ones the call site passed (numbers, strings, addresses, enums); keep the event, not them.
 * Confined to the reactor thread until {@link #text()} has been called once; afterwards immutable.
 */
public final class TraceEvent {
    private final String format;
    private final Object[] args;
    private String text;
    private String kind;
    private long connectionId = Long.MIN_VALUE;

    TraceEvent(String format, Object... args) {
        this.format = format;
        this.args = args;
    }

    /** {@return the event's line, e.g. {@code write #3 5 of 5 bytes, 0 pending}} */
    public String text() {
        if (text == null) {
            text = MessageFormatter.basicArrayFormat(format, args);
        }
        return text;
    }

    /**
     * {@return what happened} From the line's first word: {@code accept}, {@code connected}, {@code connect}, {@code read},
     * {@code write}, {@code eof}, {@code close}, {@code OP_WRITE}, {@code paused}, {@code resumed} (reading paused or
     * resumed at the water marks), {@code select}, {@code timer}, {@code datagram}.
     */
    public String kind() {
        if (kind == null) {
            int space = format.indexOf(' ');
            String first = space < 0 ? format : format.substring(0, space);
            if (first.equals("reading")) {
                int next = format.indexOf(' ', space + 1);
                first = format.substring(space + 1, next < 0 ? format.length() : next);
            }
            kind = first.equals("OP_WRITE") ? first : first.toLowerCase(Locale.ROOT);
        }
        return kind;
    }

    /**
     * {@return true for the kinds that come with every byte moved or every wakeup ({@code read}, {@code write},
     * {@code select}, {@code datagram}), false for changes of state (accept, close, OP_WRITE, paused, a timer...)}
     * A consumer that must thin the stream under load can keep the rarer, more telling ones. Cheap: no formatting, no
     * allocation.
     */
    public boolean routine() {
        return switch (format.charAt(0)) {
            case 'r' -> format.startsWith("read ");
            case 'w' -> format.startsWith("write ");
            case 's' -> format.startsWith("select ");
            case 'd' -> format.startsWith("datagram ");
            default -> false;
        };
    }

    /** {@return the id of the connection the event is about ({@code #3} in the line), or -1 when it is about none} */
    public long connectionId() {
        if (connectionId == Long.MIN_VALUE) {
            connectionId = -1;
            int at = format.indexOf("#{}");
            if (at >= 0) {
                int index = 0;
                for (int i = format.indexOf("{}"); i >= 0 && i < at; i = format.indexOf("{}", i + 2)) {
                    index++;
                }
                if (index < args.length && args[index] instanceof Number n) {
                    connectionId = n.longValue();
                }
            }
        }
        return connectionId;
    }

    @Override
    public String toString() {
        return text();
    }
}
