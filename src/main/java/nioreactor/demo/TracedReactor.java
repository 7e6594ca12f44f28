package nioreactor.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;
import nioreactor.reactor.Trace;

/**
 * A reactor whose {@code --trace} lines are kept in memory instead of logged, so a demo (or a test) can show and check
 * exactly what the loop did with its sockets. Listeners bind to 127.0.0.1 on ephemeral ports.
 */
public final class TracedReactor implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Reactor reactor;
    private final List<String> lines = new ArrayList<>();

    public TracedReactor(String name) {
        this.reactor = Reactor.builder().name(name).trace(Trace.to(this::add)).build();
        reactor.start();
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    public Reactor reactor() {
        return reactor;
    }

    /** Binds a TCP listener speaking {@code protocol} with {@code limits}; returns its address. */
    public InetSocketAddress listen(String service, Supplier<StreamHandler> protocol, Limits limits) throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        return (InetSocketAddress) reactor.listen(service, any, limits.withBacklog(64), protocol)
                .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).address();
    }

    /** Runs {@code task} on the reactor thread and waits for its result. */
    public <T> T onReactor(java.util.concurrent.Callable<T> task) throws Exception {
        try {
            return reactor.submit(task).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    public ReactorStats stats() {
        return reactor.stats();
    }

    /** Every trace line so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a trace line matches; returns it. */
    public synchronized String awaitLine(Predicate<String> match, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int checked = 0;
        while (true) {
            for (; checked < lines.size(); checked++) {
                if (match.test(lines.get(checked))) {
                    return lines.get(checked);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException("no trace line matched within " + timeout.toMillis() + " ms; last lines: "
                        + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The lines about connection {@code id} ("#3"), in order: its story from accept to close. */
    public List<String> linesOf(long id) {
        String tag = "#" + id;
        return lines().stream().filter(l -> l.matches(".*" + tag + "\\b.*")).toList();
    }

    @Override
    public void close() throws IOException {
        reactor.stop();
        try {
            if (!reactor.awaitTermination(CALL_TIMEOUT)) {
                throw new IOException(reactor.name() + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
