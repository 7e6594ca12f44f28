package nioreactor.metrics;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import nioreactor.reactor.Connection;
import nioreactor.reactor.Counter;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Timer;
import nioreactor.reactor.TraceEvent;

/**
 * The dashboard's live feed ({@code GET /events}): a snapshot of the reactor a few times a second, from a reactor
 * timer, and its trace events as they happen, both as Server-Sent Events to every subscriber. One per reactor; all of
 * it is reactor-thread state, so it needs no lock, and everything it sends goes through each subscriber's own
 * connection, write queue and water marks, like any reply.
 *
 * <h2>It costs nothing while nobody watches</h2>
 * The first subscriber registers a trace tap ({@link Reactor#addTraceTap}) and starts the snapshot timer; the last one
 * to leave removes both. With no subscriber, the reactor's trace guard is false again (unless {@code --trace} is on)
 * and no timer fires.
 *
 * <h2>A slow tab never slows the reactor nor grows its memory</h2>
 * The chat room's slow-consumer policy in another form, with the same test ({@link Connection#canTake}): before each
 * message, a subscriber whose pending output would pass {@code maxPendingBytes} is not sent it. The chat room cuts
 * such a member, since a chat line cannot be skipped; a dashboard can, because the next snapshot replaces everything
 * it missed. So the subscriber is marked behind, its messages are counted instead of queued, and once its queue has
 * drained to a quarter of the bound (the tab reads again), it gets one {@code dropped} message ("N events dropped")
 * and then the next snapshot. A subscriber's memory is thus at most {@code maxPendingBytes} plus one message.
 *
 * <h2>Nor does a busy reactor</h2>
 * Under load the trace has hundreds of thousands of events a second, more than any tab can show. At most
 * {@link #MAX_EVENTS_PER_TICK} routine events (reads, writes, selects, datagrams) and as many changes of state (accept,
 * OP_WRITE, paused, close, timers...) are formatted per snapshot interval ({@link #MAX_EVENTS_PER_SECOND} a second of
 * each), so a flood of reads never hides the moment a connection pauses; the rest are only counted (one increment
 * each), and the count goes out as a {@code skipped} message. Events about the
 * subscribers' own connections are left out, or every message sent would make an event to send.
 */
final class DashboardFeed {
    static final Duration SNAPSHOT_INTERVAL = Duration.ofMillis(250);
    static final int MAX_EVENTS_PER_TICK = 500;
    static final int MAX_EVENTS_PER_SECOND = (int) (MAX_EVENTS_PER_TICK * 1000 / SNAPSHOT_INTERVAL.toMillis());
    /** The default bound on one subscriber's pending output. */
    static final long DEFAULT_MAX_PENDING = 256 * 1024;

    private final Reactor reactor;
    private final int maxClients;
    private final long maxPending;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final Consumer<TraceEvent> tap = this::onEvent;
    private final Runnable flushTask = this::flush;
    private final Counter dropped;
    private final Counter skipped;

    /** This tick's accepted events, as a JSON array being built (without its brackets). */
    private final StringBuilder batch = new StringBuilder(4096);
    private int batched;
    private int routineThisTick;
    private int edgesThisTick;
    private long skippedSinceReport;
    private boolean flushScheduled;
    private Timer timer;

    /** One {@code GET /events} connection. */
    private static final class Subscriber {
        final Connection connection;
        boolean behind;
        long droppedEvents;
        long droppedSnapshots;

        Subscriber(Connection connection) {
            this.connection = connection;
        }
    }

    DashboardFeed(Reactor reactor, int maxClients, long maxPending) {
        if (maxClients < 0 || maxPending < 1) {
            throw new IllegalArgumentException("dashboard max clients must be >= 0 and max pending >= 1");
        }
        this.reactor = reactor;
        this.maxClients = maxClients;
        this.maxPending = maxPending;
        this.dropped = reactor.counter("dashboard_events_dropped_total",
                "Dashboard messages not sent to a tab that fell behind (its pending output was at the bound)");
        this.skipped = reactor.counter("dashboard_events_skipped_total",
                "Trace events not streamed to the dashboard because they came faster than it shows them");
        try {
            reactor.gauge("dashboard_subscribers", "Dashboard tabs subscribed to GET /events now", subscribers::size);
        } catch (IllegalArgumentException alreadyThere) {
            // a second metrics listener on the same reactor: the first one's gauge stays
        }
    }

