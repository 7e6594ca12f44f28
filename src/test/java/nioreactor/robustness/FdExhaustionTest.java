package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Out of file descriptors (EMFILE from accept), for real: {@code serve} in a child JVM under
 * {@code prlimit --nofile=64}, and more clients than it has descriptors. A naive loop spins at 100% CPU here (the
 * backlog keeps the listener "ready" while accept keeps failing); nioreactor must pause accepting, stay near idle,
 * keep serving the connections it has, and serve new clients once descriptors free up.
 */
@Timeout(120)
class FdExhaustionTest {
    private static final int DESCRIPTORS = 64;
    private static final int CLIENTS = 150;
    private static final Duration WINDOW = Duration.ofSeconds(3);
    /**
     * A spinning loop burns the whole window (3 s of CPU in 3 s). Paused, the child does one failed accept per
     * back-off (1 s) and otherwise sleeps; the bound leaves room for a GC or a JIT compilation on a loaded box while
     * staying far below a spin.
     */
    private static final Duration CPU_BOUND = Duration.ofSeconds(1);

    /** {@code serve} as users run it, and a bare reactor (see {@link BareEchoMain}) with nothing else started. */
    @ParameterizedTest
    @ValueSource(strings = {"serve", "bare reactor"})
    void acceptingPausesWithoutSpinningAndResumesWhenDescriptorsFreeUp(String which, @TempDir Path dir)
            throws Exception {
        // No test is skipped: a machine without what it needs fails it, saying what is missing.
        assertThat(ChildServe.commandAvailable("prlimit"))
                .as("prlimit (util-linux) is installed: it gives the child server a low descriptor limit").isTrue();
        assertThat(Files.isDirectory(Path.of("/proc/self"))).as("needs /proc to read the child's CPU time").isTrue();
        List<EchoPeer> clients = new ArrayList<>();
        List<String> prlimit = List.of("prlimit", "--nofile=" + DESCRIPTORS + ":" + DESCRIPTORS);
        List<String> jvm = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        try (ChildServe child = which.equals("serve")
                ? ChildServe.start(dir, prlimit, jvm, "--tcp", "0", "--framed", "-1", "--udp", "-1")
                : ChildServe.startMain(dir, prlimit, jvm, BareEchoMain.class.getName(), List.of())) {
            InetSocketAddress server = child.tcpAddress();
            // Nothing is written or closed before the descriptors run out, on purpose: the JDK initialises its socket
            // write/close code lazily, opening a descriptor, and a server whose first write or close happens under
            // EMFILE used to lose its reactor for good (see Reactor's constructor).
            EchoPeer first = EchoPeer.connect(server);
            clients.add(first);

            for (int i = 1; i < CLIENTS; i++) {
                clients.add(EchoPeer.connect(server)); // the kernel completes these from the backlog
            }
            Eventually.until(() -> child.logLines("pausing accepts") > 0,
                    () -> "the WARN \"pausing accepts\"; log:\n" + child.log());
            assertThat(child.log()).contains("WARN").contains("Too many open files");

            Duration cpuBefore = child.cpuTime();
            Thread.sleep(WINDOW.toMillis()); // the measurement window: CPU used while saturated
            Duration cpu = child.cpuTime().minus(cpuBefore);
            assertThat(cpu).as("child CPU time during %s out of descriptors", WINDOW).isLessThan(CPU_BOUND);
            // A paused back-off is one WARN per second, not a storm.
            assertThat(child.logLines("pausing accepts")).isLessThan(20);

            roundTrip(first, "while out of descriptors"); // the connections it has are still served

            for (EchoPeer c : clients) {
                c.close();
            }
            clients.clear();
            try (EchoPeer late = EchoPeer.connect(server)) {
                roundTrip(late, "after the storm"); // waits in the backlog until accepting resumes
            }
            assertThat(child.log()).contains("accepting again").doesNotContain("ERROR");
        } finally {
            for (EchoPeer c : clients) {
                c.close();
            }
        }
    }

    private static void roundTrip(EchoPeer peer, String text) throws IOException {
        peer.send(text.getBytes());
        assertThat(new String(peer.read(text.length()))).isEqualTo(text.toUpperCase());
    }
}
