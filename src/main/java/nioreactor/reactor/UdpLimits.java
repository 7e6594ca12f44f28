package nioreactor.reactor;

/**
 * The limits of one {@link UdpSocket}. Immutable; any thread.
 *
 * @param receiveBudget     datagrams received per loop iteration, so a flood cannot starve the other channels
 * @param maxPendingReplies replies kept while the socket's send buffer is full; more are dropped and counted
 */
public record UdpLimits(int receiveBudget, int maxPendingReplies) {
    /** Default {@link #receiveBudget()}: 64 datagrams. */
    public static final int DEFAULT_RECEIVE_BUDGET = 64;
    /** Default {@link #maxPendingReplies()}: 1024 replies. */
    public static final int DEFAULT_MAX_PENDING_REPLIES = 1024;
    /** Both limits at their defaults. */
    public static final UdpLimits DEFAULTS = new UdpLimits(DEFAULT_RECEIVE_BUDGET, DEFAULT_MAX_PENDING_REPLIES);

    /**
     * Checks the limits.
     *
     * @param receiveBudget     datagrams received per loop iteration
     * @param maxPendingReplies replies kept while the send buffer is full
     * @throws IllegalArgumentException if the receive budget is under 1 or the reply queue's bound negative
     */
    public UdpLimits {
        if (receiveBudget < 1 || maxPendingReplies < 0) {
            throw new IllegalArgumentException("need receive budget >= 1 and max pending replies >= 0, got "
                    + receiveBudget + " / " + maxPendingReplies);
        }
    }
}
