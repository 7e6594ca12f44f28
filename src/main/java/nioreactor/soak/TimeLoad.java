package nioreactor.soak;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/** The UDP time service with good formats, bad ones and noise; every reply must be a time or start "ERR ". */
final class TimeLoad implements Load {
    private static final String[] FORMATS = {"", "%Y-%m-%d %H:%M:%S", "%c", "%s", "%Q", "%", "%%", "%10Y", "%Ez"};

    private final InetSocketAddress server;
    private final Tally tally;
    private final Random random;

    TimeLoad(InetSocketAddress server, Tally tally, long seed) {
        this.server = server;
        this.tally = tally;
        this.random = new Random(seed);
    }

    @Override
    public String name() {
        return "time";
    }

    @Override
    public void round() throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(2_000);
            byte[] buf = new byte[65_536];
            for (int i = 0; i < 100; i++) {
                byte[] request;
                if (random.nextInt(4) == 0) {
                    request = new byte[random.nextInt(1500)];
                    random.nextBytes(request);
                } else {
                    request = FORMATS[random.nextInt(FORMATS.length)].getBytes(StandardCharsets.UTF_8);
                }
                socket.send(new DatagramPacket(request, request.length, server));
                tally.datagrams.incrementAndGet();
                DatagramPacket reply = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException lost) {
                    continue; // UDP may drop; the server counts its own drops
                }
                // A reply is "ERR reason" or a rendered time, which is always valid UTF-8 (the request may not be).
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(buf, 0, reply.getLength()));
                } catch (CharacterCodingException e) {
                    throw new IOException("time: a reply that is neither a time nor ERR", e);
                }
            }
        }
    }
}
