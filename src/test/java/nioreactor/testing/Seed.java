package nioreactor.testing;

import java.util.Random;

/**
 * The seed of a test's random data. Fixed by default, so a run is repeatable; {@code -Dnioreactor.seed=N} explores
 * other data. Put it in every failure message ({@link #toString()} says how to rerun with it).
 */
public record Seed(long value) {

    public static Seed orDefault(long defaultSeed) {
        return new Seed(Long.getLong("nioreactor.seed", defaultSeed));
    }

    /** An independent stream for one participant (a connection, a thread): same seed and stream, same numbers. */
    public Random random(int stream) {
        return new Random(value * 1_000_003L + stream);
    }

    @Override
    public String toString() {
        return "seed " + value + " (rerun with -Dnioreactor.seed=" + value + ")";
    }
}
