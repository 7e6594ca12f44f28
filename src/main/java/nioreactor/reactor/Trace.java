package nioreactor.reactor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --trace}: one compact line per reactor event, for people who want to watch the loop.
 *
 * <p>Call sites guard with {@code if (trace.on)}, a final field, so when tracing is off the JIT removes the branch and
 * no argument is ever boxed: zero cost on the hot path.
 */
public final class Trace {
    public static final Trace OFF = new Trace(false);

    private static final Logger LOG = LoggerFactory.getLogger("nioreactor.trace");

    public final boolean on;

    private Trace(boolean on) {
        this.on = on;
    }

    public static Trace of(boolean on) {
        return on ? new Trace(true) : OFF;
    }

    public void event(String format, Object... args) {
        LOG.info(format, args);
    }
}
