package nioreactor.load;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.nio.ByteBuffer;
import nioreactor.protocol.TimeFormat;
import nioreactor.protocol.TimeFormatException;

/**
 * The seed's UDP time server in Java, as a blocking loop on a {@link DatagramSocket}: receive, strftime, send back,
 * no selector in the way. The peer the reactor's time service is measured against. Fair: the default format is
 * compiled once; other formats are compiled per request, as the seed's {@code time.strftime(fmt)} parses its format
 * on every call.
 */
public final class BlockingTimeServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final ZoneId zone;
    private final TimeFormat defaultFormat;
    private final Thread thread;
    private volatile boolean closed;

    private BlockingTimeServer(DatagramSocket socket, ZoneId zone) {
        this.socket = socket;
        this.zone = zone;
        try {
            this.defaultFormat = TimeFormat.compile(TimeFormat.DEFAULT_FORMAT);
        } catch (TimeFormatException e) {
            throw new IllegalStateException(e);
        }
        this.thread = new Thread(this::loop, "blocking-time");
        this.thread.setDaemon(true);
    }

    public static BlockingTimeServer start(InetSocketAddress bind, ZoneId zone) throws SocketException {
        DatagramSocket socket = new DatagramSocket(bind);
        BlockingTimeServer server = new BlockingTimeServer(socket, zone);
        server.thread.start();
        return server;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void loop() {
        byte[] buf = new byte[64 * 1024];
        DatagramPacket request = new DatagramPacket(buf, buf.length);
        while (!closed) {
            try {
                request.setLength(buf.length);
                socket.receive(request);
                byte[] reply = reply(buf, request.getLength()).getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(reply, reply.length, request.getSocketAddress()));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private String reply(byte[] buf, int length) {
        Instant now = Instant.ofEpochSecond(Math.floorDiv(System.currentTimeMillis(), 1000));
        if (length == 0) {
            return defaultFormat.format(now, zone);
        }
        try {
            String format = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, 0, length)).toString();
            return TimeFormat.compile(format).format(now, zone);
        } catch (CharacterCodingException e) {
            return "ERR invalid UTF-8 in format";
        } catch (TimeFormatException e) {
            return "ERR " + e.getMessage();
        }
    }

    @Override
    public void close() {
        closed = true;
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
