package nioreactor.reactor;

import java.util.List;

/**
 * How long one loop iteration's work took (tasks, dispatch and timers; not the time blocked in select), in fixed
 * buckets shaped for the Prometheus text format. Recording is an array increment, cheap enough to do every loop.
 */
final class LoopHistogram {
    /** Upper bounds in microseconds; the last bucket (+Inf) is implicit. */
    static final List<Long> BOUNDS_MICROS = List.of(10L, 50L, 100L, 500L, 1_000L, 5_000L, 10_000L, 50_000L, 100_000L);
    private static final long[] BOUNDS = BOUNDS_MICROS.stream().mapToLong(Long::longValue).toArray();

    final long[] counts = new long[BOUNDS.length + 1];
    long sumNanos;

    void record(long nanos) {
        long micros = nanos / 1_000;
        int i = 0;
        while (i < BOUNDS.length && micros > BOUNDS[i]) {
            i++;
        }
        counts[i]++;
        sumNanos += nanos;
    }
}
