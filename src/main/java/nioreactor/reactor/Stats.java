package nioreactor.reactor;

/**
 * The counters of one reactor: plain fields, because only the reactor thread writes them (no atomics on the hot
 * path). Another thread that wants a consistent view asks the reactor for a {@link #copy()} (see
 * {@code Reactor#call}).
 */
public final class Stats {
    // The loop
    public long loops;
    public long selects;
    public long emptySelects;
    public long selectorRebuilds;
    public long tasksRun;
    public long timersFired;
    public long handlerErrors;
    public final LoopHistogram loopTime = new LoopHistogram();

    // TCP
    public long connectionsAccepted;
    public long connectionsActive;
    public long connectionsRejected;
    public long acceptPauses;
    public final long[] closedByReason = new long[CloseReason.values().length];
    public long bytesRead;
    public long bytesWritten;
    public long bytesPending;
    /** The most output any one connection has held pending: what the high water mark bounds (plus one read). */
    public long peakConnectionPending;
    public long bytesAbandoned;
    public long backpressurePauses;
    public long frames;

    // UDP
    public long datagramsIn;
    public long datagramsOut;
    public long datagramsDropped;
    public long errReplies;

    /** A snapshot; call on the reactor thread. */
    public Stats copy() {
        Stats c = new Stats();
        c.loops = loops;
        c.selects = selects;
        c.emptySelects = emptySelects;
        c.selectorRebuilds = selectorRebuilds;
        c.tasksRun = tasksRun;
        c.timersFired = timersFired;
        c.handlerErrors = handlerErrors;
        c.loopTime.copyFrom(loopTime);
        c.connectionsAccepted = connectionsAccepted;
        c.connectionsActive = connectionsActive;
        c.connectionsRejected = connectionsRejected;
        c.acceptPauses = acceptPauses;
        System.arraycopy(closedByReason, 0, c.closedByReason, 0, closedByReason.length);
        c.bytesRead = bytesRead;
        c.bytesWritten = bytesWritten;
        c.bytesPending = bytesPending;
        c.peakConnectionPending = peakConnectionPending;
        c.bytesAbandoned = bytesAbandoned;
        c.backpressurePauses = backpressurePauses;
        c.frames = frames;
        c.datagramsIn = datagramsIn;
        c.datagramsOut = datagramsOut;
        c.datagramsDropped = datagramsDropped;
        c.errReplies = errReplies;
        return c;
    }

    public long closed(CloseReason reason) {
        return closedByReason[reason.ordinal()];
    }
}
