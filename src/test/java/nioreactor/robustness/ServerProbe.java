package nioreactor.robustness;

import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.Reactor;

/** A look at a live reactor's connections, taken on its own thread (the single-thread rule). */
final class ServerProbe {
    /** One connection as the reactor sees it. */
    record View(long id, ConnectionState state, long pending) {
    }

    private ServerProbe() {
    }

    static List<View> connections(Reactor reactor) {
        try {
            return reactor.submit(() -> reactor.connections().stream()
                    .map(c -> new View(c.id(), c.state(), c.pendingBytes())).toList()).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the reactor did not answer", e);
        }
    }
}
