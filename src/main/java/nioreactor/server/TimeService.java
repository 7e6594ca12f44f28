package nioreactor.server;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.ArrayDeque;
import nioreactor.reactor.IoHandler;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.Stats;
import nioreactor.reactor.Trace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's UDP time server on the reactor: each datagram is a strftime format (empty means
 * {@code %Y-%m-%d-%X}), answered with the formatted local time, to the sender.
 *
 * <p>Unlike the seed's {@code recvfrom(1024)}, it receives into a 64 KiB buffer, so no request is ever cut (a
 * datagram longer than the buffer loses its tail silently: the seed's own experiment). Bad input is answered with a
 * datagram starting {@code ERR }, never with silence. When the socket's send buffer is full, replies wait in a small
 * bounded queue flushed on OP_WRITE; what does not fit there is dropped and counted, since UDP promises no delivery
 * and an unbounded queue would let a flood grow our memory.
 */
public final class TimeService implements IoHandler {
    private static final Logger log = LoggerFactory.getLogger(TimeService.class);
    private static final int RECEIVE_BUFFER = 64 * 1024;

    private record PendingReply(ByteBuffer data, SocketAddress to) {
    }

    private final Reactor reactor;
    private final Stats stats;
    private final Trace trace;
    private final DatagramChannel channel;
    private final InetSocketAddress boundAddress;
    private final TimeReplies replies;
    private final InstantSource clock;
    private final int budget;
    private final int maxPending;
    private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
    private final ByteBuffer receiveBuffer;
    private SelectionKey key;

    private TimeService(Reactor reactor, DatagramChannel channel, ZoneId zone, InstantSource clock, int budget,
                        int maxPending) throws IOException {
        this.reactor = reactor;
        this.stats = reactor.stats();
        this.trace = reactor.trace();
        this.channel = channel;
        this.boundAddress = (InetSocketAddress) channel.getLocalAddress();
        this.replies = new TimeReplies(zone);
        this.clock = clock;
        this.budget = budget;
        this.maxPending = maxPending;
        ByteBuffer shared = reactor.readBuffer();
        this.receiveBuffer = shared.capacity() >= RECEIVE_BUFFER ? shared : ByteBuffer.allocateDirect(RECEIVE_BUFFER);
    }

    /** Binds the UDP socket and registers it. Reactor thread only. */
    public static TimeService bind(Reactor reactor, InetSocketAddress address, ZoneId zone, InstantSource clock,
                                   int budget, int maxPending) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.bind(address);
            TimeService service = new TimeService(reactor, channel, zone, clock, budget, maxPending);
            service.key = reactor.register(channel, OP_READ, service);
            return service;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return boundAddress;
    }

    @Override
    public void ready(int readyOps) throws IOException {
        if ((readyOps & OP_WRITE) != 0) {
            flushPending();
        }
        if ((readyOps & OP_READ) != 0) {
            receive();
        }
    }

    private void receive() throws IOException {
        ByteBuffer buf = receiveBuffer;
        for (int i = 0; i < budget; i++) {
            buf.clear();
            SocketAddress from = channel.receive(buf);
            if (from == null) {
                return; // nothing more queued
            }
            buf.flip();
            stats.datagramsIn++;
            if (trace.on) {
                trace.event("datagram in from {} ({} bytes)", from, buf.remaining());
            }
            ByteBuffer reply = replies.replyFor(buf, Math.floorDiv(clock.millis(), 1000));
            if (replies.lastWasError()) {
                stats.errReplies++;
            }
            send(reply, from);
        }
    }

    private void send(ByteBuffer reply, SocketAddress to) {
        if (pending.isEmpty()) {
            try {
                int n = channel.send(reply, to);
                if (!reply.hasRemaining()) { // sent (n == 0 alone would also be an empty datagram sent)
                    sent(to, n);
                    return;
                }
            } catch (IOException e) {
                dropped(to, e.toString());
                return;
            }
        }
        if (pending.size() >= maxPending) {
            dropped(to, "reply queue full (" + maxPending + ")");
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(reply.remaining()).put(reply).flip();
        pending.add(new PendingReply(copy, to));
        if (pending.size() == 1) {
            key.interestOps(OP_READ | OP_WRITE); // only while replies wait: a writable socket would otherwise spin
        }
    }

    private void flushPending() {
        PendingReply next;
        while ((next = pending.peek()) != null) {
            try {
                int n = channel.send(next.data(), next.to());
                if (next.data().hasRemaining()) {
                    return; // still full; OP_WRITE stays on
                }
                sent(next.to(), n);
            } catch (IOException e) {
                dropped(next.to(), e.toString());
            }
            pending.poll();
        }
        key.interestOps(OP_READ);
    }

    private void sent(SocketAddress to, int bytes) {
        stats.datagramsOut++;
        if (trace.on) {
            trace.event("datagram out to {} ({} bytes)", to, bytes);
        }
    }

    private void dropped(SocketAddress to, String why) {
        stats.datagramsDropped++;
        log.debug("reply to {} dropped: {}", to, why);
    }

    /** Reactor thread only. */
    public void close() {
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the UDP socket failed: {}", e.toString());
        }
    }

    @Override
    public void failed(Throwable cause) {
        // One bad datagram must not take the service down: drop it, log, and go on.
        stats.datagramsDropped++;
        log.warn("time service: a datagram's handling failed; dropped it and carrying on", cause);
    }

    @Override
    public void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    public void forceClose() {
        close();
    }
}