    int maxClients() {
        return maxClients;
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /**
     * Starts a stream on {@code c}, whose request was {@code GET /events}: the response head, a {@code hello}, and a
     * first snapshot. Returns false (and sends nothing) when {@code maxClients} are subscribed already.
     */
    boolean subscribe(Connection c) {
        if (subscribers.size() >= maxClients) {
            return false;
        }
        Subscriber s = new Subscriber(c);
        subscribers.add(s);
        if (subscribers.size() == 1) {
            reactor.addTraceTap(tap);
            timer = reactor.schedule(SNAPSHOT_INTERVAL, "dashboard-snapshot", this::tick);
            routineThisTick = 0;
            edgesThisTick = 0;
        }
        String hello = DashboardJson.hello(new DashboardJson.Hello(c.id(), reactor.name(), maxClients, maxPending,
                MAX_EVENTS_PER_SECOND, SNAPSHOT_INTERVAL.toMillis()));
        c.send(ascii(Sse.HEAD + Sse.retry(2000) + Sse.frame("hello", hello)));
        c.send(ByteBuffer.wrap(Sse.bytes("snapshot", snapshot())));
        return true;
    }

    /** The subscriber on {@code c} went away (its connection closed). */
    void unsubscribe(Connection c) {
        subscribers.removeIf(s -> s.connection == c);
        if (subscribers.isEmpty()) {
            reactor.removeTraceTap(tap);
            if (timer != null) {
                timer.cancel();
                timer = null;
            }
            batch.setLength(0);
            batched = 0;
            skippedSinceReport = 0;
        }
    }

    // ------------------------------------------------------------------------------------------ events

    private void onEvent(TraceEvent e) {
        // The budget first: under load most events end here, at the cost of a counter (no parsing, no formatting).
        boolean routine = e.routine();
        if ((routine ? routineThisTick : edgesThisTick) >= MAX_EVENTS_PER_TICK) {
            skippedSinceReport++;
            skipped.increment();
            return;
        }
        long id = e.connectionId();
        if (id >= 0) {
            for (Subscriber s : subscribers) {
                if (s.connection.id() == id) {
                    return; // the feed's own writes: sending them would make more of them
                }
            }
        }
        if (routine) {
            routineThisTick++;
        } else {
            edgesThisTick++;
        }
        if (batched > 0) {
            batch.append(',');
        }
        DashboardJson.event(batch, System.currentTimeMillis(), e.kind(), id, e.text());
        batched++;
        if (!flushScheduled) {
            flushScheduled = true;
            reactor.execute(flushTask); // at the start of the next iteration: one message for this iteration's events
        }
    }

    private void flush() {
        flushScheduled = false;
        if (batched == 0) {
            return;
        }
        byte[] message = Sse.bytes("events", "[" + batch + "]");
        int count = batched;
        batch.setLength(0);
        batched = 0;
        for (Subscriber s : List.copyOf(subscribers)) {
            deliver(s, message, count, false);
        }
    }

    // --------------------------------------------------------------------------------------- snapshots

    private void tick() {
        timer = subscribers.isEmpty() ? null : reactor.schedule(SNAPSHOT_INTERVAL, "dashboard-snapshot", this::tick);
        flush();
        routineThisTick = 0;
        edgesThisTick = 0;
        byte[] snapshot = Sse.bytes("snapshot", snapshot());
        byte[] skippedNote = null;
        if (skippedSinceReport > 0) {
            skippedNote = Sse.bytes("skipped", "{\"events\":" + skippedSinceReport + ",\"maxPerSecond\":"
                    + MAX_EVENTS_PER_SECOND + "}");
            skippedSinceReport = 0;
        }
        for (Subscriber s : List.copyOf(subscribers)) {
            if (s.behind && s.connection.pendingBytes() <= maxPending / 4) {
                // It reads again: tell it what it missed, then start it over from this snapshot.
                s.behind = false;
                s.connection.send(ByteBuffer.wrap(Sse.bytes("dropped", "{\"events\":" + s.droppedEvents
                        + ",\"snapshots\":" + s.droppedSnapshots + "}")));
                s.droppedEvents = 0;
                s.droppedSnapshots = 0;
            }
            if (skippedNote != null) {
                deliver(s, skippedNote, 0, false);
            }
            deliver(s, snapshot, 1, true);
        }
    }

    /** Sends {@code message} unless the subscriber is, or now falls, behind: then counts what it missed. */
    private void deliver(Subscriber s, byte[] message, int events, boolean isSnapshot) {
        Connection c = s.connection;
        if (!s.behind && !c.canTake(message.length, maxPending)) {
            s.behind = true;
        }
        if (s.behind) {
            s.droppedEvents += events - (isSnapshot ? 1 : 0);
            s.droppedSnapshots += isSnapshot ? 1 : 0;
            dropped.add(events);
            return;
        }
        c.send(ByteBuffer.wrap(message));
    }

    private String snapshot() {
        Runtime rt = Runtime.getRuntime();
        return DashboardJson.snapshot(System.currentTimeMillis(), reactor.name(), reactor.stats(),
                reactor.connectionInfos(), new DashboardJson.Feed(subscribers.size(), skipped.value(), dropped.value()),
                rt.totalMemory() - rt.freeMemory(), rt.maxMemory());
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }
}
