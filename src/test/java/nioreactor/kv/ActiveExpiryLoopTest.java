package nioreactor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import org.junit.jupiter.api.Test;

/**
 * A million keys expiring at the same moment are reclaimed by the active expiry cycle without stalling the loop.
 *
 * <p>The bars, on the loop-time histogram's buckets: no iteration above 50 ms (except one per garbage collection
 * that happened meanwhile, see below), and at least 95% of them at 5 ms or less. Each expiry run stops after {@link ActiveExpiry#BUDGET} (1 ms, checked every few dozen deletions), so
 * iterations stay in the 1-5 ms bucket; deleting the million keys in one go takes 700-1,000 ms here, so the first
 * bar fails any unbounded sweep by more than ten times, and the second fails a budget that is not kept. Why not
 * "none above 10 ms": on this 2-core machine with other builds running (load average 8), the scheduler alone put
 * one iteration in three runs between 10 and 50 ms (measured: 0-1 per run, out of about 300); the histogram counts
 * wall time, preemption included, and a test that fails on a busy machine tells nothing about the code.
 */
class ActiveExpiryLoopTest {
    private static final int KEYS = 1_000_000;
    private static final long NEVER_ABOVE_MICROS = 50_000;
    private static final long USUALLY_WITHIN_MICROS = 5_000;
    private static final double USUALLY_SHARE = 0.95;

    private static long collections() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    @Test
    void aMillionKeysExpiringAtOnceNeverStallTheLoop() throws Exception {
        Reactor reactor = Reactor.builder().name("kv-expiry-test").build();
        reactor.start();
        try {
            AtomicLong clock = new AtomicLong(1_700_000_000_000L);
            KvService service = KvService.start(reactor, KvSettings.DEFAULTS.withoutMemoryLimit(), Limits.DEFAULTS, clock::get);
            long expiry = clock.get() + 1_000;
            byte[] value = new byte[16];
            for (int start = 0; start < KEYS; start += 20_000) {
                int from = start;
                reactor.submit(() -> {
                    for (int i = from; i < from + 20_000; i++) {
                        byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
                        service.store().put(key, 0, key.length, value, 0, value.length, expiry);
                    }
                    return null;
                }).get(30, TimeUnit.SECONDS);
            }
            assertThat(reactor.submit(() -> service.store().volatileCount()).get(30, TimeUnit.SECONDS)).isEqualTo(KEYS);

            // A server's keys are old: promote the million just made, so that the first young collection during the
            // measurement does not have to copy them all (a 100+ ms pause in the full suite), which would be the
            // test's doing, not the expiry cycle's.
            System.gc();
            ReactorStats before = reactor.stats();
            long gcBefore = collections();
            long started = System.nanoTime();
            clock.addAndGet(2_000); // every key is now expired
            int left = KEYS;
            while (left > 0 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(60)) {
                Thread.sleep(20);
                left = reactor.submit(() -> service.store().size()).get(30, TimeUnit.SECONDS);
            }
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            ReactorStats after = reactor.stats();
            long gcPauses = collections() - gcBefore;

            assertThat(left).as("keys not reclaimed after %d ms", tookMillis).isZero();
            List<Long> bounds = ReactorStats.LOOP_TIME_BOUNDS_MICROS;
            StringBuilder histogram = new StringBuilder();
            long overBar = 0;
            long within = 0;
            long all = 0;
            for (int i = 0; i <= bounds.size(); i++) {
                long n = after.loopTimeCount(i) - before.loopTimeCount(i);
                histogram.append(i < bounds.size() ? "<=" + bounds.get(i) + "us" : "+Inf").append(": ").append(n).append("  ");
                all += n;
                if (i == bounds.size() || bounds.get(i) > NEVER_ABOVE_MICROS) {
                    overBar += n;
                } else if (bounds.get(i) <= USUALLY_WITHIN_MICROS) {
                    within += n;
                }
            }
            System.out.println("reclaimed " + KEYS + " keys in " + tookMillis + " ms; " + gcPauses
                    + " GC pauses meanwhile; loop iterations " + histogram);
            // A stop-the-world collection stretches whichever iteration it lands in; that is the JVM's pause, not the
            // expiry cycle's, so each pause may excuse one iteration, and only one.
            assertThat(overBar).as("iterations over %d us (%d GC pauses): %s", NEVER_ABOVE_MICROS, gcPauses, histogram)
                    .isLessThanOrEqualTo(gcPauses);
            assertThat((double) within / all).as("share of iterations within %d us: %s", USUALLY_WITHIN_MICROS, histogram)
                    .isGreaterThanOrEqualTo(USUALLY_SHARE);
            assertThat(after.service("kv_expired_keys")).isEqualTo(KEYS);
        } finally {
            reactor.stop();
            reactor.awaitTermination(java.time.Duration.ofSeconds(10));
        }
    }
}
