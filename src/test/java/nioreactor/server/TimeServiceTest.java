package nioreactor.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.TimeFormat;
import nioreactor.reactor.ReactorStats;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The seed's UDP time service over a real socket, with a fixed clock so replies can be compared exactly. The
 * expected strings come from CPython: {@code TZ=America/New_York python3 -c 'import time;
 * print(time.strftime(FMT, time.localtime(1710057570)))'} (the morning New York moved to daylight saving time).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TimeServiceTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_710_057_570L); // 2024-03-10T07:59:30Z
    private static final ZoneId ZONE = ZoneId.of("America/New_York");

    private Server server;
    private DatagramSocket client;

    @BeforeEach
    void start() throws Exception {
        server = Server.start(ServerConfig.builder().ephemeralPorts().clock(InstantSource.fixed(NOW)).zone(ZONE).build());
        client = Loopback.udp();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    private String ask(byte[] request) throws Exception {
        return new String(Loopback.ask(client, server.udpAddress(), request), UTF_8);
    }

    private String ask(String format) throws Exception {
        return ask(format.getBytes(UTF_8));
    }

    @Test
    void anEmptyDatagramGetsTheDefaultFormat() throws Exception {
        assertThat(ask(new byte[0])).isEqualTo("2024-03-10-03:59:30");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "%Y-%m-%d-%X       | 2024-03-10-03:59:30",
            "%c                | Sun Mar 10 03:59:30 2024",
            "%A %d %B %Y       | Sunday 10 March 2024",
            "%H:%M:%S %Z %z    | 03:59:30 EDT -0400",
            "%s                | 1710057570",
            "%j %U %W %V %G    | 070 10 10 10 2024",
            "%-d/%-m/%y %I %p  | 10/3/24 03 AM",
            "\"%e,%k,%l\"      | \"10, 3, 3\"",
            "time: 100%%       | time: 100%",
            "日付 %F            | 日付 2024-03-10"})
    void formatsAreAnsweredLikePythonStrftime(String format, String python) throws Exception {
        assertThat(ask(format)).isEqualTo(python);
        assertThat(TimeFormat.compile(format).format(NOW, ZONE)).as("the pure formatter agrees").isEqualTo(python);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "invalid UTF-8    | c328",
            "invalid UTF-8    | ff",
            "truncated UTF-8  | 25592de2",
            "unknown          | 25512025",
            "unknown          | 61626320254a",
            "lone trailing %  | 25592d25",
            "lone trailing %  | 25",
            "embedded NUL     | 25590025",
            "huge width       | 2539393939395926"})
    void badInputIsAnsweredWithErrAndTheServerGoesOn(String what, String hex) throws Exception {
        byte[] request = java.util.HexFormat.of().parseHex(hex);
        assertThat(ask(request)).as(what).startsWith("ERR ").hasSizeGreaterThan(4);
        assertThat(ask(request)).as("asked again (now from the cache)").startsWith("ERR ");
        assertThat(ask(new byte[0])).as("still answering").isEqualTo("2024-03-10-03:59:30");
        ReactorStats stats = server.stats();
        assertThat(stats.service("err_replies_total")).isEqualTo(2);
        assertThat(stats.datagramsDropped()).isZero();
        assertThat(stats.handlerErrors()).isZero();
    }

    @Test
    void aReplyTooLargeForOneDatagramIsAnsweredWithErr() throws Exception {
        String reply = ask("%c".repeat(3000)); // 3000 x 24 characters: 72000 bytes > 65507
        assertThat(reply).startsWith("ERR ").contains("datagram");
        assertThat(ask("%Y")).isEqualTo("2024");
    }

    @Test
    void aHostileFormatIsRefusedWithoutRenderingItAll() throws Exception {
        // 10,000 x %1024c would render 10 MiB; the server stops at the datagram limit and says why.
        assertThat(ask("%1024c".repeat(10_000))).startsWith("ERR ").contains("datagram");
        // Few enough chars, too many bytes: 21,000 three-byte euro signs and 3 x 1024 chars of %c.
        assertThat(ask("\u20ac".repeat(21_000) + "%1024c".repeat(3))).startsWith("ERR ").contains("datagram");
        assertThat(ask("%Y")).isEqualTo("2024");
    }

    @Test
    void aReplyOfExactlyTheLargestDatagramStillFits() throws Exception {
        String format = "x".repeat(TimeReplies.MAX_DATAGRAM - 4) + "%Y";
        assertThat(ask(format)).isEqualTo("x".repeat(TimeReplies.MAX_DATAGRAM - 4) + "2024");
    }

    @Test
    void aSixtyKibRequestIsNotTruncated() throws Exception {
        // The seed's recvfrom(1024) would cut this; the conversion at the very end shows the whole request arrived.
        String format = "a".repeat(60 * 1024 - 2) + "%Y";
        assertThat(format.getBytes(UTF_8)).hasSize(60 * 1024);
        assertThat(ask(format)).isEqualTo("a".repeat(60 * 1024 - 2) + "2024");
    }

    @Test
    void answersEachSenderAtItsOwnAddress() throws Exception {
        try (DatagramSocket other = Loopback.udp()) {
            InetSocketAddress to = server.udpAddress();
            assertThat(new String(Loopback.ask(other, to, "%H".getBytes(UTF_8)), UTF_8)).isEqualTo("03");
            assertThat(ask("%M")).isEqualTo("59");
        }
    }
}
