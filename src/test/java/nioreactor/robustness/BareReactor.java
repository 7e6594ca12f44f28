package nioreactor.robustness;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StreamHandler;

/** A reactor with one listener speaking a protocol of the test's choosing: no server around it. */
final class BareReactor implements AutoCloseable {
    private final Reactor reactor;
    private final InetSocketAddress address;

    private BareReactor(Reactor reactor, InetSocketAddress address) {
        this.reactor = reactor;
        this.address = address;
    }

    static BareReactor start(String name, Limits limits, Supplier<? extends StreamHandler> protocol) throws Exception {
        Reactor reactor = Reactor.builder().name(name).build();
        reactor.start();
        try {
            InetSocketAddress bound = (InetSocketAddress) reactor.listen(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    limits, protocol).get(30, TimeUnit.SECONDS).address();
            return new BareReactor(reactor, bound);
        } catch (Exception e) {
            reactor.stop();
            throw e;
        }
    }

    InetSocketAddress address() {
        return address;
    }

    Reactor reactor() {
        return reactor;
    }

    /** Runs {@code task} on the reactor thread and waits for its result. */
    <T> T call(Callable<T> task) {
        try {
            return reactor.submit(task).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (Exception e) {
            throw new AssertionError("the reactor did not answer", e);
        }
    }

    ReactorStats stats() {
        return reactor.stats();
    }

    /** Not {@code throws InterruptedException}: a resource whose close may throw it is a javac -Xlint warning. */
    @Override
    public void close() {
        reactor.stop();
        try {
            if (!reactor.awaitTermination(Duration.ofSeconds(30))) {
                throw new AssertionError(reactor.name() + " did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + reactor.name() + " to stop", e);
        }
    }
}
