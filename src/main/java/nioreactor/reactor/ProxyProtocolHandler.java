package nioreactor.reactor;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PROXY protocol layer of a listener that expects it ({@link ListenOptions#expectProxyHeader}): a
 * {@link StreamHandler} in front of the service's own. It reads the header (see {@link ProxyHeaderParser}), gives the
 * connection its {@link Connection#clientAddress() client address}, and only then opens the service's handler, so the
 * service never sees a header byte and greets the client after the proxy has spoken. Bytes that came in the same
 * read as the header's end go to the service at once.
 *
 * <p>A missing or malformed header, or one not complete within the timeout, closes the connection
 * ({@link CloseReason#PROTOCOL_ERROR}) with a DEBUG line, counted in {@code proxy_header_failures_total}, as does a
 * peer that closes before its header is complete; the service never hears of it. A header is buffered only while it is incomplete (at most 232 bytes; v2 TLVs are skipped, not
 * kept).
 */
final class ProxyProtocolHandler implements StreamHandler {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);
    static final String ACCEPTED = "proxy_headers_total";
    static final String FAILED = "proxy_header_failures_total";

    private final StreamHandler service;
    private final Duration timeout;
    private final Counter accepted;
    private final Counter failed;
    private ProxyHeaderParser parser = new ProxyHeaderParser();
    private Timer deadline;
    /** True once the header was read and the service's handler opened: from then on, a plain pass-through. */
    private boolean passed;
    /** True once this layer closed the connection for its header, and counted it. */
    private boolean rejected;

    ProxyProtocolHandler(StreamHandler service, Duration timeout, Counter accepted, Counter failed) {
        this.service = service;
        this.timeout = timeout;
        this.accepted = accepted;
        this.failed = failed;
    }

    @Override
    public void onOpen(Connection c) {
        deadline = c.reactor().schedule(timeout, "proxy-header #" + c.id(),
                () -> fail(c, "no complete PROXY header within " + timeout.toMillis() + " ms"));
    }

    @Override
    public void onData(Connection c, ByteBuffer data) {
        if (passed) {
            service.onData(c, data);
            return;
        }
        ProxyHeaderParser.Result result = parser.feed(data);
        if (result instanceof ProxyHeaderParser.Bad bad) {
            fail(c, bad.reason());
        } else if (result instanceof ProxyHeaderParser.Done done) {
            pass(c, done.header(), data);
        }
    }

    private void pass(Connection c, ProxyHeaderParser.Header header, ByteBuffer rest) {
        deadline.cancel();
        deadline = null;
        parser = null;
        passed = true;
        accepted.increment();
        SocketAddress proxy = c.remoteAddress();
        if (header.source() != null) {
            c.proxiedClient(header.source());
        }
        Trace trace = c.reactor().trace();
        if (trace.on) {
            trace.event("proxy #{} v{}: client {} via {}", c.id(), header.version(), c.clientAddress(), proxy);
        }
        log.debug("#{} PROXY v{} header from {}: client {}{}", c.id(), header.version(), proxy, c.clientAddress(),
                header.local() ? " (LOCAL: the proxy's own connection)" : "");
        service.onOpen(c);
        if (rest.hasRemaining() && c.state() == ConnectionState.OPEN) {
            service.onData(c, rest);
        }
    }

    private void fail(Connection c, String why) {
        if (passed || c.state() == ConnectionState.CLOSED) {
            return;
        }
        rejected = true;
        failed.increment();
        log.debug("#{} from {}: {}; closing", c.id(), c.remoteAddress(), why);
        Trace trace = c.reactor().trace();
        if (trace.on) {
            trace.event("proxy #{} rejected: {}", c.id(), why);
        }
        c.close(CloseReason.PROTOCOL_ERROR);
    }

    @Override
    public void onWritabilityChanged(Connection c, boolean writable) {
        if (passed) {
            service.onWritabilityChanged(c, writable);
        }
    }

    @Override
    public void onDrained(Connection c) {
        if (passed) {
            service.onDrained(c);
        }
    }

    @Override
    public void onClose(Connection c, CloseReason reason) {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
        if (passed) {
            service.onClose(c, reason);
        } else if (!rejected && reason != CloseReason.SHUTDOWN) {
            // The peer went away (or reset) before its header was complete: a missing header too.
            failed.increment();
            log.debug("#{} from {} closed ({}) before a complete PROXY header", c.id(), c.remoteAddress(),
                    reason.label());
        }
    }

    @Override
    public String partialMessage() {
        return passed ? service.partialMessage() : parser.describePartial();
    }
}
