package nioreactor.reactor;

import static java.nio.channels.SelectionKey.OP_CONNECT;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An outbound connect in progress ({@link Reactor#connect}): a non-blocking {@code connect} returns at once, the
 * selector reports {@code OP_CONNECT} when the handshake is done (or failed), and {@code finishConnect} tells which.
 * On success the same channel and key become a {@link Connection}; on failure, or when the timeout fires first, the
 * handler hears {@link StreamHandler#onConnectFailed} and the future fails with the cause.
 */
final class Connector extends IoHandler {
    private static final Logger log = LoggerFactory.getLogger(Connector.class);

    private final Reactor reactor;
    private final SocketChannel channel;
    private final SocketAddress remote;
    private final StreamHandler handler;
    private final Limits limits;
    private final TlsContext tls;
    private final CompletableFuture<Connection> result;
    private SelectionKey key;
    private Timer timeout;

    private Connector(Reactor reactor, SocketChannel channel, SocketAddress remote, StreamHandler handler,
                      Limits limits, TlsContext tls, CompletableFuture<Connection> result) {
        this.reactor = reactor;
        this.channel = channel;
        this.remote = remote;
        this.handler = handler;
        this.limits = limits;
        this.tls = tls;
        this.result = result;
    }

    /** Starts a connect. Reactor thread only. */
    static void start(Reactor reactor, SocketAddress remote, StreamHandler handler, Limits limits, TlsContext tls,
                      Duration connectTimeout, CompletableFuture<Connection> result) {
        assert reactor.inReactorThread();
        SocketChannel channel;
        try {
            // The family must be chosen when the socket is made: a unix path needs an AF_UNIX socket.
            channel = remote instanceof UnixDomainSocketAddress
                    ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        } catch (IOException e) {
            fail(reactor, remote, handler, e, result);
            return;
        }
        Connector connector = new Connector(reactor, channel, remote, handler, limits, tls, result);
        try {
            channel.configureBlocking(false);
            if (channel.connect(remote)) {
                connector.connected(); // loopback may finish at once
                return;
            }
            connector.key = reactor.register(channel, OP_CONNECT, connector);
            if (!connectTimeout.isZero()) {
                connector.timeout = reactor.schedule(connectTimeout, "connect-timeout " + remote, () ->
                        connector.failWith(new SocketTimeoutException(
                                "connect to " + remote + " timed out after " + connectTimeout.toMillis() + " ms")));
            }
        } catch (IOException | RuntimeException e) {
            connector.failWith(e instanceof IOException io ? io : new ConnectException(e.toString()));
        }
    }

    @Override
    void ready(int readyOps) {
        try {
            if (channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            failWith(e);
        }
    }

    private void connected() throws IOException {
        if (timeout != null) {
            timeout.cancel();
        }
        if (!(remote instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // AF_UNIX has no Nagle, and no such option
        }
        Connection connection = new Connection(reactor, channel, "outbound", handler, limits, null, tls);
        reactor.stats.connectionsConnected++;
        if (reactor.trace().on) {
            reactor.trace().event("connected #{} to {}", connection.id(), connection.peer());
        }
        log.debug("#{} connected to {}", connection.id(), connection.peer());
        try {
            // Takes over this channel's key (register on a registered channel updates it). The connection completes
            // the future once its handler heard onOpen: at once, or over TLS after the handshake (whose failure, like
            // a handler failing in onOpen, fails it).
            connection.open(result);
        } catch (IOException e) {
            connection.close(CloseReason.RESET);
            throw e;
        }
    }

    private void failWith(IOException cause) {
        if (timeout != null) {
            timeout.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the connect failed already; nothing more to release
        }
        fail(reactor, remote, handler, cause, result);
    }

    static void fail(Reactor reactor, SocketAddress remote, StreamHandler handler, IOException cause,
                             CompletableFuture<Connection> result) {
        reactor.stats.connectFailures++;
        if (reactor.trace().on) {
            reactor.trace().event("connect to {} failed: {}", remote, cause.toString());
        }
        log.debug("connect to {} failed: {}", remote, cause.toString());
        try {
            handler.onConnectFailed(remote, cause);
        } catch (RuntimeException e) {
            reactor.stats.handlerErrors++;
            log.warn("onConnectFailed handler failed", e);
        }
        result.completeExceptionally(cause);
    }

    @Override
    void failed(Throwable cause) {
        failWith(new ConnectException("connect to " + remote + " failed: " + cause));
    }

    @Override
    void rekeyed(SelectionKey newKey) {
        key = newKey;
    }

    @Override
    void forceClose() {
        failWith(new ConnectException("the reactor stopped before the connect to " + remote + " finished"));
    }

    @Override
    void beginShutdown(Duration deadline) {
        forceClose();
    }
}
