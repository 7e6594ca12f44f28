package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nioreactor.client.FramedClient;
import nioreactor.client.UpperClient;
import nioreactor.metrics.PrometheusText;
import nioreactor.reactor.ConnectionInfo;
import nioreactor.testing.Eventually;
import nioreactor.testing.UnixSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve --unix-tcp / --unix-framed / --unix-mode} as a {@link Server}: the files, their mode, the metrics. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixListenersTest {
    private Path dir;

    @BeforeEach
    void makeDir() {
        dir = UnixSockets.shortDir();
    }

    @AfterEach
    void removeDir() {
        UnixSockets.deleteTree(dir);
    }

    private ServerConfig.Builder unixOnly() {
        return ServerConfig.builder().tcpPort(-1).framedPort(-1).udpPort(-1)
                .unixTcpPath(dir.resolve("upper.sock")).unixFramedPath(dir.resolve("framed.sock"));
    }

    @Test
    void bothEchoesAnswerOverUnixAndTheFilesGetMode0660ByDefault() throws Exception {
        try (Server server = Server.start(unixOnly().build())) {
            assertThat(server.unixTcpPath()).isEqualTo(dir.resolve("upper.sock"));
            for (Path p : new Path[] {server.unixTcpPath(), server.unixFramedPath()}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).as(p.toString())
                        .isEqualTo("rw-rw----");
            }
            try (UpperClient upper = UpperClient.connect(UnixDomainSocketAddress.of(server.unixTcpPath()));
                 FramedClient framed = FramedClient.connect(UnixDomainSocketAddress.of(server.unixFramedPath()))) {
                assertThat(upper.send(bytes("hello unix"))).isEqualTo(bytes("HELLO UNIX"));
                assertThat(framed.send(bytes("framed too"))).isEqualTo(bytes("FRAMED TOO"));
                assertThat(upper.remoteAddress()).isEqualTo(UnixDomainSocketAddress.of(server.unixTcpPath()));
                // Every connection says which family it is: /metrics splits out the AF_UNIX ones.
                Eventually.until(() -> server.stats().connectionsActiveUnix() == 2, () -> "two unix connections");
                assertThat(server.reactor().connectionInfos()).extracting(ConnectionInfo::peer)
                        .containsExactlyInAnyOrder("unix " + server.unixTcpPath(), "unix " + server.unixFramedPath());
                Map<String, Double> metrics = PrometheusText.parse(PrometheusText.render(server.stats()));
                assertThat(metrics).containsEntry("nioreactor_connections_active_unix", 2.0)
                        .containsEntry("nioreactor_connections_accepted_unix_total", 2.0)
                        .containsEntry("nioreactor_connections_active", 2.0);
            }
        }
        assertThat(dir.resolve("upper.sock")).as("removed on shutdown").doesNotExist();
        assertThat(dir.resolve("framed.sock")).as("removed on shutdown").doesNotExist();
    }

    @Test
    void unixModeSetsThePermissionsOfTheFiles() throws Exception {
        try (Server server = Server.start(unixOnly().unixMode("rw-------").build())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.unixTcpPath())))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void aSecondServerOnTheSamePathFailsNamingItAndLeavesTheFirstAlone() throws Exception {
        try (Server first = Server.start(unixOnly().build())) {
            assertThatThrownBy(() -> Server.start(unixOnly().unixFramedPath(null).build()))
                    .isInstanceOfSatisfying(ServiceBindException.class, e -> {
                        assertThat(e.protocol()).isEqualTo("unix");
                        assertThat(e.path()).isEqualTo(first.unixTcpPath());
                        assertThat(e.getMessage()).isEqualTo("cannot bind upper-echo to unix " + first.unixTcpPath()
                                + ": another server is listening there; not removing it");
                    });
            try (UpperClient upper = UpperClient.connect(UnixDomainSocketAddress.of(first.unixTcpPath()))) {
                assertThat(upper.send(bytes("still mine"))).isEqualTo(bytes("STILL MINE"));
            }
        }
    }

    @Test
    void aFailedStartRemovesTheSocketFilesItHadAlreadyCreated() throws Exception {
        Path missing = dir.resolve("nowhere/framed.sock");
        assertThatThrownBy(() -> Server.start(unixOnly().unixFramedPath(missing).build()))
                .isInstanceOf(ServiceBindException.class)
                .hasMessage("cannot bind framed-echo to unix " + missing + ": directory " + missing.getParent()
                        + " does not exist");
        Eventually.until(() -> !Files.exists(dir.resolve("upper.sock")), () -> "upper.sock removed again");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
