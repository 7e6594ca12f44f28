package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import nioreactor.demo.Demo;
import nioreactor.demo.Demos;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command around the demos; what each demo shows is checked in nioreactor.demo.DemosTest. */
@Timeout(60)
class DemoCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int demo(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.run(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), all);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listNamesEveryDemo() {
        assertThat(demo("--list")).isZero();
        for (Demo d : Demos.ALL) {
            assertThat(out()).contains(d.name()).contains(d.summary());
        }
    }

    @Test
    void runsADemoByName() {
        assertThat(demo("udp-boundaries")).isZero();
        assertThat(out()).startsWith("=== demo udp-boundaries: ").contains("recvfrom(1) #1 -> 1 byte: b'h'").contains("Why:");
    }

    @Test
    void anUnknownOrMissingNameIsAUsageError() {
        assertThat(demo("nope")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no demo named 'nope'").contains("demo --list");
        assertThat(demo()).isEqualTo(2);
        assertThat(out()).contains("sticky");
    }
}
