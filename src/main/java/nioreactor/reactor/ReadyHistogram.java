package nioreactor.reactor;

import java.util.List;

/**
 * How many keys each select returned ready, in a few fixed buckets: what "select woke for 3 keys" looks like over
 * time. Recording is a short scan and an array increment, once per select.
 */
final class ReadyHistogram {
    /** Inclusive upper bounds; the last bucket (more than 64) is implicit. */
    static final List<Integer> BOUNDS = List.of(0, 1, 2, 3, 4, 8, 16, 64);
    private static final int[] B = BOUNDS.stream().mapToInt(Integer::intValue).toArray();

    final long[] counts = new long[B.length + 1];
    long sum;

    void record(int ready) {
        int i = 0;
        while (i < B.length && ready > B[i]) {
            i++;
        }
        counts[i]++;
        sum += ready;
    }
}
