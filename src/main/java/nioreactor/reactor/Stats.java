package nioreactor.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The live counters of one reactor: plain fields, because only the reactor thread writes them (no atomics on the hot
 * path). Nothing outside the reactor sees this class: others get an immutable {@link ReactorStats} snapshot, taken on
 * the reactor thread.
 *
 * <p>Only the loop's and the sockets' own numbers live here. A service's protocol counters (frames, ERR replies, chat
 * members) are its own {@link Counter}s and gauges, registered in {@link #services}, so the reactor knows nothing of
 * any protocol yet {@code /metrics}, JMX and {@code stats} still show them.
 */
final class Stats {
    // The loop
    long loops;
    long selects;
    long emptySelects;
    long selectSpins;
    long selectYields;
    long selectBlocks;
    long selectorRebuilds;
    long selectorRebuildFailures;
    long tasksRun;
    long timersFired;
    long handlerErrors;
    final LoopHistogram loopTime = new LoopHistogram();
    /** How many keys each select returned ready. */
    final ReadyHistogram keysReady = new ReadyHistogram();

    // TCP
    long connectionsAccepted;
    /** Accepted here and handed to a worker reactor ({@link ListenOptions#handOffTo}); counted as accepted there. */
    long connectionsHandedOff;
    long connectionsConnected;
    long connectFailures;
    long connectionsActive;
    /** The AF_UNIX part of {@link #connectionsAccepted} and {@link #connectionsActive}. */
    long connectionsAcceptedUnix;
    long connectionsActiveUnix;
    long connectionsRejected;
    long acceptPauses;
    final long[] closedByReason = new long[CloseReason.values().length];
    long bytesRead;
    long bytesWritten;
    long bytesPending;
    long peakConnectionPending;
    long bytesAbandoned;
    long backpressurePauses;

    // UDP
    long datagramsIn;
    long datagramsOut;
    long datagramsDropped;

    /** Service metrics, in registration order. Registered from any thread; read on the reactor thread. */
    final List<ServiceMetric> services = new CopyOnWriteArrayList<>();

    /** A registered counter or gauge. */
    record ServiceMetric(String name, String help, boolean gauge, LongSupplier value) {
    }

    List<ReactorStats.Sample> sampleServices() {
        List<ReactorStats.Sample> samples = new ArrayList<>(services.size());
        for (ServiceMetric m : services) {
            samples.add(new ReactorStats.Sample(m.name(), m.help(), m.gauge(), m.value().getAsLong()));
        }
        return samples;
    }
}
