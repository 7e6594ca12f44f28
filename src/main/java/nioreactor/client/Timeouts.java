package nioreactor.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a blocking TCP client waits: to connect, and for each read of a reply. {@link Duration#ZERO} means wait
 * forever (java.net's meaning of 0), which an interactive user may want but a script never should.
 *
 * @param connect how long {@code connect} may take
 * @param read    how long one read may block with no byte arriving (not a bound on the whole reply)
 */
public record Timeouts(Duration connect, Duration read) {
    public static final Duration DEFAULT_CONNECT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_READ = Duration.ofSeconds(10);
    public static final Timeouts DEFAULT = new Timeouts(DEFAULT_CONNECT, DEFAULT_READ);

    public Timeouts {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(read, "read");
        if (connect.isNegative() || read.isNegative()) {
            throw new IllegalArgumentException("timeouts must not be negative");
        }
    }

    int connectMillis() {
        return millis(connect);
    }

    int readMillis() {
        return millis(read);
    }

    /** java.net takes int milliseconds where 0 means forever: round a tiny positive timeout up, not down to forever. */
    static int millis(Duration d) {
        if (d.isZero()) {
            return 0;
        }
        long ms = d.toMillis();
        return (int) Math.max(1, Math.min(ms, Integer.MAX_VALUE));
    }
}
