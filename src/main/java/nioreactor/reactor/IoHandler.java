package nioreactor.reactor;

import java.nio.channels.SelectionKey;

/**
 * What a selection key's attachment is: the code that runs when its channel is ready. An abstract class with
 * package-private methods, not an interface, so that the public classes built on it ({@link Connection},
 * {@link UdpSocket}) do not expose these calls to embedders.
 *
 * <p>Every method runs on the reactor thread only.
 */
abstract class IoHandler {

    /** The channel is ready for {@code readyOps}. Exceptions are caught by the reactor and passed to {@link #failed}. */
    abstract void ready(int readyOps) throws Exception;

    /**
     * {@link #ready} threw. The handler must release what the failure touched (close that one connection, drop that
     * one datagram) so that the loop can go on with everyone else.
     */
    abstract void failed(Throwable cause);

    /** The reactor moved this handler's channel to a new selector (see {@code Reactor#rebuildSelector}). */
    abstract void rekeyed(SelectionKey newKey);

    /** The reactor is stopping for good: close the channel now, whatever is pending. */
    abstract void forceClose();

    /** Graceful shutdown has begun: stop taking new work and finish what is owed within {@code deadline}. */
    abstract void beginShutdown(java.time.Duration deadline);
}
