package nioreactor.demo;

import java.io.PrintStream;

/**
 * One experiment of the seed tutorial, run for real on loopback sockets: it starts what it needs on ephemeral ports,
 * prints what happened with concrete numbers, ends with a short explanation naming the seed's term, and leaves
 * nothing running.
 */
public interface Demo {

    /** What {@code demo NAME} calls it. */
    String name();

    /** One line for {@code demo --list}. */
    String summary();

    void run(PrintStream out) throws Exception;
}
