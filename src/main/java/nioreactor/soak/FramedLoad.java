package nioreactor.soak;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Framed upper-echo with churn: pipelined batches of frames on short connections, every reply checked. */
final class FramedLoad implements Load {
    private final InetSocketAddress server;
    private final Tally tally;
    private final Random random;

    FramedLoad(InetSocketAddress server, Tally tally, long seed) {
        this.server = server;
        this.tally = tally;
        this.random = new Random(seed);
    }

    @Override
    public String name() {
        return "framed";
    }

    @Override
    public void round() throws Exception {
        try (Socket s = Wire.connect(server, 0)) {
            tally.connections.incrementAndGet();
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            for (int batch = random.nextInt(10); batch >= 0; batch--) {
                List<byte[]> bodies = new ArrayList<>();
                ByteBuffer request = ByteBuffer.allocate(64 * (4 + 4096));
                for (int i = 1 + random.nextInt(64); i > 0; i--) {
                    byte[] body = new byte[random.nextInt(4097)];
                    random.nextBytes(body);
                    bodies.add(body);
                    request.putInt(body.length).put(body);
                }
                out.write(request.array(), 0, request.position());
                tally.bytesSent.addAndGet(request.position());
                for (byte[] body : bodies) {
                    int length = in.readInt();
                    if (length != body.length) {
                        throw new IOException("framed: reply length " + length + ", expected " + body.length);
                    }
                    Wire.checkUpper(body, Wire.readExactly((InputStream) in, length), name());
                    tally.bytesVerified.addAndGet(4 + length);
                }
            }
        }
    }
}
