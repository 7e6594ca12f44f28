package nioreactor.soak;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * Connections that end badly: reset after use, reset with the server mid-reply, gone in the middle of a frame, or
 * closed before saying anything. The server must shrug each off.
 */
final class ResetLoad implements Load {
    private final InetSocketAddress upper;
    private final InetSocketAddress framed;
    private final Tally tally;
    private final Random random;

    ResetLoad(InetSocketAddress upper, InetSocketAddress framed, Tally tally, long seed) {
        this.upper = upper;
        this.framed = framed;
        this.tally = tally;
        this.random = new Random(seed);
    }

    @Override
    public String name() {
        return "resets";
    }

    @Override
    public void round() throws Exception {
        int kind = random.nextInt(4);
        try (Socket s = Wire.connect(kind == 2 ? framed : upper, 0)) {
            tally.connections.incrementAndGet();
            switch (kind) {
                case 0 -> { // used, then reset
                    byte[] b = new byte[1 + random.nextInt(4096)];
                    random.nextBytes(b);
                    s.getOutputStream().write(b);
                    tally.bytesSent.addAndGet(b.length);
                    Wire.checkUpper(b, Wire.readExactly(s.getInputStream(), b.length), name());
                    tally.bytesVerified.addAndGet(b.length);
                    Wire.reset(s);
                    tally.resets.incrementAndGet();
                }
                case 1 -> { // reset while the server still owes us a reply we never read
                    byte[] b = new byte[256 * 1024];
                    s.getOutputStream().write(b);
                    tally.bytesSentToResets.addAndGet(b.length);
                    Wire.reset(s);
                    tally.resets.incrementAndGet();
                }
                case 2 -> { // a frame header promising more than ever comes, then gone
                    s.getOutputStream().write(ByteBuffer.allocate(4 + 10).putInt(1000).put(new byte[10]).array());
                    tally.bytesSentToResets.addAndGet(14);
                }
                default -> { // connect and leave without a word
                }
            }
        }
    }
}
