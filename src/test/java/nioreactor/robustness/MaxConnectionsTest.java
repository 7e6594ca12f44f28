package nioreactor.robustness;

import nioreactor.reactor.Limits;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.ReactorStats;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.LogCapture;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Over {@code --max-connections}: a connection is accepted and closed at once (the client reads EOF instead of
 * hanging in the backlog), counted, and the WARN about it is rate-limited to one a second.
 */
@Timeout(60)
class MaxConnectionsTest {
    /** The server under test's settings; the two-reactor variants ({@code TwoReactorsTest}) add theirs. */
    ServerConfig.Builder config() {
        return ServerConfig.builder();
    }

    private static final int MAX = 5;
    private static final int EXTRA = 30;
    private static final Pattern REFUSED = Pattern.compile("(\\d+) connection\\(s\\) refused");

    @Test
    void connectionsOverTheLimitAreClosedAtOnceCountedAndLoggedSparingly() throws Exception {
        Server server = Server.start(config().ephemeralPorts().framedPort(-1).udpPort(-1)
                .limits(Limits.DEFAULTS.withMaxConnections(MAX)).build());
        List<EchoPeer> held = new ArrayList<>();
        try (LogCapture log = new LogCapture()) {
            for (int i = 0; i < MAX; i++) {
                EchoPeer peer = EchoPeer.connect(server.tcpAddress());
                held.add(peer);
                roundTrip(peer);
            }
            long start = System.nanoTime();
            for (int i = 0; i < EXTRA; i++) {
                try (EchoPeer extra = EchoPeer.connect(server.tcpAddress())) {
                    assertThat(extra.ended()).as("over the limit: closed at once").isTrue();
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;

            ReactorStats stats = server.stats();
            assertThat(stats.connectionsRejected()).isEqualTo(EXTRA);
            assertThat(stats.closed(CloseReason.LIMIT)).isEqualTo(EXTRA);
            assertThat(stats.connectionsActive()).isEqualTo(MAX);
            long warnings = log.lines("connection(s) refused");
            assertThat(warnings).as("WARN lines for %d rejections in %.1f s", EXTRA, seconds)
                    .isBetween(1L, 1 + (long) Math.ceil(seconds));
            for (EchoPeer peer : held) {
                roundTrip(peer); // the ones under the limit are unaffected
            }
            // The rate limit delays the report of a burst's tail, never loses it: within a second or so of the
            // last rejection, the WARN lines account for every one of them.
            Eventually.until(() -> refusedInLog(log) == EXTRA, () -> "WARN lines report " + refusedInLog(log)
                    + " of " + EXTRA + " rejections: " + log.matching("connection(s) refused"));

            held.remove(0).close();
            Eventually.until(() -> server.stats().connectionsActive() == MAX - 1, () -> "one slot freed");
            try (EchoPeer next = EchoPeer.connect(server.tcpAddress())) {
                roundTrip(next);
            }
        } finally {
            for (EchoPeer p : held) {
                p.close();
            }
            server.close();
        }
    }


    private static long refusedInLog(LogCapture log) {
        long total = 0;
        for (String line : log.matching("connection(s) refused")) {
            Matcher m = REFUSED.matcher(line);
            if (m.find()) {
                total += Long.parseLong(m.group(1));
            }
        }
        return total;
    }

    private static void roundTrip(EchoPeer peer) throws IOException {
        peer.send("hi".getBytes());
        assertThat(new String(peer.read(2))).isEqualTo("HI");
    }
}
