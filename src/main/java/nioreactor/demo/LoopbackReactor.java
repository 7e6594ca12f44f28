package nioreactor.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.Trace;

/**
 * A started reactor and nothing around it (no server, metrics or JMX), whose listeners bind to 127.0.0.1 on
 * ephemeral ports, with every wait on it bounded. {@link TracedReactor} is this plus its trace lines; tests use it
 * as it is, to put a protocol of their choosing behind a bare reactor.
 */
public class LoopbackReactor implements AutoCloseable {
    /**
     * How long a call into the reactor, or its stop, may take before it counts as hung. The calls take microseconds;
     * the bound is generous because a loaded 2-core box (the tests) can be slow, and it only matters on a hang.
     */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Reactor reactor;

    /** A started reactor without tracing. */
    public LoopbackReactor(String name) {
        this(name, Trace.OFF);
    }

    protected LoopbackReactor(String name, Trace trace) {
        this.reactor = Reactor.builder().name(name).trace(trace).build();
        reactor.start();
    }

    public Reactor reactor() {
        return reactor;
    }

    /** Binds a TCP listener on 127.0.0.1 speaking {@code protocol} with {@code limits}; returns its address. */
    public InetSocketAddress listen(String service, Supplier<? extends StreamHandler> protocol, Limits limits)
            throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return (InetSocketAddress) reactor.listen(service, any, limits, protocol)
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).address();
    }

    /** Runs {@code task} on the reactor thread and waits for its result; its exception, if any, is thrown here. */
    public <T> T onReactor(Callable<T> task) throws Exception {
        try {
            return reactor.submit(task).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    public ReactorStats stats() {
        return reactor.stats();
    }

    /** Stops the reactor and waits for its thread to end. */
    @Override
    public void close() throws IOException {
        reactor.stop();
        try {
            if (!reactor.awaitTermination(CALL_TIMEOUT)) {
                throw new IOException(reactor.name() + " did not stop within " + CALL_TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
