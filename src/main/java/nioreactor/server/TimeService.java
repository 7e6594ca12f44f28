package nioreactor.server;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import nioreactor.reactor.Counter;
import nioreactor.reactor.DatagramHandler;
import nioreactor.reactor.ListenOptions;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.UdpLimits;
import nioreactor.reactor.UdpSocket;

/**
 * The seed's UDP time server on the reactor: each datagram is a strftime format (empty means
 * {@value nioreactor.protocol.TimeFormat#DEFAULT_FORMAT}), answered with the formatted local time, to the sender.
 *
 * <p>The {@link UdpSocket} receives whole datagrams (never cut, unlike the seed's {@code recvfrom(1024)}) and keeps a
 * bounded queue of replies; this class only turns a request into its reply, through the {@link TimeReplies} cache.
 * Bad input is answered with a datagram starting {@code ERR }, never with silence; those are counted as
 * {@code err_replies_total}.
 */
public final class TimeService implements DatagramHandler {
    private final TimeReplies replies;
    private final InstantSource clock;
    private final Counter errReplies;

    private TimeService(Reactor reactor, ZoneId zone, InstantSource clock) {
        this.replies = new TimeReplies(zone);
        this.clock = clock;
        this.errReplies = reactor.counter("err_replies_total", "Time service replies starting with ERR");
    }

    /** Binds the time service's UDP socket on {@code reactor}. Any thread. */
    public static CompletableFuture<UdpSocket> bind(Reactor reactor, SocketAddress address, ZoneId zone,
                                                   InstantSource clock, UdpLimits limits) {
        return bind(reactor, address, zone, clock, limits, ListenOptions.DEFAULTS);
    }

    /** Likewise with {@code options} (of which only {@link ListenOptions#reusePort()} applies to UDP). Any thread. */
    public static CompletableFuture<UdpSocket> bind(Reactor reactor, SocketAddress address, ZoneId zone,
                                                   InstantSource clock, UdpLimits limits, ListenOptions options) {
        return reactor.bindUdp("time", address, limits, options, new TimeService(reactor, zone, clock));
    }

    @Override
    public void onDatagram(UdpSocket socket, SocketAddress from, ByteBuffer data) {
        ByteBuffer reply = replies.replyFor(data, Math.floorDiv(clock.millis(), 1000));
        if (replies.lastWasError()) {
            errReplies.increment();
        }
        socket.send(from, reply);
    }
}
