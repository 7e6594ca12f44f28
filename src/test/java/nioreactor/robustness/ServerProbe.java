package nioreactor.robustness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nioreactor.reactor.Connection;
import nioreactor.reactor.ConnectionState;
import nioreactor.reactor.IoHandler;
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
            return reactor.call(() -> {
                List<View> views = new ArrayList<>();
                for (IoHandler h : reactor.handlers()) {
                    if (h instanceof Connection c) {
                        views.add(new View(c.id(), c.state(), c.pendingBytes()));
                    }
                }
                return views;
            }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the reactor did not answer", e);
        }
    }
}
