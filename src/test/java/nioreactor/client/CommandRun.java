package nioreactor.client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import nioreactor.cli.Main;
import nioreactor.cli.Terminal;

/**
 * One run of the real command line ({@link Main#run}) with a scripted standard input and captured standard output and
 * error, everything UTF-8.
 */
public record CommandRun(int status, String out, String err) {

    public static CommandRun of(String stdin, String... args) {
        return of(stdin, false, args);
    }

    /** As if a person typed {@code stdin} at a terminal ({@code interactive}) or it came from a pipe. */
    public static CommandRun of(String stdin, boolean interactive, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            int status = Main.run(new Terminal(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e,
                    interactive), args);
            return new CommandRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** The port of {@code address} as a command-line argument, e.g. for {@code --port}. */
    public static String port(java.net.InetSocketAddress address) {
        return Integer.toString(address.getPort());
    }

    @Override
    public String toString() {
        return "exit " + status + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
}
