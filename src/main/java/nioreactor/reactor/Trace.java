package nioreactor.reactor;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * {@code serve --trace}: one compact line per reactor event, for people who want to watch the loop. Give one to
 * {@link Reactor.Builder#trace}: {@link #OFF} (the default), {@link #of of(true)} for the {@code nioreactor.trace}
 * logger, or {@link #to} for a sink of your own. Immutable; any thread.
 *
 * <p>Call sites guard with {@code if (trace.on)}, a final field, so when tracing is off the JIT removes the branch and
 * no argument is ever boxed: zero cost on the hot path.
 */
public final class Trace {
    /** No tracing: the default, and free. */
    public static final Trace OFF = new Trace(false, null);

    private static final Logger LOG = LoggerFactory.getLogger("nioreactor.trace");

    final boolean on;
    /** Where lines go instead of the logger (tests, demos); null means the "nioreactor.trace" logger. */
    private final Consumer<String> sink;

    private Trace(boolean on, Consumer<String> sink) {
        this.on = on;
        this.sink = sink;
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

    void event(String format, Object... args) {
        if (sink == null) {
            LOG.info(format, args);
        } else {
            sink.accept(MessageFormatter.basicArrayFormat(format, args));
        }
    }
}
