package nioreactor.reactor;

/**
 * How long one loop iteration's work took (tasks, dispatch and timers; not the time blocked in select), in fixed
 * buckets shaped for the Prometheus text format. Recording is an array increment, cheap enough to do every loop.
 */
public final class LoopHistogram {
    /** Upper bounds in microseconds; the last bucket (+Inf) is implicit. */
    public static final long[] BOUNDS_MICROS = {10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000, 100_000};

    private final long[] counts = new long[BOUNDS_MICROS.length + 1];
    private long sumNanos;

    void record(long nanos) {
        long micros = nanos / 1_000;
        int i = 0;
        while (i < BOUNDS_MICROS.length && micros > BOUNDS_MICROS[i]) {
            i++;
        }
        counts[i]++;
        sumNanos += nanos;
    }

    void copyFrom(LoopHistogram other) {
        System.arraycopy(other.counts, 0, counts, 0, counts.length);
        sumNanos = other.sumNanos;
    }

    /** Count in bucket {@code i} alone (not cumulative); {@code i == BOUNDS_MICROS.length} is +Inf. */
    public long count(int i) {
        return counts[i];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    public long sumNanos() {
        return sumNanos;
    }
}
