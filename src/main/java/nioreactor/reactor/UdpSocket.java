package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket on a reactor, made by {@link Reactor#bindUdp}: every datagram received goes whole to its
 * {@link DatagramHandler}, which answers with {@link #send}.
 *
 * <p>Unlike the seed's {@code recvfrom(1024)}, it receives into a buffer of {@link #MAX_DATAGRAM} bytes or more, so no
 * datagram is ever cut. At most {@link UdpLimits#receiveBudget()} datagrams are received per loop iteration, so a
 * flood cannot starve the TCP connections. When the socket's send buffer is full, replies wait in a bounded queue
 * ({@link UdpLimits#maxPendingReplies()}) flushed on {@code OP_WRITE}; what does not fit there is dropped and counted:
 * UDP promises no delivery, and an unbounded queue would let a flood grow our memory.
 *
 * <p>SO_REUSEADDR is deliberately off: UDP has no TIME_WAIT, so the option buys nothing, while it would let a second
 * process bind the same port and silently take over part of the traffic.
 *
 * <p><b>Connected sockets.</b> {@link Reactor#connectUdp} makes a socket connected to one remote address, for a
 * client: the kernel then delivers only that peer's datagrams, and the socket reads and writes with {@code read} and
 * {@code write} instead of {@code receive} and {@code send}, which saves building a sender address object per datagram
 * (the handler is handed the one fixed {@link #remoteAddress()}). Two consequences: an empty datagram cannot be told
 * from "nothing waiting" by {@code read}, so a connected socket never delivers empty datagrams; and an ICMP "port
 * unreachable" (nobody listening at the remote) is seen, logged at DEBUG and otherwise ignored: the datagram is lost,
 * as UDP allows.
 *
 * <p>{@link #localAddress()}, {@link #remoteAddress()} and {@link #service()} may be called from any thread; the rest is
 * for the reactor thread.
 */
public final class UdpSocket extends IoHandler {
    /** The largest payload of one UDP datagram over IPv4: 65,535 less the IP and UDP headers. */
    public static final int MAX_DATAGRAM = 65_507;

    private static final Logger log = LoggerFactory.getLogger(UdpSocket.class);

    private record PendingReply(ByteBuffer data, SocketAddress to) {
    }

    private final Reactor reactor;
    private final Stats stats;
    private final Trace trace;
    private final String service;
    private final DatagramChannel channel;
    private final InetSocketAddress boundAddress;
    /** The peer of a socket made by {@link Reactor#connectUdp}; null for a bound, unconnected one. */
    private final InetSocketAddress remote;
    private final DatagramHandler handler;
    private final UdpLimits limits;
    private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
    private final ByteBuffer receiveBuffer;
    private SelectionKey key;
    private boolean closed;

    private UdpSocket(Reactor reactor, String service, DatagramChannel channel, DatagramHandler handler,
                      UdpLimits limits, InetSocketAddress remote) throws IOException {
        this.reactor = reactor;
        this.stats = reactor.stats;
        this.trace = reactor.trace();
        this.service = service;
        this.channel = channel;
        this.handler = handler;
        this.limits = limits;
        this.boundAddress = (InetSocketAddress) channel.getLocalAddress();
        this.remote = remote;
        ByteBuffer shared = reactor.readBuffer();
        this.receiveBuffer = shared.capacity() > MAX_DATAGRAM ? shared : ByteBuffer.allocateDirect(MAX_DATAGRAM + 1);
    }

    /**
     * Binds and registers. Reactor thread only. SO_REUSEPORT only when {@code options} ask for it: then every socket
     * sharing the port must have asked, and the kernel spreads datagrams over them by a hash of the sender's address.
     */
    static UdpSocket bind(Reactor reactor, String service, SocketAddress address, UdpLimits limits,
                          ListenOptions options, DatagramHandler handler) throws IOException {
        return open(reactor, service, limits, handler, null, channel -> {
            options.applyReusePort(channel);
            channel.bind(address);
        });
    }

    /** Opens a socket connected to {@code remote} (bound to an ephemeral port) and registers it. Reactor thread only. */
    static UdpSocket connect(Reactor reactor, String service, InetSocketAddress remote, UdpLimits limits,
                             DatagramHandler handler) throws IOException {
        if (remote.isUnresolved()) {
            throw new IOException("unresolved address " + remote);
        }
        return open(reactor, service, limits, handler, remote, channel -> channel.connect(remote));
    }

    /** What {@link #bind} and {@link #connect} do to a fresh channel before it is registered. */
    private interface Setup {
        void apply(DatagramChannel channel) throws IOException;
    }

    private static UdpSocket open(Reactor reactor, String service, UdpLimits limits, DatagramHandler handler,
                                  InetSocketAddress remote, Setup setup) throws IOException {
        assert reactor.inReactorThread();
        DatagramChannel channel = DatagramChannel.open();
        try {
            setup.apply(channel);
            UdpSocket socket = new UdpSocket(reactor, service, channel, handler, limits, remote);
            socket.key = reactor.register(channel, OP_READ, socket);
            return socket;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** {@return the address actually bound} Any thread. */
    public InetSocketAddress localAddress() {
        return boundAddress;
    }

    /**
     * {@return the peer of a socket made by {@link Reactor#connectUdp}, or null for one made by {@link Reactor#bindUdp}}
     * Any thread.
     */
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    /** {@return the service name given to {@link Reactor#bindUdp} or {@link Reactor#connectUdp}} Any thread. */
    public String service() {
        return service;
    }

    /** {@return the reactor this socket lives on} */
    public Reactor reactor() {
        return reactor;
    }

    /** {@return replies waiting for the socket's send buffer} Reactor thread only. */
    public int pendingReplies() {
        return pending.size();
    }

    @Override
    void ready(int readyOps) throws IOException {
        if ((readyOps & OP_WRITE) != 0) {
            flushPending();
        }
        if ((readyOps & OP_READ) != 0) {
            receive();
        }
    }

    private void receive() throws IOException {
        ByteBuffer buf = receiveBuffer;
        for (int i = 0; i < limits.receiveBudget() && !closed; i++) {
            buf.clear();
            SocketAddress from;
            if (remote != null) {
                if (!readConnected(buf)) {
                    return;
                }
                from = remote;
            } else {
                from = channel.receive(buf);
                if (from == null) {
                    return; // nothing more queued
                }
            }
            buf.flip();
            stats.datagramsIn++;
            if (trace.on) {
                trace.event("datagram in from {} ({} bytes)", from, buf.remaining());
            }
            handler.onDatagram(this, from, buf);
        }
    }

    /** A connected socket's read: true when a (non-empty) datagram was read into {@code buf}. */
    private boolean readConnected(ByteBuffer buf) throws IOException {
        try {
            return channel.read(buf) > 0; // 0: nothing waiting (or an empty datagram, which read cannot tell apart)
        } catch (PortUnreachableException e) {
            log.debug("{}: nothing listens at {} (ICMP port unreachable)", service, remote);
            return false;
        }
    }

    /**
     * Sends one datagram to {@code to}, or queues it while the socket's buffer is full. Returns false when it was
     * dropped instead (the queue is full, or the send failed); drops are counted. {@code data} is consumed and may be
     * reused once this returns. Reactor thread only.
     *
     * <p>On a connected socket ({@link Reactor#connectUdp}) the datagram goes to {@link #remoteAddress()}; {@code to}
     * may be null or that address, anything else is an {@link IllegalArgumentException}.
     *
     * @param to   the receiver (on a connected socket: null or its remote address)
     * @param data the datagram, between its position and limit
     * @return true when sent or queued, false when dropped
     */
    public boolean send(SocketAddress to, ByteBuffer data) {
        if (!reactor.inReactorThread()) {
            throw new IllegalStateException("send on " + service + " called on " + Thread.currentThread().getName()
                    + ", not on its reactor's thread " + reactor.name() + "; hand it over with reactor().execute(...)");
        }
        if (remote != null) {
            if (to != null && !to.equals(remote)) {
                throw new IllegalArgumentException(this + " is connected to " + remote + ", cannot send to " + to);
            }
            to = remote;
        }
        if (closed) {
            dropped(to, "socket closed");
            return false;
        }
        if (pending.isEmpty()) {
            try {
                int n = write(data, to);
                if (!data.hasRemaining()) { // sent (n == 0 alone would also be an empty datagram sent)
                    sent(to, n);
                    return true;
                }
            } catch (IOException e) {
                dropped(to, e.toString());
                return false;
            }
        }
        if (pending.size() >= limits.maxPendingReplies()) {
            dropped(to, "reply queue full (" + limits.maxPendingReplies() + ")");
            return false;
        }
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
        pending.add(new PendingReply(copy, to));
        if (pending.size() == 1) {
            key.interestOps(OP_READ | OP_WRITE); // only while replies wait: a writable socket would otherwise spin
        }
        return true;
    }

    private void flushPending() {
        PendingReply next;
        while ((next = pending.peek()) != null) {
            try {
                int n = write(next.data(), next.to());
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

    private int write(ByteBuffer data, SocketAddress to) throws IOException {
        return remote != null ? channel.write(data) : channel.send(data, to);
    }

    private void sent(SocketAddress to, int bytes) {
        stats.datagramsOut++;
        if (trace.on) {
            trace.event("datagram out to {} ({} bytes)", to, bytes);
        }
    }

    private void dropped(SocketAddress to, String why) {
        stats.datagramsDropped++;
        log.debug("{}: datagram to {} dropped: {}", service, to, why);
    }

    /** Closes the socket; queued replies are dropped. Any thread (off the reactor thread it is handed to the reactor). */
    public void close() {
        if (!reactor.inReactorThread()) {
            reactor.execute(this::close);
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        stats.datagramsDropped += pending.size();
        pending.clear();
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("{}: closing the UDP socket failed: {}", service, e.toString());
        }
    }

    @Override
    void failed(Throwable cause) {
        // One bad datagram must not take the service down: drop it, log, and go on.
        stats.datagramsDropped++;
        log.warn("{}: a datagram's handling failed; dropped it and carrying on", service, cause);
    }

    @Override
    void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    void forceClose() {
        close();
    }

    @Override
    void beginShutdown(Duration deadline) {
        close();
    }

    @Override
    public String toString() {
        return remote != null ? service + " on udp " + boundAddress + " connected to " + remote
                : service + " on udp " + boundAddress;
    }
}
