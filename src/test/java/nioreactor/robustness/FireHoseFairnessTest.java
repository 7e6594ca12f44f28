package nioreactor.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import nioreactor.protocol.Upper;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.testing.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client streams as fast as it can (and reads its echo as fast as it can); another must still get its small
 * requests answered: the read budget keeps the fire hose from owning the loop.
 */
@Timeout(120)
class FireHoseFairnessTest {
    private static final int ROUND_TRIPS = 1_000;

    @Test
    void aRequestReplyClientCompletesWhileAnotherStreams() throws Exception {
        Server server = Server.start(ServerConfig.builder().ephemeralPorts().udpPort(-1).build());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong hoseSent = new AtomicLong();
        AtomicLong hoseEchoed = new AtomicLong();
        try (EchoPeer hose = EchoPeer.connect(server.tcpAddress()); EchoPeer asker = EchoPeer.connect(server.tcpAddress())) {
            Future<?> writer = pool.submit(() -> {
                byte[] chunk = new byte[256 * 1024];
                new Payload(7).next(chunk, 0, chunk.length);
                while (!stop.get()) {
                    hose.socket().getOutputStream().write(chunk);
                    hoseSent.addAndGet(chunk.length);
                }
                return null;
            });
            Future<?> reader = pool.submit(() -> {
                byte[] buf = new byte[256 * 1024];
                for (int n; (n = hose.socket().getInputStream().read(buf)) >= 0; ) {
                    hoseEchoed.addAndGet(n);
                }
                return null;
            });
            Eventually.until(() -> hoseEchoed.get() > 64L << 20,
                    () -> "the fire hose to get going; echoed " + hoseEchoed.get());

            long echoedBefore = hoseEchoed.get();
            for (int i = 0; i < ROUND_TRIPS; i++) {
                byte[] request = ("request " + i + " of the polite client\n").getBytes(StandardCharsets.US_ASCII);
                asker.send(request);
                assertThat(asker.read(request.length)).isEqualTo(Upper.of(request));
            }
            long echoedDuring = hoseEchoed.get() - echoedBefore;

            // The hose kept flowing the whole time: fairness, not the hose being starved instead.
            assertThat(echoedDuring).as("fire-hose bytes echoed during the round trips").isPositive();
            assertThat(writer.isDone()).as("the fire hose is still streaming (no error)").isFalse();
            stop.set(true);
            writer.get(60, TimeUnit.SECONDS);
            hose.shutdownOutput();
            reader.get(60, TimeUnit.SECONDS);
            assertThat(hoseEchoed.get()).isEqualTo(hoseSent.get());
        } finally {
            stop.set(true);
            pool.shutdownNow();
            server.close();
        }
    }
}
