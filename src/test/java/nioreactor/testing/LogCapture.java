package nioreactor.testing;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Copies what is logged to System.err while open (slf4j-simple looks System.err up on every line), so a test can
 * count log lines, e.g. that a WARN is rate-limited. The surefire JVM logs WARN and above. Public so that tests of
 * other packages (the reactor's API tests) can assert that something was not logged.
 */
public final class LogCapture implements AutoCloseable {
    private final PrintStream original = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    public LogCapture() {
        OutputStream tee = new OutputStream() {
            @Override
            public void write(int b) {
                synchronized (captured) {
                    captured.write(b);
                }
                original.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (captured) {
                    captured.write(b, off, len);
                }
                original.write(b, off, len);
            }
        };
        System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
    }

    public long lines(String containing) {
        return matching(containing).size();
    }

    public List<String> matching(String containing) {
        String text;
        synchronized (captured) {
            text = captured.toString(StandardCharsets.UTF_8);
        }
        return text.lines().filter(l -> l.contains(containing)).toList();
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
