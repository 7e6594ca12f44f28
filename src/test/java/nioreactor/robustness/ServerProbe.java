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

    /** Every reactor's connections, reactor-0's first (a server with {@code --reactors N}). */
    static List<View> connections(nioreactor.server.Server server) {
        List<View> all = new java.util.ArrayList<>();
        for (Reactor r : server.reactors()) {
            if (r.isRunning()) {
                try {
                    all.addAll(connections(r));
                } catch (AssertionError stoppedMeanwhile) {
                    if (r.isRunning()) {
                        throw stoppedMeanwhile;
                    } // a reactor with nothing left to drain finishes its shutdown first: it has no connections
                }
            }
        }
        return all;
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
