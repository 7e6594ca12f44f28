package nioreactor.reactor;

import java.time.Duration;

/**
 * The limits of one listener and its connections (or of one outbound connection), each with a named default. Every
 * listener has its own: a flood on one cannot use up another's {@code maxConnections}. The README's "Limits and
 * failure behaviour" section lists them with what a client sees when one is hit. Immutable; any thread.
 *
 * @param highWater      pending output above which a connection stops being read
 * @param lowWater       pending output under which a paused connection is read again
 * @param readBudget     bytes read from one connection per loop iteration, so a fire-hose client cannot starve the rest
 * @param maxConnections open TCP connections of this listener; one more is accepted and closed at once
 * @param acceptBudget   connections accepted per loop iteration, so a connect storm cannot starve open connections
 * @param acceptBackoff  how long accepting pauses after accept fails (e.g. out of file descriptors)
 * @param idleTimeout    a connection with no read or write progress this long is closed; zero means never
 * @param lingerTimeout  how long a connection the server is closing may take to flush and see the peer's FIN
 * @param writeTimeout   a connection whose pending output makes no progress this long is closed (its peer stopped
 *                       reading); zero means never
 * @param backlog        the listen backlog: connections the kernel completes and queues before we accept them
 */
public record Limits(long highWater, long lowWater, int readBudget, int maxConnections, int acceptBudget,
                     Duration acceptBackoff, Duration idleTimeout, Duration lingerTimeout, Duration writeTimeout, int backlog) {

    /** Default {@link #highWater()}: 1 MiB. */
    public static final long DEFAULT_HIGH_WATER = 1024 * 1024;
    /** Default {@link #lowWater()}: 256 KiB. */
    public static final long DEFAULT_LOW_WATER = 256 * 1024;
    /** Default {@link #readBudget()}: 64 KiB. */
    public static final int DEFAULT_READ_BUDGET = 64 * 1024;
    /** Default {@link #maxConnections()}: 10,000. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default {@link #acceptBudget()}: 64. */
    public static final int DEFAULT_ACCEPT_BUDGET = 64;
    /** Default {@link #acceptBackoff()}: 1 s. */
    public static final Duration DEFAULT_ACCEPT_BACKOFF = Duration.ofSeconds(1);
    /** Default {@link #idleTimeout()}: zero, never. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ZERO;
    /** Default {@link #lingerTimeout()}: 5 s. */
    public static final Duration DEFAULT_LINGER_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #writeTimeout()}: 60 s. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@link #backlog()}: 1024. */
    public static final int DEFAULT_BACKLOG = 1024;

    /** Every limit at its default. */
    public static final Limits DEFAULTS = new Limits(DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, DEFAULT_READ_BUDGET,
            DEFAULT_MAX_CONNECTIONS, DEFAULT_ACCEPT_BUDGET, DEFAULT_ACCEPT_BACKOFF, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_LINGER_TIMEOUT, DEFAULT_WRITE_TIMEOUT, DEFAULT_BACKLOG);

    /**
     * Checks the limits against each other.
     *
     * @param highWater      pending output above which a connection stops being read
     * @param lowWater       pending output under which a paused connection is read again
     * @param readBudget     bytes read from one connection per loop iteration
     * @param maxConnections open TCP connections of a listener
     * @param acceptBudget   connections accepted per loop iteration
     * @param acceptBackoff  how long accepting pauses after accept fails
     * @param idleTimeout    how long a connection may make no progress; zero means never
     * @param lingerTimeout  how long a connection the server is closing may take
     * @param writeTimeout   how long pending output may make no progress; zero means never
     * @param backlog        the listen backlog
     * @throws IllegalArgumentException if low water is above high water, or a budget, the backlog or a duration is
     *         out of range
     */
    public Limits {
        if (lowWater < 0 || lowWater > highWater) {
            throw new IllegalArgumentException("need 0 <= low water <= high water, got " + lowWater + " / " + highWater);
        }
        if (readBudget < 1 || maxConnections < 0 || acceptBudget < 1 || backlog < 1) {
            throw new IllegalArgumentException(
                    "read budget, accept budget and backlog must be >= 1, max connections >= 0");
        }
        if (acceptBackoff.isNegative() || idleTimeout.isNegative() || lingerTimeout.isNegative()
                || writeTimeout.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** {@return whether idle connections are closed: a non-zero {@link #idleTimeout()}} */
    public boolean idleTimeoutEnabled() {
        return !idleTimeout.isZero();
    }

    /** {@return whether a stalled write closes its connection: a non-zero {@link #writeTimeout()}} */
    public boolean writeTimeoutEnabled() {
        return !writeTimeout.isZero();
    }

    // One value changed, the others kept: how tests, embedders and the metrics endpoint adjust the defaults.

    /**
     * {@return these limits with other water marks}
     *
     * @param high the new {@link #highWater()}
     * @param low  the new {@link #lowWater()}
     */
    public Limits withWaterMarks(long high, long low) {
        return new Limits(high, low, readBudget, maxConnections, acceptBudget,
                acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another read budget}
     *
     * @param bytes the new {@link #readBudget()}
     */
    public Limits withReadBudget(int bytes) {
        return new Limits(highWater, lowWater, bytes, maxConnections, acceptBudget,
                acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another maximum of open connections}
     *
     * @param n the new {@link #maxConnections()}
     */
    public Limits withMaxConnections(int n) {
        return new Limits(highWater, lowWater, readBudget, n, acceptBudget,
                acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another accept budget}
     *
     * @param n the new {@link #acceptBudget()}
     */
    public Limits withAcceptBudget(int n) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, n,
                acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another accept back-off}
     *
     * @param d the new {@link #acceptBackoff()}
     */
    public Limits withAcceptBackoff(Duration d) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget,
                d, idleTimeout, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another idle timeout}
     *
     * @param d the new {@link #idleTimeout()}; zero turns it off
     */
    public Limits withIdleTimeout(Duration d) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget,
                acceptBackoff, d, lingerTimeout, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another linger timeout}
     *
     * @param d the new {@link #lingerTimeout()}
     */
    public Limits withLingerTimeout(Duration d) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget,
                acceptBackoff, idleTimeout, d, writeTimeout, backlog);
    }

    /**
     * {@return these limits with another write timeout}
     *
     * @param d the new {@link #writeTimeout()}; zero turns it off
     */
    public Limits withWriteTimeout(Duration d) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget,
                acceptBackoff, idleTimeout, lingerTimeout, d, backlog);
    }

    /**
     * {@return these limits with another listen backlog}
     *
     * @param n the new {@link #backlog()}
     */
    public Limits withBacklog(int n) {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget,
                acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, n);
    }
}
