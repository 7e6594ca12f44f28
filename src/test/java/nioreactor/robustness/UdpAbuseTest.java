package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.TimeFormat;
import nioreactor.protocol.TimeFormatException;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.UdpSocket;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tens of thousands of hostile datagrams (random bytes, random % sequences, maximum-size datagrams, empty ones) from
 * several clients at once, sent in bursts without waiting. Every reply must be "ERR ..." or exactly what strftime
 * gives for one of the burst's requests at a second within the burst; the server must not fail, must keep its
 * counters consistent (every datagram answered or counted as dropped) and must answer normally afterwards.
 */
@Timeout(180)
class UdpAbuseTest {
    private static final int CLIENTS = 4;
    private static final int BURSTS = 320;
    private static final int BURST = 32; // 4 x 320 x 32 = 40,960 datagrams
    private static final int MAX_DATAGRAM = UdpSocket.MAX_DATAGRAM;
    private static final ZoneId ZONE = ZoneOffset.UTC;
    private static final String CONVERSIONS = "aAbBcCdDeFgGhHIjklmMnprRsStTuUVwWxXyYzZ%EO_-^#0123456789:+QqvfiJKLNo";

    @Test
    void hostileDatagramsGetValidRepliesAndTheServiceStaysUp() throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().tcpPort(-1).framedPort(-1).zone(ZONE).build());
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<long[]>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                long seed = c;
                clients.add(pool.submit(() -> abuse(server.udpAddress(), new Random(seed))));
            }
            long sent = 0;
            long replies = 0;
            for (Future<long[]> f : clients) {
                long[] counts = f.get(170, TimeUnit.SECONDS);
                sent += counts[0];
                replies += counts[1];
            }

            // Quiet again: every datagram the server took in was answered or counted as dropped.
            Eventually.until(() -> {
                ReactorStats s = server.stats();
                return s.datagramsIn() == s.datagramsOut() + s.datagramsDropped();
            }, () -> "in == out + dropped; " + describe(server.stats()));
            ReactorStats stats = server.stats();
            assertThat(stats.datagramsIn()).isPositive().isLessThanOrEqualTo(sent);
            assertThat(stats.datagramsOut()).isGreaterThanOrEqualTo(replies);
            assertThat(stats.service("err_replies_total")).isPositive();
            assertThat(stats.handlerErrors()).isZero();
            assertThat(sent).isEqualTo((long) CLIENTS * BURSTS * BURST);

            try (var udp = Loopback.udp()) {
                String now = new String(Loopback.ask(udp, server.udpAddress(), new byte[0]), StandardCharsets.UTF_8);
                assertThat(now).matches("\\d{4}-\\d{2}-\\d{2}-\\d{2}:\\d{2}:\\d{2}");
            }
        } finally {
            pool.shutdownNow();
            server.close();
        }
    }

    /** One client: bursts of random datagrams, each burst's replies checked. Returns {sent, replies received}. */
    private static long[] abuse(InetSocketAddress server, Random random) throws Exception {
        long sent = 0;
        long received = 0;
        try (DatagramSocket socket = Loopback.udp()) {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(300); // a burst's replies come within this, or were dropped (UDP may drop)
            byte[] buf = new byte[MAX_DATAGRAM + 1];
            // A reply the server was slow to send (a loaded box) may arrive during a later burst: it is checked
            // against the last few bursts, not only the current one.
            ArrayDeque<Expected> recent = new ArrayDeque<>();
            for (int b = 0; b < BURSTS; b++) {
                byte[][] requests = new byte[BURST][];
                long first = Instant.now().getEpochSecond();
                for (int i = 0; i < BURST; i++) {
                    requests[i] = hostile(random);
                    socket.send(new DatagramPacket(requests[i], requests[i].length, server));
                    sent++;
                }
                recent.addFirst(new Expected(requests, first));
                if (recent.size() > 4) {
                    recent.removeLast();
                }
                for (int i = 0; i < BURST; i++) {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    try {
                        socket.receive(p);
                    } catch (SocketTimeoutException dropped) {
                        break;
                    }
                    received++;
                    byte[] reply = Arrays.copyOf(p.getData(), p.getLength());
                    long now = Instant.now().getEpochSecond();
                    assertThat(recent.stream().anyMatch(e -> e.accepts(reply, now + 1)))
                            .as("reply %s", abbreviate(reply)).isTrue();
                }
            }
        }
        return new long[] {sent, received};
    }

    private static byte[] hostile(Random random) {
        int kind = random.nextInt(10);
        switch (kind) {
            case 0:
                return new byte[0];
            case 1: {
                byte[] big = new byte[MAX_DATAGRAM];
                if (random.nextBoolean()) {
                    random.nextBytes(big);
                } else {
                    String unit = random.nextBoolean() ? "%c" : "x";
                    byte[] u = unit.getBytes(StandardCharsets.US_ASCII);
                    for (int i = 0; i < big.length; i++) {
                        big[i] = u[i % u.length];
                    }
                }
                return big;
            }
            case 2:
            case 3:
            case 4: {
                byte[] junk = new byte[random.nextInt(600)];
                random.nextBytes(junk);
                return junk;
            }
            default: {
                StringBuilder f = new StringBuilder();
                for (int i = random.nextInt(12); i >= 0; i--) {
                    if (random.nextInt(3) == 0) {
                        f.append((char) (' ' + random.nextInt(95)));
                    } else {
                        f.append('%');
                        for (int m = random.nextInt(3); m > 0; m--) {
                            f.append(CONVERSIONS.charAt(random.nextInt(CONVERSIONS.length())));
                        }
                    }
                }
                return f.toString().getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    /** What the server may answer to one burst: ERR, or a request's rendering at some second in a window. */
    private static final class Expected {
        private final List<TimeFormat> formats = new ArrayList<>();
        private final Map<Long, List<byte[]>> renderings = new HashMap<>();
        private final long sentSecond;

        Expected(byte[][] requests, long sentSecond) {
            this.sentSecond = sentSecond;
            for (byte[] r : requests) {
                TimeFormat f = compile(r);
                if (f != null) {
                    formats.add(f);
                }
            }
        }

        /** ERR, or a rendering at a second from just before the burst was sent up to {@code toSecond}. */
        boolean accepts(byte[] reply, long toSecond) {
            if (startsWith(reply, "ERR ")) {
                return true;
            }
            for (long s = sentSecond - 1; s <= toSecond; s++) {
                for (byte[] r : renderingsAt(s)) {
                    if (Arrays.equals(r, reply)) {
                        return true;
                    }
                }
            }
            return false;
        }

        private List<byte[]> renderingsAt(long second) {
            return renderings.computeIfAbsent(second, s -> {
                List<byte[]> all = new ArrayList<>();
                for (TimeFormat f : formats) {
                    all.add(f.format(Instant.ofEpochSecond(s), ZONE).getBytes(StandardCharsets.UTF_8));
                }
                return all;
            });
        }

        private static TimeFormat compile(byte[] request) {
            try {
                String format = request.length == 0 ? TimeFormat.DEFAULT_FORMAT : StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(request)).toString();
                return TimeFormat.compile(format);
            } catch (CharacterCodingException | TimeFormatException e) {
                return null; // the server must answer ERR
            }
        }
    }

    private static boolean startsWith(byte[] b, String prefix) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        return b.length >= p.length && Arrays.equals(b, 0, p.length, p, 0, p.length);
    }

    private static String abbreviate(byte[] reply) {
        String s = new String(reply, 0, Math.min(reply.length, 80), StandardCharsets.UTF_8);
        return "\"" + s + "\"" + (reply.length > 80 ? "... (" + reply.length + " bytes)" : "");
    }

    private static String describe(ReactorStats s) {
        return "in " + s.datagramsIn() + ", out " + s.datagramsOut() + ", dropped " + s.datagramsDropped();
    }
}
