package nioreactor.demo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import nioreactor.reactor.Trace;

/**
 * A {@link LoopbackReactor} whose {@code --trace} lines are kept in memory instead of logged, so a demo (or a test)
 * can show and check exactly what the loop did with its sockets.
 */
public final class TracedReactor extends LoopbackReactor {
    private final Lines lines;

    public TracedReactor(String name) {
        this(name, new Lines());
    }

    private TracedReactor(String name, Lines lines) {
        super(name, Trace.to(lines::add));
        this.lines = lines;
    }

    /** Every trace line so far. */
    public List<String> lines() {
        return lines.all();
    }

    /** Waits until a trace line matches; returns it. */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException, TimeoutException {
        return lines.await(match, timeout);
    }

    /** The lines about connection {@code id} ("#3"), in order: its story from accept to close. */
    public List<String> linesOf(long id) {
        String tag = "#" + id;
        return lines().stream().filter(l -> l.matches(".*" + tag + "\\b.*")).toList();
    }

    /** The trace sink: written by the reactor thread, read by the demo's. */
    private static final class Lines {
        private final List<String> lines = new ArrayList<>();

        synchronized void add(String line) {
            lines.add(line);
            notifyAll();
        }

        synchronized List<String> all() {
            return List.copyOf(lines);
        }

        synchronized String await(Predicate<String> match, Duration timeout)
                throws InterruptedException, TimeoutException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int checked = 0;
            while (true) {
                for (; checked < lines.size(); checked++) {
                    if (match.test(lines.get(checked))) {
                        return lines.get(checked);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("no trace line matched within " + timeout.toMillis()
                            + " ms; last lines: " + lines.subList(Math.max(0, lines.size() - 5), lines.size()));
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }
}
