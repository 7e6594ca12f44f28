package nioreactor.tools;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.TlsContext;
import nioreactor.server.UpperEcho;
import nioreactor.testing.TestCerts;

/**
 * The README's delegated-task measurement (not a test): a burst of full handshakes from {@code BURSTERS} threads while
 * one established connection does 64-byte ping-pongs, against the same reactor with delegated tasks inline and on a
 * pool of two threads. Prints handshakes/s and the ping-pong's round-trip percentiles during the burst.
 * Run: java -cp target/classes:target/test-classes:$(deps) nioreactor.tools.TlsTaskMeasure [seconds]
 */
public final class TlsTaskMeasure {
    private static final int BURSTERS = 4;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        Path dir = Files.createTempDirectory("tls-measure");
        TestCerts certs = TestCerts.create(dir);
        SSLContext client = certs.clientContext(false);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        for (int round = 0; round < 2; round++) {
            for (String mode : new String[] {"inline", "pool"}) {
                Reactor reactor = Reactor.builder().name("measure-" + mode).build();
                reactor.start();
                TlsContext.Builder tls = TlsContext.server(certs.serverContext());
                if (mode.equals("pool")) {
                    tls.delegatedTasks(pool);
                }
                InetSocketAddress at = (InetSocketAddress) reactor.listen("m", new InetSocketAddress("127.0.0.1", 0),
                        Limits.DEFAULTS, tls.build(), UpperEcho.forOneReactor()).get().address();
                System.out.println((round == 0 ? "warm-up " : "") + mode + ": " + run(client, at, seconds));
                reactor.shutdownGracefully(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS);
            }
        }
        pool.shutdownNow();
    }

    private static String run(SSLContext client, InetSocketAddress at, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong handshakes = new AtomicLong();
        Thread[] bursters = new Thread[BURSTERS];
        for (int i = 0; i < BURSTERS; i++) {
            bursters[i] = new Thread(() -> {
                byte[] one = {'x'};
                while (!stop.get()) {
                    try (SSLSocket s = connect(client, at)) {
                        s.getOutputStream().write(one);
                        s.getInputStream().read();
                        handshakes.incrementAndGet();
                    } catch (Exception e) {
                        // counted by its absence
                    }
                }
            });
        }
        long[] rtts = new long[2_000_000];
        int n = 0;
        try (SSLSocket probe = connect(client, at)) {
            OutputStream out = probe.getOutputStream();
            InputStream in = probe.getInputStream();
            byte[] ping = new byte[64];
            for (Thread t : bursters) {
                t.start();
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end && n < rtts.length) {
                long t0 = System.nanoTime();
                out.write(ping);
                in.readNBytes(64);
                rtts[n++] = System.nanoTime() - t0;
            }
        }
        stop.set(true);
        for (Thread t : bursters) {
            t.join();
        }
        long[] sorted = Arrays.copyOf(rtts, n);
        Arrays.sort(sorted);
        return String.format("%.0f handshakes/s; probe %d round trips, p50 %d us, p99 %d us, p99.9 %d us, max %d us",
                handshakes.get() / (double) seconds, n, sorted[n / 2] / 1000, sorted[(int) (n * 0.99)] / 1000,
                sorted[(int) (n * 0.999)] / 1000, sorted[n - 1] / 1000);
    }

    private static SSLSocket connect(SSLContext client, InetSocketAddress at) throws Exception {
        Socket plain = new Socket();
        plain.setTcpNoDelay(true);
        plain.connect(at, 5000);
        plain.setSoTimeout(10_000);
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(plain, "localhost", at.getPort(), true);
        s.startHandshake();
        return s;
    }
}
