package nioreactor.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import nioreactor.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code compare} runs through the real command line and prints its table. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompareCommandTest {

    @Test
    void printsATableForBothServers() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "compare", "--conns", "4", "--seconds", "1");
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(printed).contains("| server", "req/s", "p50 (us)", "p99 (us)", "server threads", "heap used");
        assertThat(printed).contains("| nioreactor ", "| blocking (thread per connection)");
        assertThat(printed).contains("requests measured"); // the progress line
    }

    @Test
    void rejectsBadOptions() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8), "compare", "--conns", "0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("connections");
    }
}
