package nioreactor.reactor;

import java.util.function.Consumer;

/**
 * Test-only: a {@link ReactorStats} with chosen numbers, for tests of what renders a snapshot (the Prometheus text,
 * the stats table) without running a reactor. Lives in the reactor's package because the live counters are internal.
 */
public final class StatsFixture {
    /** The live counters, as far as a fixture sets them. */
    public static final class Values {
        private final Stats stats = new Stats();

        public Values connectionsActive(long v) {
            stats.connectionsActive = v;
            return this;
        }

        public Values bytesRead(long v) {
            stats.bytesRead = v;
            return this;
        }

        public Values closed(CloseReason reason, long v) {
            stats.closedByReason[reason.ordinal()] = v;
            return this;
        }

        public Values loopTime(long nanos) {
            stats.loopTime.record(nanos);
            return this;
        }

        public Values service(String name, boolean gauge, long value) {
            stats.services.add(new Stats.ServiceMetric(name, name + " help", gauge, () -> value));
            return this;
        }
    }

    private StatsFixture() {
    }

    public static ReactorStats snapshot(Consumer<Values> set) {
        Values v = new Values();
        set.accept(v);
        return new ReactorStats(v.stats);
    }

    public static ReactorStats empty() {
        return snapshot(v -> { });
    }
}
