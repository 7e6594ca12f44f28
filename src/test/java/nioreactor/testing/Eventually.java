package nioreactor.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition that another thread (the reactor) will make true, by polling it with a deadline. Used only
 * where there is no event to wait on (e.g. a server-side counter), never to "give the server time".
 */
public final class Eventually {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private Eventually() {
    }

    /** Returns as soon as {@code condition} holds; fails with {@code description()} when the deadline passes. */
    public static void until(BooleanSupplier condition, Supplier<String> description) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not true within " + DEADLINE.toSeconds() + " s: " + description.get());
            }
            Thread.sleep(10);
        }
    }
}
