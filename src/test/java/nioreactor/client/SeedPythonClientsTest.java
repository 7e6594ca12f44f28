package nioreactor.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed tutorial's own Python clients, unchanged but for the port (see the top of each file under
 * {@code src/test/resources/seed/}), talk to our server; the TCP one also over AF_UNIX, with the family and a path
 * for the address. They loop on {@code input()} forever, so end of input makes
 * them die with {@code EOFError}: the test checks that exit and everything they printed before it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeedPythonClientsTest {
    private static final String UPPER_PROMPT = "请输入信息》》》:";
    private static final String TIME_PROMPT = "请输入》》";

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @TempDir
    Path dir;

    @BeforeAll
    static void needsPython() {
        // Fails rather than skips: python3 is part of what the tests need (CI has it), and a skipped test reads as
        // a gap nobody sees.
        assertThat(onPath("python3")).as("python3 is on the PATH: the seed's Python clients need it").isTrue();
    }

    @Test
    void theSeedsTcpClientGetsEachLineBackUpperCased() throws Exception {
        Finished run = run("upper_client.py", server.tcp(), "hello world\n\n   héllo 世界 abc  \n");
        String sent = "客户端已发送消息!\n";
        assertThat(run.out()).isEqualTo(UPPER_PROMPT + sent + "收到服务端发来的消息: HELLO WORLD\n"
                + UPPER_PROMPT + UPPER_PROMPT + sent + "收到服务端发来的消息: HéLLO 世界 ABC\n"
                + UPPER_PROMPT);
        assertEndedByEndOfInput(run);
    }

    @Test
    void theSeedsTcpClientOverAfUnixGetsEachLineBackUpperCased() throws Exception {
        // The tutorial's other family: the same client with AF_UNIX and a socket file's path for the address.
        Path sockets = UnixSockets.shortDir();
        try (Server unix = Server.start(ServerConfig.builder().tcpPort(-1).framedPort(-1).udpPort(-1)
                .unixTcpPath(sockets.resolve("upper.sock")).build())) {
            Finished run = run("upper_client_unix.py", unix.unixTcpPath().toString(), "hello world\n\n   héllo 世界 abc  \n");
            String sent = "客户端已发送消息!\n";
            assertThat(run.out()).isEqualTo(UPPER_PROMPT + sent + "收到服务端发来的消息: HELLO WORLD\n"
                    + UPPER_PROMPT + UPPER_PROMPT + sent + "收到服务端发来的消息: HéLLO 世界 ABC\n"
                    + UPPER_PROMPT);
            assertEndedByEndOfInput(run);
            assertThat(unix.stats().connectionsAcceptedUnix()).isEqualTo(1);
        } finally {
            UnixSockets.deleteTree(sockets);
        }
    }

    @Test
    void theSeedsUdpClientGetsTheTimeInEachFormat() throws Exception {
        Finished run = run("time_client.py", server.udp(), "%Y\n\n%H:%M:%S\n年%m月\n");
        assertThat(run.out()).isEqualTo(TIME_PROMPT + "2026\n"
                + TIME_PROMPT + "2026-03-14-15:09:26\n"
                + TIME_PROMPT + "15:09:26\n"
                + TIME_PROMPT + "年03月\n"
                + TIME_PROMPT);
        assertEndedByEndOfInput(run);
    }

    private record Finished(int status, String out, String err) {
    }

    /** The seed client's only way out: input() raising EOFError at end of input, an uncaught exception. */
    private static void assertEndedByEndOfInput(Finished run) {
        assertThat(run.err()).as("stderr").contains("EOFError");
        assertThat(run.status()).as(run.err()).isEqualTo(1);
    }

    private Finished run(String script, InetSocketAddress server, String stdin) throws IOException, InterruptedException {
        return run(script, Integer.toString(server.getPort()), stdin);
    }

    /** Runs {@code script} with {@code where} (a port, or a socket path) as its one argument. */
    private Finished run(String script, String where, String stdin) throws IOException, InterruptedException {
        Path code = dir.resolve(script);
        try (InputStream in = SeedPythonClientsTest.class.getResourceAsStream("/seed/" + script)) {
            assertThat(in).as("test resource seed/" + script).isNotNull();
            Files.copy(in, code);
        }
        Path input = Files.writeString(dir.resolve("stdin.txt"), stdin, StandardCharsets.UTF_8);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        ProcessBuilder builder = new ProcessBuilder("python3", code.toString(), where)
                .redirectInput(input.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // Whatever the machine's locale, the script reads and prints UTF-8 (the environment, not the code, changes).
        builder.environment().put("PYTHONIOENCODING", "utf-8");
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(script + " did not end within 60 s; stdout so far:\n" + Files.readString(out));
        }
        return new Finished(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, program))) {
                return true;
            }
        }
        return false;
    }
}
