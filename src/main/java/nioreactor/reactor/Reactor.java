package nioreactor.reactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread, one {@link Selector}, every channel: the event loop at the heart of nioreactor.
 *
 * <h2>The single-thread rule</h2>
 * Only the reactor thread touches the selector, the selection keys and the channels registered with it: it accepts,
 * reads, writes, registers and changes interest ops. Every other thread (a shutdown hook, a test, JMX) may only
 * {@link #execute} a small task, which the loop runs on its own thread, and wake the selector. Methods that need the
 * reactor thread say so and check it with {@code assert inReactorThread()}. Because of the rule, nothing here needs a
 * lock, and a connection's state can never change under the code that is looking at it.
 *
 * <h2>One iteration</h2>
 * <pre>
 *   run queued tasks  →  select (block until a channel is ready, a task arrives, or the next timer is due)
 *        ↑                         ↓
 *   run due timers   ←  dispatch each ready key to its handler
 * </pre>
 *
 * All state is per instance (no statics), so one JVM can run many reactors: tests start many servers, and a later
 * {@code --reactors N} is an addition, not a rewrite.
 */
public final class Reactor implements Executor {
    private static final Logger log = LoggerFactory.getLogger(Reactor.class);

    /** How {@code select} is called; a seam so a test can inject a selector that returns early (the epoll spin bug). */
    public interface SelectCall {
        SelectCall DEFAULT = (selector, action, timeoutMillis) -> timeoutMillis < 0
                ? selector.select(action)
                : timeoutMillis == 0 ? selector.selectNow(action) : selector.select(action, timeoutMillis);

        /** timeoutMillis: -1 block until woken, 0 do not block, else block at most that long. */
        int select(Selector selector, Consumer<SelectionKey> action, long timeoutMillis) throws IOException;
    }

    /** Most tasks run in one iteration, so a task that keeps enqueueing tasks cannot starve the channels. */
    private static final int MAX_TASKS_PER_LOOP = 1024;

    private final String name;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by the first {@link #execute} after the loop last looked, so a burst of tasks costs one wakeup syscall. */
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final TimerQueue timers = new TimerQueue();
    private final ByteBuffer readBuffer;
    private final ByteBuffer scratch;
    private final Consumer<SelectionKey> dispatcher = this::dispatch;
    private final SelectCall selectCall;
    private final int spinThreshold;
    private final Stats stats = new Stats();
    private final Trace trace;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    /** Volatile because {@link #execute} reads it from other threads to wake it, and a rebuild replaces it. */
    private volatile Selector selector;
    private volatile boolean running = true;
    /** Consecutive selects that returned nothing, early, for no reason: the spin guard's evidence. */
    private int prematureSelects;
    /** When this iteration's first handler ran: select(Consumer) dispatches inside the call. */
    private long firstDispatchNanos;
    private long selectStartNanos;
    private long nextConnectionId = 1;

    public Reactor(String name, int readBufferSize, Trace trace, SelectCall selectCall, int spinThreshold) {
        this.name = name;
        this.trace = trace;
        this.selectCall = selectCall;
        this.spinThreshold = spinThreshold;
        // One direct buffer for every read of every channel: a direct buffer is what the kernel copies into anyway
        // (a heap buffer would cost a second copy), and sharing it means an idle connection owns no buffer at all.
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
        // Room for a reply built from one full read plus a few bytes of framing carried over from the previous one.
        this.scratch = ByteBuffer.allocateDirect(readBufferSize + 64);
        try {
            this.selector = Selector.open();
            // The JDK initialises its socket-close code (sun.nio.ch.FileDispatcherImpl) on the first close of any
            // socket, and that initialiser opens a descriptor. If the first close happens while the process is out of
            // descriptors (EMFILE, just what the accept back-off is for), the class is broken for good, every later
            // close throws, and the loop dies. Closing one socket now, while descriptors are plentiful, avoids that
            // (other start-up code, e.g. the JDK reading cgroup files for JMX, may happen to do it first; nothing says so).
            SocketChannel.open().close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.thread = new Thread(this::loop, name);
    }

    public Reactor(String name) {
        this(name, 64 * 1024, Trace.OFF, SelectCall.DEFAULT, 512);
    }

    public void start() {
        if (started.compareAndSet(false, true)) {
            thread.start();
        }
    }

    public String name() {
        return name;
    }

    public boolean inReactorThread() {
        return Thread.currentThread() == thread;
    }

    // ---------------------------------------------------------------------------------------------- the loop

    private void loop() {
        log.debug("{} started", name);
        try {
            while (running) {
                long start = System.nanoTime();
                runTasks();
                long selectStart = System.nanoTime();
                long workStart = select(selectStart);
                long timersStart = System.nanoTime();
                runTimers(timersStart);
                stats.loops++;
                stats.loopTime.record((selectStart - start) + (System.nanoTime() - workStart));
            }
        } catch (Throwable t) {
            // Only a broken selector gets here (handlers' failures are caught in dispatch); say so loudly.
            log.error("{} stopped by an unexpected error", name, t);
        } finally {
            try {
                closeEverything();
            } finally {
                terminated.countDown();
                log.debug("{} stopped", name);
            }
        }
    }

    /**
     * Selects and dispatches. Returns when the work began (the first dispatch, or select's return when nothing was
     * ready), so the loop can time its own work apart from the time it spent blocked.
     */
    private long select(long now) throws IOException {
        wakeupPending.set(false); // from here on, a new task's execute() calls wakeup(), which makes select return
        firstDispatchNanos = 0;
        selectStartNanos = now;
        long timeoutMillis;
        if (!tasks.isEmpty() || !running) {
            timeoutMillis = 0; // when stopping, a pending timer (e.g. the shutdown deadline) must not hold the loop
        } else {
            long untilTimer = timers.nanosUntilNext(now);
            timeoutMillis = untilTimer < 0 ? -1 : untilTimer == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(untilTimer + 999_999));
        }
        if (trace.on && timeoutMillis != 0) {
            trace.event("select blocking ({})", timeoutMillis < 0 ? "no timer" : "timer in " + timeoutMillis + " ms");
        }
        int n = selectCall.select(selector, dispatcher, timeoutMillis);
        long returned = System.nanoTime();
        stats.selects++;
        if (n == 0) {
            stats.emptySelects++;
        }
        if (trace.on && (n > 0 || timeoutMillis != 0)) {
            trace.event("select -> {} ready after {} us", n, (returned - now) / 1_000);
        }
        guardAgainstSpin(n, timeoutMillis, returned - now);
        return firstDispatchNanos != 0 ? firstDispatchNanos : returned;
    }

    /**
     * The old JDK/epoll bug class: select keeps returning 0 at once although nothing is ready, nobody woke it and no
     * timer is due, and the loop burns a core. After {@code spinThreshold} such returns in a row, move every key to a
     * fresh selector, as Netty does.
     */
    private void guardAgainstSpin(int n, long timeoutMillis, long elapsedNanos) throws IOException {
        boolean premature = n == 0
                && timeoutMillis != 0
                && !wakeupPending.get()
                && (timeoutMillis < 0 || elapsedNanos < TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - 1_000_000);
        if (!premature) {
            prematureSelects = 0;
            return;
        }
        if (Thread.interrupted()) {
            return; // an interrupt also ends select early; that is not the bug
        }
        if (++prematureSelects >= spinThreshold) {
            log.warn("{}: select returned early {} times in a row with nothing ready; rebuilding the selector",
                    name, prematureSelects);
            rebuildSelector();
            prematureSelects = 0;
        }
    }

    private void dispatch(SelectionKey key) {
        if (firstDispatchNanos == 0) {
            firstDispatchNanos = System.nanoTime();
            if (trace.on) {
                // select(Consumer) runs the handlers inside the call: say the loop woke before their lines appear.
                trace.event("select woke after {} us", (firstDispatchNanos - selectStartNanos) / 1_000);
            }
        }
        IoHandler handler = (IoHandler) key.attachment();
        try {
            handler.ready(key.readyOps());
        } catch (Throwable t) {
            stats.handlerErrors++;
            try {
                handler.failed(t);
            } catch (Throwable again) {
                // Even cleaning up failed (out of memory while logging, say): the loop must still go on.
                log.error("{}: a handler's failure handling failed too", name, again);
            }
        }
    }

    private void runTasks() {
        for (int i = 0; i < MAX_TASKS_PER_LOOP; i++) {
            Runnable task = tasks.poll();
            if (task == null) {
                return;
            }
            stats.tasksRun++;
            runGuarded(task, "task");
        }
    }

    private void runTimers(long now) {
        Timer due;
        while ((due = timers.pollDue(now)) != null) {
            stats.timersFired++;
            if (trace.on) {
                trace.event("timer {} fired", due.name);
            }
            runGuarded(due.task, due.name);
        }
    }

    private void runGuarded(Runnable r, String what) {
        try {
            r.run();
        } catch (Throwable t) {
            stats.handlerErrors++;
            log.warn("{}: {} failed; the loop goes on", name, what, t);
        }
    }

    // ------------------------------------------------------------------------- for handlers (reactor thread)

    /** Registers a channel (made non-blocking here) with this reactor's selector. Reactor thread only. */
    public SelectionKey register(SelectableChannel channel, int ops, IoHandler handler) throws IOException {
        assert inReactorThread() : "register off the reactor thread";
        channel.configureBlocking(false);
        return channel.register(selector, ops, handler);
    }

    /** Runs {@code task} on the reactor thread after {@code delay}. Reactor thread only. */
    public Timer schedule(Duration delay, String timerName, Runnable task) {
        return scheduleAt(System.nanoTime() + delay.toNanos(), timerName, task);
    }

    /** Runs {@code task} on the reactor thread at {@code deadlineNanos} ({@link System#nanoTime()} scale). */
    public Timer scheduleAt(long deadlineNanos, String timerName, Runnable task) {
        assert inReactorThread() : "timers are reactor-thread state";
        return timers.add(deadlineNanos, timerName, task);
    }

    /** The shared read buffer: valid only until the handler that read into it returns. */
    public ByteBuffer readBuffer() {
        assert inReactorThread();
        return readBuffer;
    }

    /** A second shared buffer, for a reply built from the read buffer's bytes; same lifetime rule. */
    public ByteBuffer scratch() {
        assert inReactorThread();
        return scratch;
    }

    public Stats stats() {
        assert inReactorThread() : "read stats through call(stats()::copy) from other threads";
        return stats;
    }

    public Trace trace() {
        return trace;
    }

    public long nextConnectionId() {
        return nextConnectionId++;
    }

    /** The handlers of every registered channel. Reactor thread only. */
    public List<IoHandler> handlers() {
        assert inReactorThread();
        List<IoHandler> all = new ArrayList<>();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {
                all.add((IoHandler) key.attachment());
            }
        }
        return all;
    }

    // ---------------------------------------------------------------------------------- for any thread

    /** Runs {@code task} on the reactor thread soon. Any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inReactorThread() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the reactor thread and hands back its result. Any thread. */
    public <T> CompletableFuture<T> call(Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        if (!running) {
            result.completeExceptionally(new IllegalStateException(name + " is stopped"));
        }
        return result;
    }

    /** Ends the loop after the current iteration and closes every channel still registered. Any thread. */
    public void stop() {
        execute(() -> running = false);
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isRunning() {
        return running && terminated.getCount() > 0;
    }

    // ---------------------------------------------------------------------------------------- internals

    /** Moves every valid key to a new selector. Public so a test can call it through {@link #execute}. */
    public void rebuildSelector() throws IOException {
        assert inReactorThread();
        Selector old = selector;
        Selector fresh = Selector.open();
        int moved = 0;
        for (SelectionKey key : old.keys()) {
            if (!key.isValid()) {
                continue;
            }
            IoHandler handler = (IoHandler) key.attachment();
            int ops = key.interestOps();
            key.cancel();
            try {
                handler.rekeyed(key.channel().register(fresh, ops, handler));
                moved++;
            } catch (ClosedChannelException e) {
                handler.forceClose();
            }
        }
        selector = fresh;
        old.close();
        stats.selectorRebuilds++;
        log.info("{}: selector rebuilt, {} channels moved", name, moved);
    }

    private void closeEverything() {
        for (SelectionKey key : selector.keys()) {
            try {
                ((IoHandler) key.attachment()).forceClose();
            } catch (Throwable e) {
                log.debug("{}: closing {} failed", name, key.channel(), e);
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("{}: closing the selector failed", name, e);
        }
        running = false;
        Runnable leftover;
        while ((leftover = tasks.poll()) != null) {
            runGuarded(leftover, "task after stop");
        }
    }
}
