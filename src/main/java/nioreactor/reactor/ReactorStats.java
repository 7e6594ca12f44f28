package nioreactor.reactor;

import java.util.List;

/**
 * An immutable snapshot of one reactor's counters: the loop, its TCP connections and its UDP sockets, plus every
 * service counter and gauge registered with {@link Reactor#counter} and {@link Reactor#gauge}. Taken by
 * {@link Reactor#stats()} on the reactor thread, so the numbers agree with each other; read it on any thread.
 */
public final class ReactorStats {
    /** One registered service counter or gauge, as it was when the snapshot was taken. */
    public record Sample(String name, String help, boolean gauge, long value) {
    }

    /** Upper bounds of the loop-time histogram's buckets in microseconds; a last, unbounded bucket follows. */
    public static final List<Long> LOOP_TIME_BOUNDS_MICROS = LoopHistogram.BOUNDS_MICROS;
    /** Upper bounds (inclusive) of the keys-ready-per-select histogram's buckets; a last, unbounded bucket follows. */
    public static final List<Integer> KEYS_READY_BOUNDS = ReadyHistogram.BOUNDS;

    private final long loops;
    private final long selects;
    private final long emptySelects;
    private final long selectSpins;
    private final long selectYields;
    private final long selectBlocks;
    private final long selectorRebuilds;
    private final long selectorRebuildFailures;
    private final long tasksRun;
    private final long timersFired;
    private final long handlerErrors;
    private final long connectionsAccepted;
    private final long connectionsHandedOff;
    private final long connectionsConnected;
    private final long connectFailures;
    private final long connectionsActive;
    private final long connectionsAcceptedUnix;
    private final long connectionsActiveUnix;
    private final long connectionsRejected;
    private final long acceptPauses;
    private final long bytesRead;
    private final long bytesWritten;
    private final long bytesPending;
    private final long peakConnectionPending;
    private final long bytesAbandoned;
    private final long backpressurePauses;
    private final long datagramsIn;
    private final long datagramsOut;
    private final long datagramsDropped;
    private final long[] closedByReason;
    private final long[] loopTimeCounts;
    private final long loopTimeSumNanos;
    private final long[] keysReadyCounts;
    private final long keysReadySum;
    private final List<Sample> services;

    /**
     * {@return one snapshot adding up several}, e.g. the reactors of one server: every counter and gauge summed, the
     * loop-time buckets too, the peak pending the largest; service metrics summed by name, in first-seen order.
     *
     * @param parts the snapshots to add up, at least one
     */
    public static ReactorStats total(List<ReactorStats> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to add up");
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        Stats t = new Stats();
        java.util.Map<String, long[]> serviceValues = new java.util.LinkedHashMap<>();
        java.util.Map<String, Sample> serviceShape = new java.util.LinkedHashMap<>();
        for (ReactorStats p : parts) {
            t.loops += p.loops;
            t.selects += p.selects;
            t.emptySelects += p.emptySelects;
            t.selectSpins += p.selectSpins;
            t.selectYields += p.selectYields;
            t.selectBlocks += p.selectBlocks;
            t.selectorRebuilds += p.selectorRebuilds;
            t.selectorRebuildFailures += p.selectorRebuildFailures;
            t.tasksRun += p.tasksRun;
            t.timersFired += p.timersFired;
            t.handlerErrors += p.handlerErrors;
            t.connectionsAccepted += p.connectionsAccepted;
            t.connectionsHandedOff += p.connectionsHandedOff;
            t.connectionsConnected += p.connectionsConnected;
            t.connectFailures += p.connectFailures;
            t.connectionsActive += p.connectionsActive;
            t.connectionsRejected += p.connectionsRejected;
            t.acceptPauses += p.acceptPauses;
            t.bytesRead += p.bytesRead;
            t.bytesWritten += p.bytesWritten;
            t.bytesPending += p.bytesPending;
            t.peakConnectionPending = Math.max(t.peakConnectionPending, p.peakConnectionPending);
            t.bytesAbandoned += p.bytesAbandoned;
            t.backpressurePauses += p.backpressurePauses;
            t.datagramsIn += p.datagramsIn;
            t.datagramsOut += p.datagramsOut;
            t.datagramsDropped += p.datagramsDropped;
            for (int i = 0; i < t.closedByReason.length; i++) {
                t.closedByReason[i] += p.closedByReason[i];
            }
            for (int i = 0; i < t.loopTime.counts.length; i++) {
                t.loopTime.counts[i] += p.loopTimeCounts[i];
            }
            t.loopTime.sumNanos += p.loopTimeSumNanos;
            for (Sample m : p.services) {
                serviceShape.putIfAbsent(m.name(), m);
                serviceValues.computeIfAbsent(m.name(), k -> new long[1])[0] += m.value();
            }
        }
        for (Sample m : serviceShape.values()) {
            long v = serviceValues.get(m.name())[0];
            t.services.add(new Stats.ServiceMetric(m.name(), m.help(), m.gauge(), () -> v));
        }
        return new ReactorStats(t);
    }

