package nioreactor.robustness;

import java.time.Duration;
import nioreactor.reactor.Limits;

/** {@link Limits} from the defaults with the one or two values a test is about changed. */
final class LimitsBuilder {
    private long highWater = Limits.DEFAULT_HIGH_WATER;
    private long lowWater = Limits.DEFAULT_LOW_WATER;
    private int readBudget = Limits.DEFAULT_READ_BUDGET;
    private int maxConnections = Limits.DEFAULT_MAX_CONNECTIONS;
    private int acceptBudget = Limits.DEFAULT_ACCEPT_BUDGET;
    private Duration acceptBackoff = Limits.DEFAULT_ACCEPT_BACKOFF;
    private Duration idleTimeout = Limits.DEFAULT_IDLE_TIMEOUT;
    private Duration lingerTimeout = Limits.DEFAULT_LINGER_TIMEOUT;

    static LimitsBuilder defaults() {
        return new LimitsBuilder();
    }

    LimitsBuilder waterMarks(long high, long low) {
        highWater = high;
        lowWater = low;
        return this;
    }

    LimitsBuilder readBudget(int v) {
        readBudget = v;
        return this;
    }

    LimitsBuilder maxConnections(int v) {
        maxConnections = v;
        return this;
    }

    LimitsBuilder acceptBudget(int v) {
        acceptBudget = v;
        return this;
    }

    LimitsBuilder idleTimeout(Duration v) {
        idleTimeout = v;
        return this;
    }

    Limits build() {
        return new Limits(highWater, lowWater, readBudget, maxConnections, acceptBudget, acceptBackoff, idleTimeout,
                lingerTimeout);
    }
}
