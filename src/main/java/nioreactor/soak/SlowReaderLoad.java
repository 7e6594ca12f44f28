package nioreactor.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.Upper;

/**
 * A client that sends far faster than it reads (small receive buffer, reads in sips): the server must hold it at the
 * high water mark, not buffer everything, and still deliver every byte.
 */
final class SlowReaderLoad implements Load {
    private static final long SIZE = 16L << 20;

    private final InetSocketAddress server;
    private final Tally tally;
    private final long seed;
    private long round;

    SlowReaderLoad(InetSocketAddress server, Tally tally, long seed) {
        this.server = server;
        this.tally = tally;
        this.seed = seed;
    }

    @Override
    public String name() {
        return "slow-reader";
    }

    @Override
    public void round() throws Exception {
        long streamSeed = seed * 1_000_003 + round++;
        try (Socket s = Wire.connect(server, 32 * 1024)) {
            tally.connections.incrementAndGet();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> write(s, streamSeed));
            Random expected = new Random(streamSeed);
            InputStream in = s.getInputStream();
            byte[] got = new byte[16 * 1024];
            byte[] want = new byte[got.length];
            long left = SIZE;
            while (left > 0) {
                int n = in.read(got, 0, (int) Math.min(got.length, left));
                if (n < 0) {
                    throw new IOException("slow-reader: EOF with " + left + " bytes missing");
                }
                next(expected, want, n);
                for (int i = 0; i < n; i++) {
                    want[i] = Upper.upper(want[i]);
                }
                if (!Arrays.equals(got, 0, n, want, 0, n)) {
                    throw new IOException("slow-reader: wrong bytes " + (SIZE - left) + " bytes in");
                }
                left -= n;
                tally.bytesVerified.addAndGet(n);
                Thread.sleep(1); // sips: the point of this load is to read slower than the server could send
            }
            writer.get(Wire.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void write(Socket s, long streamSeed) {
        Random source = new Random(streamSeed);
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = s.getOutputStream();
            for (long left = SIZE; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                next(source, chunk, n);
                out.write(chunk, 0, n);
                tally.bytesSent.addAndGet(n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next n bytes of a stream that both sides regenerate from the seed, whatever their chunk sizes. */
    private static void next(Random r, byte[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = (byte) r.nextInt(256);
        }
    }
}