    ReactorStats(Stats s) {
        loops = s.loops;
        selects = s.selects;
        emptySelects = s.emptySelects;
        selectSpins = s.selectSpins;
        selectYields = s.selectYields;
        selectBlocks = s.selectBlocks;
        selectorRebuilds = s.selectorRebuilds;
        selectorRebuildFailures = s.selectorRebuildFailures;
        tasksRun = s.tasksRun;
        timersFired = s.timersFired;
        handlerErrors = s.handlerErrors;
        connectionsAccepted = s.connectionsAccepted;
        connectionsHandedOff = s.connectionsHandedOff;
        connectionsConnected = s.connectionsConnected;
        connectFailures = s.connectFailures;
        connectionsActive = s.connectionsActive;
        connectionsAcceptedUnix = s.connectionsAcceptedUnix;
        connectionsActiveUnix = s.connectionsActiveUnix;
        connectionsRejected = s.connectionsRejected;
        acceptPauses = s.acceptPauses;
        bytesRead = s.bytesRead;
        bytesWritten = s.bytesWritten;
        bytesPending = s.bytesPending;
        peakConnectionPending = s.peakConnectionPending;
        bytesAbandoned = s.bytesAbandoned;
        backpressurePauses = s.backpressurePauses;
        datagramsIn = s.datagramsIn;
        datagramsOut = s.datagramsOut;
        datagramsDropped = s.datagramsDropped;
        closedByReason = s.closedByReason.clone();
        loopTimeCounts = s.loopTime.counts.clone();
        loopTimeSumNanos = s.loopTime.sumNanos;
        keysReadyCounts = s.keysReady.counts.clone();
        keysReadySum = s.keysReady.sum;
        services = List.copyOf(s.sampleServices());
    }

    /** {@return the loop's iterations} */
    public long loops() {
        return loops;
    }

    /** {@return calls to select} */
    public long selects() {
        return selects;
    }

    /** {@return selects that returned no ready channel (a timer was due, a task woke it, or a timeout)} */
    public long emptySelects() {
        return emptySelects;
    }

    /** {@return idle waits that polled with selectNow instead of blocking (SPIN, BACKOFF)} */
    public long selectSpins() {
        return selectSpins;
    }

    /** {@return idle waits that yielded the thread, then polled (BACKOFF)} */
    public long selectYields() {
        return selectYields;
    }

    /** {@return idle waits that blocked in select} */
    public long selectBlocks() {
        return selectBlocks;
    }

    /** {@return selectors replaced by the spin guard (the epoll bug workaround)} */
    public long selectorRebuilds() {
        return selectorRebuilds;
    }

    /** {@return rebuilds that could not open a new selector (e.g. out of descriptors) and kept the old one} */
    public long selectorRebuildFailures() {
        return selectorRebuildFailures;
    }

    /** {@return tasks run from the reactor's queue: handed over by other threads, or deferred by the reactor thread} */
    public long tasksRun() {
        return tasksRun;
    }

    /** {@return timers that fired} */
    public long timersFired() {
        return timersFired;
    }

    /** {@return exceptions from handlers, tasks and timers caught by the loop} */
    public long handlerErrors() {
        return handlerErrors;
    }

    /** {@return TCP connections accepted by a listener} */
    public long connectionsAccepted() {
        return connectionsAccepted;
    }

    /**
     * {@return TCP connections this reactor's listeners accepted and handed to a worker reactor}
     * ({@link ListenOptions#handOffTo}); each is counted in the worker's {@link #connectionsAccepted()}.
     */
    public long connectionsHandedOff() {
        return connectionsHandedOff;
    }

