package nioreactor.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The streams a command talks through. {@code main} passes the real ones; tests pass their own, so every command is
 * driven through its real code with a scripted stdin and a captured stdout and stderr.
 *
 * @param interactive whether stdin is a terminal (the client prompts only then)
 */
public record Terminal(InputStream in, PrintStream out, PrintStream err, boolean interactive) {

    public static Terminal system() {
        return new Terminal(System.in, System.out, System.err, System.console() != null);
    }
}
