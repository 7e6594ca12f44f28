package nioreactor.load;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;

/**
 * One load run's settings; immutable. {@code connections} are TCP connections (or, for {@link LoadMode#CHURN}, the
 * connect-request-close loops running at once; for {@link LoadMode#UDP_TIME}, the UDP clients). Each keeps
 * {@code depth} requests in flight (1: ping-pong, closed loop; more: pipelined). Latencies of the {@code warmup}
 * period are not recorded. The {@code target} of the stream modes may be a {@link UnixDomainSocketAddress}: the same
 * load over AF_UNIX (what {@code make bench} compares with loopback TCP); UDP needs an {@link InetSocketAddress}.
 */
public record LoadSettings(LoadMode mode, SocketAddress target, int connections, int requestSize, int depth,
                           Duration warmup, Duration duration, int threads) {

    public LoadSettings {
        if (mode == null || target == null || warmup == null || duration == null) {
            throw new IllegalArgumentException("mode, target, warmup and duration are required");
        }
        if (connections < 1 || depth < 1 || threads < 1) {
            throw new IllegalArgumentException("connections, depth and threads must be >= 1");
        }
        if (requestSize < 0 || requestSize > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("request size must be 0..16MiB, got " + requestSize);
        }
        if (mode == LoadMode.RAW && requestSize == 0) {
            throw new IllegalArgumentException("a raw request needs at least one byte (an empty one has no reply)");
        }
        if ((mode == LoadMode.CHURN || mode == LoadMode.UDP_TIME) && depth != 1) {
            throw new IllegalArgumentException(mode + " sends one request at a time (depth 1)");
        }
        if (mode == LoadMode.UDP_TIME && !(target instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("UDP needs an IP address and port, not " + target);
        }
        if (!(target instanceof InetSocketAddress) && !(target instanceof UnixDomainSocketAddress)) {
            throw new IllegalArgumentException("the target is a TCP address or a Unix domain socket path, not " + target);
        }
        if (warmup.isNegative() || duration.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** Ping-pong on the raw upper-echo, one generator thread, one second of warm-up. */
    public static LoadSettings pingPong(InetSocketAddress target, int connections, int requestSize, Duration duration) {
        return new LoadSettings(LoadMode.RAW, target, connections, requestSize, 1, Duration.ofSeconds(1), duration, 1);
    }

    public LoadSettings withMode(LoadMode m) {
        return new LoadSettings(m, target, connections, requestSize, depth, warmup, duration, threads);
    }

    public LoadSettings withTarget(SocketAddress t) {
        return new LoadSettings(mode, t, connections, requestSize, depth, warmup, duration, threads);
    }

    public LoadSettings withConnections(int n) {
        return new LoadSettings(mode, target, n, requestSize, depth, warmup, duration, threads);
    }

    public LoadSettings withRequestSize(int s) {
        return new LoadSettings(mode, target, connections, s, depth, warmup, duration, threads);
    }

    public LoadSettings withDepth(int d) {
        return new LoadSettings(mode, target, connections, requestSize, d, warmup, duration, threads);
    }

    public LoadSettings withWarmup(Duration w) {
        return new LoadSettings(mode, target, connections, requestSize, depth, w, duration, threads);
    }

    public LoadSettings withDuration(Duration d) {
        return new LoadSettings(mode, target, connections, requestSize, depth, warmup, d, threads);
    }

    public LoadSettings withThreads(int t) {
        return new LoadSettings(mode, target, connections, requestSize, depth, warmup, duration, t);
    }

    /** For headers and logs, e.g. "raw 100 conns x 64 B" or "framed 1 conns x 64 B, depth 16". */
    public String describe() {
        String what = switch (mode) {
            case RAW -> "raw " + connections + " conns x " + requestSize + " B";
            case FRAMED -> "framed " + connections + " conns x " + requestSize + " B";
            case CHURN -> "churn " + connections + " loops x " + requestSize + " B";
            case UDP_TIME -> "udp time " + connections + " clients";
        };
        return depth > 1 ? what + ", depth " + depth : what;
    }
}