    /** {@return outbound TCP connections that completed their connect} */
    public long connectionsConnected() {
        return connectionsConnected;
    }

    /** {@return outbound connects that failed (refused, unreachable, timed out)} */
    public long connectFailures() {
        return connectFailures;
    }

    /** {@return open TCP connections, every listener and outbound connection together} */
    public long connectionsActive() {
        return connectionsActive;
    }

    /**
     * The AF_UNIX connections among {@link #connectionsActive()} (accepted and outbound); the rest are TCP.
     *
     * @return open AF_UNIX connections
     */
    public long connectionsActiveUnix() {
        return connectionsActiveUnix;
    }

    /**
     * The connections among {@link #connectionsAccepted()} that came in on AF_UNIX listeners.
     *
     * @return AF_UNIX connections accepted so far
     */
    public long connectionsAcceptedUnix() {
        return connectionsAcceptedUnix;
    }

    /** {@return connections refused because their listener was at its maximum} */
    public long connectionsRejected() {
        return connectionsRejected;
    }

    /** {@return times a listener paused accepting because accept failed (e.g. out of descriptors)} */
    public long acceptPauses() {
        return acceptPauses;
    }

    /** {@return bytes read from TCP connections} */
    public long bytesRead() {
        return bytesRead;
    }

    /** {@return bytes written to TCP connections} */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** {@return bytes queued because a socket's send buffer was full, now} */
    public long bytesPending() {
        return bytesPending;
    }

    /**
     * {@return the most output any one connection has held pending} The high water mark bounds it, plus one read.
     */
    public long peakConnectionPending() {
        return peakConnectionPending;
    }

    /** {@return queued bytes dropped because their connection closed first} */
    public long bytesAbandoned() {
        return bytesAbandoned;
    }

    /** {@return times a connection stopped being read above its high water mark} */
    public long backpressurePauses() {
        return backpressurePauses;
    }

    /** {@return UDP datagrams received} */
    public long datagramsIn() {
        return datagramsIn;
    }

    /** {@return UDP datagrams sent} */
    public long datagramsOut() {
        return datagramsOut;
    }

    /** {@return UDP datagrams dropped (send failed, reply queue full, or the handler failed)} */
    public long datagramsDropped() {
        return datagramsDropped;
    }

    /**
     * TCP connections closed for {@code reason}.
     *
     * @param reason why they closed
     * @return how many closed for it
     */
    public long closed(CloseReason reason) {
        return closedByReason[reason.ordinal()];
    }

    /**
     * Loop iterations whose work fell in bucket {@code i} (not cumulative); the last index is the unbounded bucket.
     *
     * @param i the bucket, an index into {@link #LOOP_TIME_BOUNDS_MICROS} or one past its end
     * @return the iterations in that bucket
     */
    public long loopTimeCount(int i) {
        return loopTimeCounts[i];
    }

    /** {@return loop iterations recorded} */
    public long loopTimeTotal() {
        long total = 0;
        for (long c : loopTimeCounts) {
            total += c;
        }
        return total;
    }

    /** {@return total work time of the recorded iterations, in nanoseconds} */
    public long loopTimeSumNanos() {
        return loopTimeSumNanos;
    }

    /**
     * {@return the selects that returned a number of ready keys in bucket {@code i} of {@link #KEYS_READY_BOUNDS}}
     * Not cumulative; the last index is the unbounded bucket. Bucket 0 holds the empty selects.
     *
     * @param i the bucket, from 0 to {@code KEYS_READY_BOUNDS.size()}
     */
    public long keysReadyCount(int i) {
        return keysReadyCounts[i];
    }

    /** {@return the ready keys summed over every select: divided by {@link #selects()}, the keys handled per wakeup} */
    public long keysReadySum() {
        return keysReadySum;
    }

    /** {@return every registered service counter and gauge, in registration order} */
    public List<Sample> services() {
        return services;
    }

    /**
     * The value of the service counter or gauge named {@code name}.
     *
     * @param name the name it was registered under
     * @return its value when the snapshot was taken
     * @throws IllegalArgumentException if none is registered under that name
     */
    public long service(String name) {
        for (Sample s : services) {
            if (s.name().equals(name)) {
                return s.value();
            }
        }
        throw new IllegalArgumentException("no service metric named " + name + "; registered: "
                + services.stream().map(Sample::name).toList());
    }
}
