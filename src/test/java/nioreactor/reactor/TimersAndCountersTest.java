package nioreactor.reactor;

import static nioreactor.reactor.RecordingHandler.WAIT_SECONDS;
import static nioreactor.reactor.RecordingHandler.started;
import static nioreactor.reactor.RecordingHandler.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Reactor#schedule} and {@link Timer}; {@link Reactor#counter} and {@link Reactor#gauge}. */
@Timeout(30)
class TimersAndCountersTest {
    private Reactor reactor;

    @BeforeEach
    void start() {
        reactor = started("timers");
    }

    @AfterEach
    void end() throws InterruptedException {
        stop(reactor);
    }

    @Test
    void aTimerScheduledFromAnotherThreadThroughExecuteFiresOnTheReactorThreadAfterItsDelay() throws Exception {
        Duration delay = Duration.ofMillis(150);
        AtomicLong scheduledAt = new AtomicLong();
        AtomicLong firedAt = new AtomicLong();
        AtomicReference<Thread> firedOn = new AtomicReference<>();
        AtomicReference<Timer> timer = new AtomicReference<>();
        List<Boolean> pendingSeen = new CopyOnWriteArrayList<>();
        CountDownLatch fired = new CountDownLatch(1);
        reactor.execute(() -> {
            scheduledAt.set(System.nanoTime());
            Timer t = reactor.schedule(delay, "test-timer", () -> {
                firedAt.set(System.nanoTime());
                firedOn.set(Thread.currentThread());
                pendingSeen.add(timer.get().isPending()); // while it runs, it has fired: no longer pending
                fired.countDown();
            });
            timer.set(t);
            pendingSeen.add(t.isPending());
        });
        assertThat(fired.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(firedAt.get() - scheduledAt.get()).as("at least the delay").isGreaterThanOrEqualTo(delay.toNanos());
        assertThat(firedOn.get().getName()).isEqualTo(reactor.name());
        assertThat(pendingSeen).containsExactly(true, false);
        assertThat(timer.get().name()).isEqualTo("test-timer");
        assertThat(reactor.submit(() -> timer.get().isPending()).get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
        reactor.submit(() -> {
            timer.get().cancel(); // cancelling a timer that already ran does nothing
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(reactor.stats().timersFired()).isEqualTo(1);
    }

    @Test
    void aCancelledTimerNeverFires() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch later = new CountDownLatch(1);
        boolean pendingAfterCancel = reactor.submit(() -> {
            Timer doomed = reactor.schedule(Duration.ofMillis(50), "doomed", () -> ran.add("doomed"));
            reactor.schedule(Duration.ofMillis(200), "later", () -> {
                ran.add("later");
                later.countDown();
            });
            doomed.cancel();
            doomed.cancel(); // twice is harmless
            return doomed.isPending();
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(pendingAfterCancel).isFalse();
        // The later timer's deadline is after the cancelled one's: had it not been cancelled, it would have run first.
        assertThat(later.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).containsExactly("later");
        assertThat(reactor.stats().timersFired()).isEqualTo(1);
    }

    @Test
    void scheduleOffTheReactorThreadIsRefused() {
        assertThatThrownBy(() -> reactor.schedule(Duration.ofMillis(1), "wrong-thread", () -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not on");
    }

    @Test
    void aTimerThatThrowsDoesNotEndTheLoop() throws Exception {
        CountDownLatch after = new CountDownLatch(1);
        reactor.execute(() -> {
            reactor.schedule(Duration.ofMillis(10), "throws", () -> {
                throw new IllegalStateException("a failing timer task (expected in this test)");
            });
            reactor.schedule(Duration.ofMillis(50), "after", after::countDown);
        });
        assertThat(after.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        ReactorStats stats = reactor.stats();
        assertThat(stats.handlerErrors()).isEqualTo(1);
        assertThat(stats.timersFired()).isEqualTo(2);
        assertThat(reactor.isRunning()).isTrue();
        // And a task that throws, likewise.
        reactor.execute(() -> {
            throw new IllegalStateException("a failing task (expected in this test)");
        });
        assertThat(reactor.submit(() -> "still here").get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("still here");
        assertThat(reactor.stats().handlerErrors()).isEqualTo(2);
    }

    @Test
    void aCounterRegisteredTwiceIsOneCounterAndShowsBesideTheGauge() throws Exception {
        Counter frames = reactor.counter("frames_total", "Frames answered.");
        Counter again = reactor.counter("frames_total", "Frames answered.");
        assertThat(again).isSameAs(frames);
        assertThat(frames.name()).isEqualTo("frames_total");
        AtomicLong members = new AtomicLong(3);
        reactor.gauge("members", "Members now.", members::get);
        reactor.submit(() -> {
            frames.increment();
            again.add(4);
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);

        ReactorStats stats = reactor.stats();
        assertThat(stats.services()).containsExactly(
                new ReactorStats.Sample("frames_total", "Frames answered.", false, 5),
                new ReactorStats.Sample("members", "Members now.", true, 3));
        assertThat(stats.service("frames_total")).isEqualTo(5);
        members.set(7);
        assertThat(reactor.stats().service("members")).isEqualTo(7);
        assertThatThrownBy(() -> stats.service("nope")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badOrClashingNamesAreRefused() {
        for (String bad : new String[] {"", "1st", "with-dash", "with space", "dot.ted", "ünï"}) {
            assertThatThrownBy(() -> reactor.counter(bad, "h")).as("counter " + bad)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> reactor.gauge(bad, "h", () -> 0)).as("gauge " + bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        reactor.gauge("a_gauge", "h", () -> 1);
        reactor.counter("a_counter", "h");
        assertThatThrownBy(() -> reactor.counter("a_gauge", "h")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reactor.gauge("a_gauge", "h", () -> 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> reactor.gauge("a_counter", "h", () -> 2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(reactor.stats().services()).extracting(ReactorStats.Sample::name)
                .containsExactly("a_gauge", "a_counter");
    }

    @Test
    void submitHandsBackTheTasksFailure() {
        assertThatThrownBy(() -> reactor.submit(() -> {
            throw new java.io.IOException("from the task");
        }).get(WAIT_SECONDS, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(java.io.IOException.class).hasMessage("from the task");
    }
}
