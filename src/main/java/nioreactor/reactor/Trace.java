package nioreactor.reactor;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * {@code serve --trace}: one compact line per reactor event, for people who want to watch the loop.
 *
 * <p>Call sites guard with {@code if (trace.on)}, a final field, so when tracing is off the JIT removes the branch and
 * no argument is ever boxed: zero cost on the hot path.
 */
public final class Trace {
    public static final Trace OFF = new Trace(false, null);

    private static final Logger LOG = LoggerFactory.getLogger("nioreactor.trace");

    public final boolean on;
    /** Where lines go instead of the logger (tests, demos); null means the "nioreactor.trace" logger. */
    private final Consumer<String> sink;

    private Trace(boolean on, Consumer<String> sink) {
        this.on = on;
        this.sink = sink;
    }

    public static Trace of(boolean on) {
        return on ? new Trace(true, null) : OFF;
    }

    /** Tracing on, each line handed to {@code sink} on the reactor thread: lets a test or a demo read the trace. */
    public static Trace to(Consumer<String> sink) {
        return new Trace(true, sink);
    }

    public void event(String format, Object... args) {
        if (sink == null) {
            LOG.info(format, args);
        } else {
            sink.accept(MessageFormatter.basicArrayFormat(format, args));
        }
    }
}
