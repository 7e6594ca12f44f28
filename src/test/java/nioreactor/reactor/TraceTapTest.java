package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import nioreactor.demo.LoopbackReactor;
import nioreactor.testing.Eventually;
import nioreactor.testing.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Trace taps (the dashboard's event stream) and ConnectionInfo (its rows), on a real reactor over loopback. */
@Timeout(60)
class TraceTapTest {

    @Test
    void anEventKnowsItsKindAndItsConnectionWithoutFormattingFirst() {
        assertThat(new TraceEvent("write #{} {} of {} bytes, {} pending", 3L, 5L, 5, 0L).kind()).isEqualTo("write");
        assertThat(new TraceEvent("write #{} {} of {} bytes, {} pending", 3L, 5L, 5, 0L).connectionId()).isEqualTo(3);
        TraceEvent opWrite = new TraceEvent("OP_WRITE {} #{} ({} bytes pending)", "on", 12L, 99L);
        assertThat(opWrite.kind()).isEqualTo("OP_WRITE");
        assertThat(opWrite.connectionId()).isEqualTo(12);
        assertThat(opWrite.text()).isEqualTo("OP_WRITE on #12 (99 bytes pending)");
        assertThat(new TraceEvent("reading paused #{} ({} bytes pending > high water mark)", 4L, 1L).kind())
                .isEqualTo("paused");
        TraceEvent select = new TraceEvent("select -> {} ready after {} us", 3, 17L);
        assertThat(select.kind()).isEqualTo("select");
        assertThat(select.connectionId()).isEqualTo(-1);
        assertThat(new TraceEvent("close (limit): {} over its maximum of {} connections", "x", 1).kind())
                .isEqualTo("close");
        assertThat(select.routine()).isTrue();
        assertThat(new TraceEvent("read #{} {} bytes{}", 1L, 2, "").routine()).isTrue();
        assertThat(new TraceEvent("datagram in from {} ({} bytes)", "x", 2).routine()).isTrue();
        assertThat(opWrite.routine()).isFalse();
        assertThat(new TraceEvent("reading paused #{} ({} bytes pending > high water mark)", 4L, 1L).routine()).isFalse();
        assertThat(new TraceEvent("timer {} fired", "idle").routine()).isFalse();
    }

    @Test
    void aTapSeesEveryEventWhileRegisteredAndTracingIsFreeAgainAfter() throws Exception {
        try (LoopbackReactor r = new LoopbackReactor("tap-test")) {
            Reactor reactor = r.reactor();
            InetSocketAddress at = r.listen("echo", () -> Connection::send, Limits.DEFAULTS);
            List<TraceEvent> seen = new ArrayList<>();
            Consumer<TraceEvent> tap = e -> {
                synchronized (seen) {
                    seen.add(e);
                }
            };
            assertThat(r.onReactor(() -> reactor.trace().on)).isFalse();
            r.onReactor(() -> {
                reactor.addTraceTap(tap);
                return null;
            });
            assertThat(r.onReactor(() -> reactor.trace().on)).isTrue();
            long id;
            try (Socket s = Loopback.connect(at)) {
                s.getOutputStream().write("hi".getBytes());
                assertThat(s.getInputStream().readNBytes(2)).isEqualTo("hi".getBytes());
                id = r.onReactor(() -> reactor.connections().get(0).id());
            }
            Eventually.until(() -> kinds(seen, id).contains("close"), () -> "no close in " + kinds(seen, id));
            assertThat(kinds(seen, id)).containsSubsequence("accept", "read", "write", "eof", "close");
            assertThat(r.onReactor(reactor::traceTapCount)).isEqualTo(1);
            assertThat(r.onReactor(() -> reactor.removeTraceTap(tap))).isTrue();
            assertThat(r.onReactor(reactor::traceTapCount)).isZero();
            assertThat(r.onReactor(() -> reactor.trace().on)).isFalse();
            assertThat(Trace.OFF.on).isFalse(); // the shared constant never got the tap
        }
    }

    private static List<String> kinds(List<TraceEvent> seen, long id) {
        synchronized (seen) {
            return seen.stream().filter(e -> e.connectionId() == id).map(TraceEvent::kind).toList();
        }
    }

    @Test
    void connectionInfoShowsTheWaterMarksAtWork() throws Exception {
        int size = 8 * 1024 * 1024;
        Limits limits = Limits.DEFAULTS.withWaterMarks(1024 * 1024, 256 * 1024);
        try (LoopbackReactor r = new LoopbackReactor("info-test")) {
            InetSocketAddress at = r.listen("bulk", () -> (c, data) -> {
                data.position(data.limit());
                c.send(ByteBuffer.allocate(size));
            }, limits);
            try (Socket s = Loopback.connect(at, 64 * 1024)) {
                s.getOutputStream().write('x');
                Eventually.until(() -> info(r).stream().anyMatch(i -> i.state() == ConnectionState.PAUSED),
                        () -> "not paused: " + info(r));
                ConnectionInfo paused = info(r).get(0);
                assertThat(paused.service()).isEqualTo("bulk");
                assertThat(paused.reactor()).isEqualTo("info-test");
                assertThat(paused.writeInterest()).isTrue();
                assertThat(paused.readInterest()).isFalse();
                assertThat(paused.pendingBytes()).isGreaterThan(paused.highWater());
                assertThat(paused.highWater()).isEqualTo(1024 * 1024);
                assertThat(paused.lowWater()).isEqualTo(256 * 1024);
                assertThat(paused.bytesRead()).isEqualTo(1);
                assertThat(paused.remoteAddress()).isEqualTo(s.getLocalSocketAddress());
                InputStream in = s.getInputStream();
                assertThat(in.readNBytes(size)).hasSize(size);
                Eventually.until(() -> !info(r).get(0).writeInterest(), () -> "still writing: " + info(r));
                ConnectionInfo done = info(r).get(0);
                assertThat(done.state()).isEqualTo(ConnectionState.OPEN);
                assertThat(done.readInterest()).isTrue();
                assertThat(done.pendingBytes()).isZero();
                assertThat(done.bytesWritten()).isEqualTo(size);
                assertThat(done.ageNanos()).isGreaterThanOrEqualTo(done.sinceProgressNanos());
            }
            Eventually.until(() -> info(r).isEmpty(), () -> "still open: " + info(r));
        }
    }

    private static List<ConnectionInfo> info(LoopbackReactor r) {
        return r.reactor().connectionInfos(); // from the test thread: the any-thread form
    }
}
