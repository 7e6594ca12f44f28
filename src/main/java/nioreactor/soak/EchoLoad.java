package nioreactor.soak;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;

/** A long-lived upper-echo conversation: random-sized chunks, each reply checked byte for byte. */
final class EchoLoad implements Load {
    private final InetSocketAddress server;
    private final Tally tally;
    private final Random random;

    EchoLoad(InetSocketAddress server, Tally tally, long seed) {
        this.server = server;
        this.tally = tally;
        this.random = new Random(seed);
    }

    @Override
    public String name() {
        return "echo";
    }

    @Override
    public void round() throws Exception {
        try (Socket s = Wire.connect(server, 0)) {
            tally.connections.incrementAndGet();
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 200; i++) {
                byte[] chunk = new byte[1 + random.nextInt(random.nextBoolean() ? 64 : 256 * 1024)];
                random.nextBytes(chunk);
                out.write(chunk);
                tally.bytesSent.addAndGet(chunk.length);
                Wire.checkUpper(chunk, Wire.readExactly(in, chunk.length), name());
                tally.bytesVerified.addAndGet(chunk.length);
            }
        }
    }
}
