package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerQueueTest {
    private final TimerQueue timers = new TimerQueue();
    private final List<String> fired = new ArrayList<>();

    private Timer add(long deadline, String name) {
        return timers.add(deadline, name, () -> fired.add(name));
    }

    private List<String> runDue(long now) {
        Timer t;
        while ((t = timers.pollDue(now)) != null) {
            t.task.run();
        }
        return fired;
    }

    @Test
    void anEmptyQueueHasNoDeadline() {
        assertThat(timers.nanosUntilNext(123)).isEqualTo(-1);
        assertThat(timers.pollDue(Long.MAX_VALUE)).isNull();
    }

    @Test
    void firesInDeadlineOrderRegardlessOfSchedulingOrder() {
        add(300, "c");
        add(100, "a");
        add(200, "b");
        assertThat(timers.nanosUntilNext(0)).isEqualTo(100);
        assertThat(runDue(99)).isEmpty();
        assertThat(runDue(100)).containsExactly("a");
        assertThat(timers.nanosUntilNext(150)).isEqualTo(50);
        assertThat(runDue(1000)).containsExactly("a", "b", "c");
        assertThat(timers.nanosUntilNext(1000)).isEqualTo(-1);
    }

    @Test
    void tiesFireInSchedulingOrder() {
        for (int i = 0; i < 20; i++) {
            add(500, "t" + i);
        }
        add(400, "early");
        List<String> expected = new ArrayList<>(List.of("early"));
        for (int i = 0; i < 20; i++) {
            expected.add("t" + i);
        }
        assertThat(runDue(500)).containsExactlyElementsOf(expected);
    }

    @Test
    void anOverdueTimerIsDueNowNotNegativelyLate() {
        add(100, "late");
        assertThat(timers.nanosUntilNext(5000)).isZero();
    }

    @Test
    void cancelledTimersNeitherFireNorShortenTheWait() {
        Timer first = add(100, "first");
        add(200, "second");
        Timer third = add(300, "third");
        first.cancel();
        third.cancel();
        assertThat(first.isPending()).isFalse();
        assertThat(timers.size()).as("a cancelled timer leaves the queue at once").isEqualTo(1);
        assertThat(timers.nanosUntilNext(0)).as("the cancelled head does not wake select early").isEqualTo(200);
        assertThat(runDue(1000)).containsExactly("second");
        assertThat(timers.nanosUntilNext(1000)).isEqualTo(-1);
        assertThat(timers.size()).isZero();
    }

    @Test
    void timersArmedAndCancelledOverAndOverDoNotPileUp() {
        // The write-stall timer's life: armed when output becomes pending, cancelled when it drains, many times a
        // second, each with a deadline a minute away.
        add(60_000_000_000L, "far");
        for (int i = 0; i < 100_000; i++) {
            add(60_000_000_000L + i, "stall").cancel();
        }
        assertThat(timers.size()).isEqualTo(1);
        assertThat(runDue(Long.MAX_VALUE / 2)).containsExactly("far");
    }

    @Test
    void cancellingFromTheMiddleKeepsTheHeapOrdered() {
        java.util.Random random = new java.util.Random(11);
        List<Timer> live = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            live.add(add(random.nextInt(10_000), "t" + i));
        }
        List<Timer> kept = new ArrayList<>();
        for (Timer t : live) {
            if (random.nextBoolean()) {
                t.cancel();
            } else {
                kept.add(t);
            }
        }
        assertThat(timers.size()).isEqualTo(kept.size());
        kept.sort((a, b) -> a.deadlineNanos != b.deadlineNanos ? Long.compare(a.deadlineNanos, b.deadlineNanos)
                : Long.compare(a.sequence, b.sequence));
        assertThat(runDue(10_000)).containsExactlyElementsOf(kept.stream().map(Timer::name).toList());
    }

    @Test
    void cancellingATimerThatAlreadyFiredDoesNothing() {
        Timer t = add(100, "once");
        assertThat(runDue(100)).containsExactly("once");
        t.cancel();
        add(200, "next");
        assertThat(runDue(200)).containsExactly("once", "next");
    }

    @Test
    void ordersCorrectlyAcrossTheNanoTimeWrapAround() {
        // System.nanoTime may be near Long.MAX_VALUE; deadlines past it wrap negative yet are later.
        long now = Long.MAX_VALUE - 50;
        add(now + 100, "after-wrap"); // negative as a long
        add(now + 10, "before-wrap");
        assertThat(timers.nanosUntilNext(now)).isEqualTo(10);
        assertThat(runDue(now + 10)).containsExactly("before-wrap");
        assertThat(runDue(now + 99)).containsExactly("before-wrap");
        assertThat(runDue(now + 100)).containsExactly("before-wrap", "after-wrap");
    }

    @Test
    void keepsOrderUnderManyRandomTimers() {
        java.util.Random random = new java.util.Random(7);
        List<long[]> scheduled = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            long deadline = random.nextInt(100);
            scheduled.add(new long[] {deadline, i});
            add(deadline, Integer.toString(i));
        }
        scheduled.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        assertThat(runDue(100)).containsExactlyElementsOf(scheduled.stream().map(s -> Long.toString(s[1])).toList());
    }
}
