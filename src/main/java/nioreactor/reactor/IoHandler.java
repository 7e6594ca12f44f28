package nioreactor.reactor;

import java.nio.channels.SelectionKey;

/**
 * What a selection key's attachment is: the code that runs when its channel is ready.
 *
 * <p>Every method runs on the reactor thread only.
 */
public interface IoHandler {

    /** The channel is ready for {@code readyOps}. Exceptions are caught by the reactor and passed to {@link #failed}. */
    void ready(int readyOps) throws Exception;

    /**
     * {@link #ready} threw. The handler must release what the failure touched (close that one connection, drop that
     * one datagram) so that the loop can go on with everyone else.
     */
    void failed(Throwable cause);

    /** The reactor moved this handler's channel to a new selector (see {@code Reactor#rebuildSelector}). */
    void rekeyed(SelectionKey newKey);

    /** The reactor is stopping for good: close the channel now, whatever is pending. */
    void forceClose();
}
