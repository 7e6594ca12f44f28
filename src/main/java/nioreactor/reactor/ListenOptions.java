package nioreactor.reactor;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a listener made by {@link Reactor#listen(String, java.net.SocketAddress, Limits, ListenOptions,
 * java.util.function.Function)} spreads its connections over reactors and processes, and whether it expects a PROXY
 * protocol header. {@link #DEFAULTS} is what the plain {@code listen} does: one reactor, no {@code SO_REUSEPORT}, no
 * header. Immutable; any thread. Each {@code with...} returns a copy with one setting changed.
 *
 * <p>Two ways to use more than one core, as in Doug Lea's "multiple reactors":
 * <ul>
 *   <li>{@link #handOffTo handOffTo(workers, balance)}: this listener's reactor accepts, and hands each new channel
 *   to one of {@code workers} (Netty's boss/worker, its {@code ServerBootstrapAcceptor}). The connection is registered
 *   on the worker's own thread, through {@link Reactor#execute}, and lives there until it closes. One accept queue,
 *   exact balance (round robin, or the worker with the fewest open connections of this listener), one hop per new
 *   connection.</li>
 *   <li>{@link #withReusePort()}: {@code SO_REUSEPORT} before the bind, so that N reactors (or N processes) each
 *   bind the same address with a listener of their own, and the kernel spreads new connections over them by a hash
 *   of the 4-tuple. No hop, no shared state; balance is statistical, and a listener that closes (a drained process)
 *   drops the connections still waiting in its own accept queue (Linux).</li>
 * </ul>
 *
 * @param reusePort    set {@code SO_REUSEPORT} before binding; every socket sharing the port must set it (a listener
 *                     bound without it still makes the next bind fail with "address in use")
 * @param workers      reactors the accepted connections are handed to; empty: they stay on the listener's reactor
 * @param balance      how a worker is picked for each connection, when {@code workers} is not empty
 * @param proxyTimeout when not zero, every connection must begin with a PROXY protocol header (v1 or v2) that is
 *                     complete within this time; the header is trusted, and gives {@link Connection#clientAddress()}.
 *                     Zero (the default): a PROXY header is just data, like any other bytes
 * @param limitSharedWith when not null, the listener whose open-connection count this one shares
 */
public record ListenOptions(boolean reusePort, List<Reactor> workers, Balance balance, Duration proxyTimeout,
                            Listener limitSharedWith) {

    /** How {@link #handOffTo} picks the worker for a new connection. */
    public enum Balance {
        /** Each worker in turn: no shared state to read, and even when connections live about equally long. */
        ROUND_ROBIN,
        /**
         * The worker with the fewest open connections of this listener (ties go round robin): evens out connections
         * of very different lifetimes, at the cost of reading one counter per worker per accept.
         */
        LEAST_CONNECTIONS
    }

    /** One reactor, no {@code SO_REUSEPORT}, no PROXY header: what {@code listen} without options does. */
    public static final ListenOptions DEFAULTS =
            new ListenOptions(false, List.of(), Balance.ROUND_ROBIN, Duration.ZERO, null);

    /**
     * Checks the options; {@code workers} is copied.
     *
     * @param reusePort    set {@code SO_REUSEPORT}
     * @param workers      the reactors connections are handed to; empty for none
     * @param balance      how a worker is picked
     * @param proxyTimeout how long a PROXY header may take; zero: no header expected
     * @param limitSharedWith a listener whose connection count this one shares, or null
     * @throws IllegalArgumentException if the timeout is negative or a worker is listed twice
     */
    public ListenOptions {
        workers = List.copyOf(workers);
        Objects.requireNonNull(balance, "balance");
        if (proxyTimeout.isNegative()) {
            throw new IllegalArgumentException("the PROXY header timeout must not be negative, got " + proxyTimeout);
        }
        if (workers.size() != workers.stream().distinct().count()) {
            throw new IllegalArgumentException("a worker reactor is listed twice: " + workers);
        }
    }

    /** {@return a copy that sets {@code SO_REUSEPORT}}, so that other reactors or processes may bind the address too. */
    public ListenOptions withReusePort() {
        return new ListenOptions(true, workers, balance, proxyTimeout, limitSharedWith);
    }

    /**
     * {@return a copy that hands each accepted connection to one of {@code workers}} They may include the listener's
     * own reactor. The workers must be started; a worker that has stopped or is shutting down gets none (the
     * connection is closed).
     *
     * @param workers the reactors connections go to, each at most once
     * @param balance how each connection's worker is picked
     */
    public ListenOptions handOffTo(List<Reactor> workers, Balance balance) {
        if (workers.isEmpty()) {
            throw new IllegalArgumentException("handOffTo needs at least one worker reactor");
        }
        return new ListenOptions(reusePort, workers, balance, proxyTimeout, limitSharedWith);
    }

    /**
     * {@return a copy that expects a PROXY protocol header} (v1 text or v2 binary, as HAProxy's {@code send-proxy} and
     * {@code send-proxy-v2} write it) ahead of each connection's bytes, complete within {@code timeout}. A missing,
     * malformed or late header closes that connection ({@link CloseReason#PROTOCOL_ERROR}, a DEBUG line, and the
     * {@code proxy_header_failures_total} counter). Only a listener that only a proxy can reach should trust headers.
     *
     * @param timeout how long a new connection may take to send its whole header
     */
    public ListenOptions expectProxyHeader(Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("the PROXY header timeout must be positive, got " + timeout);
        }
        return new ListenOptions(reusePort, workers, balance, timeout, limitSharedWith);
    }

    /**
     * {@return a copy whose listener counts its connections together with {@code first}'s} against
     * {@link Limits#maxConnections()}: the SO_REUSEPORT listeners of one service on several reactors then share one
     * limit, as one listener would have it, instead of each allowing the maximum.
     *
     * @param first a listener bound earlier, usually the same service on another reactor
     */
    public ListenOptions sharingLimitWith(Listener first) {
        return new ListenOptions(reusePort, workers, balance, proxyTimeout, java.util.Objects.requireNonNull(first));
    }

    /** {@return whether accepted connections are handed to {@link #workers}} */
    public boolean handsOff() {
        return !workers.isEmpty();
    }

    /** {@return whether every connection must begin with a PROXY header} */
    public boolean proxyProtocol() {
        return !proxyTimeout.isZero();
    }

    /**
     * Sets SO_REUSEPORT on {@code channel} before its bind when {@link #reusePort()} asks for it: for a TCP listener and
     * a UDP socket alike. Fails where the platform has no such option rather than bind without it.
     */
    void applyReusePort(NetworkChannel channel) throws IOException {
        if (!reusePort) {
            return;
        }
        if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            throw new UnsupportedOperationException("SO_REUSEPORT is not supported on this platform");
        }
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
    }
}
