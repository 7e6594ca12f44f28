package nioreactor.reactor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * {@code serve --trace}: one compact line per reactor event, for people who want to watch the loop. Give one to
 * {@link Reactor.Builder#trace}: {@link #OFF} (the default), {@link #of of(true)} for the {@code nioreactor.trace}
 * logger, or {@link #to} for a sink of your own. The value given to the builder is immutable; any thread.
 *
 * <p>Besides the log, a reactor's trace can be <em>tapped</em> at run time ({@link Reactor#addTraceTap}): the
 * dashboard's event stream works that way, whether or not {@code --trace} is on. Each reactor therefore keeps its own
 * copy of the trace it was built with, and the copy's {@link #on} flag is true while the log is on <em>or</em> a tap is
 * registered.
 *
 * <p>Call sites guard with {@code if (trace.on)}: one plain field read, only ever written and read by the reactor
 * thread, so when nobody logs or taps, no argument is ever boxed and no line formatted. (The field used to be final;
 * HotSpot does not constant-fold instance finals anyway, so a plain field costs the same read. The 100-connection
 * benchmark with and without this change is in bench/RESULTS.md.)
 */
public final class Trace {
    /** No tracing: the default, and free. */
    public static final Trace OFF = new Trace(false, null);

    private static final Logger LOG = LoggerFactory.getLogger("nioreactor.trace");

    /** The log (or sink) is on: fixed at construction. */
    private final boolean logging;
    /** Where lines go instead of the logger (tests, demos); null means the "nioreactor.trace" logger. */
    private final Consumer<String> sink;
    /**
     * {@link #logging} or a tap is registered. Reactor-thread state: only a reactor's own copy ever has taps, and they
     * are added and removed on its thread, which is also the only reader.
     */
    boolean on;
    /** The taps, in registration order; an array so the event path iterates without an iterator. */
    private Consumer<TraceEvent>[] taps = noTaps();

    private Trace(boolean logging, Consumer<String> sink) {
        this.logging = logging;
        this.sink = sink;
        this.on = logging;
    }

    /**
     * Tracing to the {@code nioreactor.trace} logger at INFO when {@code on}, else {@link #OFF}.
     *
     * @param on whether to trace
     * @return a trace to the logger, or {@link #OFF}
     */
    public static Trace of(boolean on) {
        return on ? new Trace(true, null) : OFF;
    }

    /**
     * Tracing on, each line handed to {@code sink} on the reactor thread: lets a test or a demo read the trace.
     *
     * @param sink gets every line
     * @return a trace to {@code sink}
     */
    public static Trace to(Consumer<String> sink) {
        return new Trace(true, sink);
    }

    /** {@return true when this trace logs (or hands lines to a sink), taps aside} */
    public boolean logging() {
        return logging;
    }

    /** A reactor's own copy, which may get taps: {@link #OFF} and the builder's value stay untouched. */
    Trace forReactor() {
        return new Trace(logging, sink);
    }

    void addTap(Consumer<TraceEvent> tap) {
        List<Consumer<TraceEvent>> all = new ArrayList<>(List.of(taps));
        all.add(tap);
        taps = all.toArray(noTaps());
        on = true;
    }

    /** Returns whether {@code tap} was registered. */
    boolean removeTap(Consumer<TraceEvent> tap) {
        List<Consumer<TraceEvent>> all = new ArrayList<>(List.of(taps));
        boolean removed = all.remove(tap);
        taps = all.toArray(noTaps());
        on = logging || taps.length > 0;
        return removed;
    }

    int tapCount() {
        return taps.length;
    }

    @SuppressWarnings("unchecked")
    private static Consumer<TraceEvent>[] noTaps() {
        return (Consumer<TraceEvent>[]) new Consumer<?>[0];
    }

    void event(String format, Object... args) {
        if (logging) {
            if (sink == null) {
                LOG.info(format, args);
            } else {
                sink.accept(MessageFormatter.basicArrayFormat(format, args));
            }
        }
        Consumer<TraceEvent>[] current = taps;
        if (current.length > 0) {
            TraceEvent e = new TraceEvent(format, args);
            for (Consumer<TraceEvent> tap : current) {
                tap.accept(e);
            }
        }
    }
}
