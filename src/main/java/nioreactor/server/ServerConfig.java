package nioreactor.server;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneId;
import nioreactor.chat.ChatRoom;
import nioreactor.reactor.Limits;
import nioreactor.reactor.SelectStrategy;
import nioreactor.reactor.TlsContext;
import nioreactor.reactor.UdpLimits;
import nioreactor.metrics.MetricsEndpoint;
import nioreactor.kv.KvSettings;

/**
 * Everything {@code serve} can be told, with the defaults a user gets from {@code make run}. Ports: 0 picks a free
 * port, -1 disables the service. The TLS ports are off unless set, and need a {@link TlsContext}. Immutable (the TLS
 * context can {@link TlsContext#reload reload} its certificate); build one with {@link #builder()}.
 */
public final class ServerConfig {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_TCP_PORT = 8082;
    public static final int DEFAULT_FRAMED_PORT = 8083;
    public static final int DEFAULT_UDP_PORT = 8080;
    public static final int DISABLED = -1;
    /** Where {@code make run-tls} puts upper-echo over TLS, and where {@code client --tls} looks by default. */
    public static final int DEFAULT_TLS_TCP_PORT = 8443;
    /** Where {@code make run-tls} puts framed upper-echo over TLS, and {@code client --tls --framed} looks. */
    public static final int DEFAULT_TLS_FRAMED_PORT = 8444;
    public static final int DEFAULT_MAX_FRAME = 1024 * 1024;
    public static final int DEFAULT_BACKLOG = Limits.DEFAULT_BACKLOG;
    public static final int DEFAULT_READ_BUFFER = 64 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_UDP_PENDING_REPLIES = UdpLimits.DEFAULT_MAX_PENDING_REPLIES;
    public static final int DEFAULT_DATAGRAM_BUDGET = UdpLimits.DEFAULT_RECEIVE_BUDGET;
    public static final Duration DEFAULT_SPIN_FOR = Duration.ofNanos(50_000);
    public static final int DEFAULT_METRICS_MAX_CONNECTIONS = MetricsEndpoint.DEFAULT_MAX_CONNECTIONS;
    /** The mode of the AF_UNIX socket files: owner and group may connect (connecting needs write permission). */
    public static final String DEFAULT_UNIX_MODE = "rw-rw----";
    /** The metrics port (and its dashboard) binds loopback whatever {@code --host} says, unless told otherwise. */
    public static final String DEFAULT_METRICS_HOST = "127.0.0.1";
    public static final int DEFAULT_DASHBOARD_MAX_CLIENTS = MetricsEndpoint.DEFAULT_DASHBOARD_MAX_CLIENTS;
    public static final int DEFAULT_CHAT_MAX_LINE = ChatRoom.DEFAULT_MAX_LINE;
    public static final long DEFAULT_CHAT_MAX_PENDING = ChatRoom.DEFAULT_MAX_PENDING;
    public static final Duration DEFAULT_PROXY_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_DRAIN_DELAY = Duration.ZERO;
    public static final AcceptMode DEFAULT_ACCEPT_MODE = AcceptMode.HANDOFF;

    private final Builder b;

    private ServerConfig(Builder b) {
        this.b = b.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return b.copy();
    }

    public String host() { return b.host; }
    public int tcpPort() { return b.tcpPort; }
    public int framedPort() { return b.framedPort; }
    public int udpPort() { return b.udpPort; }
    public int metricsPort() { return b.metricsPort; }
    public ZoneId zone() { return b.zone; }
    public int maxFrame() { return b.maxFrame; }
    public int backlog() { return b.backlog; }
    public int readBufferSize() { return b.readBufferSize; }
    public Limits limits() { return b.limits; }
    public Duration shutdownTimeout() { return b.shutdownTimeout; }
    public int udpPendingReplies() { return b.udpPendingReplies; }
    public int datagramBudget() { return b.datagramBudget; }
    public boolean trace() { return b.trace; }
    public String reactorName() { return b.reactorName; }
    public InstantSource clock() { return b.clock; }
    public int metricsMaxConnections() { return b.metricsMaxConnections; }
    public SelectStrategy selectStrategy() { return b.selectStrategy; }
    public Duration spinFor() { return b.spinFor; }
    /** The upper-echo's AF_UNIX socket path, or null (the default): not served over AF_UNIX. */
    public Path unixTcpPath() { return b.unixTcpPath; }
    /** The framed echo's AF_UNIX socket path, or null (the default). */
    public Path unixFramedPath() { return b.unixFramedPath; }
    /** The permissions given to the socket files, as {@code rw-rw----}. */
    public String unixMode() { return b.unixMode; }
    public int tlsTcpPort() { return b.tlsTcpPort; }
    public int tlsFramedPort() { return b.tlsFramedPort; }
    public int tlsChatPort() { return b.tlsChatPort; }
    public int tlsKvPort() { return b.tlsKvPort; }
    /** The certificate and settings of every TLS port; null when none is on. */
    public TlsContext tls() { return b.tls; }
    public int chatPort() { return b.chatPort; }
    public int chatMaxLine() { return b.chatMaxLine; }
    public long chatMaxPending() { return b.chatMaxPending; }
    /** SO_REUSEPORT on the service ports (not metrics), so several serve processes can share them. */
    public boolean reusePort() { return b.reusePort; }
    /** Whether the TCP service listeners (not metrics) expect a PROXY protocol header first. */
    public boolean proxyProtocol() { return b.proxyProtocol; }
    public Duration proxyTimeout() { return b.proxyTimeout; }
    /** How long, after SIGTERM, /health answers 503 while the listeners stay open, before the graceful shutdown. */
    public Duration drainDelay() { return b.drainDelay; }
    /** How many reactor threads serve the services (default 1: everything on one thread, as always). */
    public int reactors() { return b.reactors; }
    /** With several reactors, how new connections are spread over them. */
    public AcceptMode acceptMode() { return b.acceptMode; }
    public String metricsHost() { return b.metricsHost; }
    public int dashboardMaxClients() { return b.dashboardMaxClients; }
    /** The Redis-protocol key-value service's port; off ({@link #DISABLED}) unless asked for. */
    public int kvPort() { return b.kvPort; }
    public KvSettings kvSettings() { return b.kvSettings; }

    /** Fluent settings; every field starts at its documented default. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int tcpPort = DEFAULT_TCP_PORT;
        private int framedPort = DEFAULT_FRAMED_PORT;
        private int udpPort = DEFAULT_UDP_PORT;
        private int metricsPort = DISABLED;
        private ZoneId zone = ZoneId.systemDefault();
        private int maxFrame = DEFAULT_MAX_FRAME;
        private int backlog = DEFAULT_BACKLOG;
        private int readBufferSize = DEFAULT_READ_BUFFER;
        private Limits limits = Limits.DEFAULTS;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private int udpPendingReplies = DEFAULT_UDP_PENDING_REPLIES;
        private int datagramBudget = DEFAULT_DATAGRAM_BUDGET;
        private boolean trace;
        private String reactorName = "reactor-0";
        private InstantSource clock = InstantSource.system();
        private int metricsMaxConnections = DEFAULT_METRICS_MAX_CONNECTIONS;
        private SelectStrategy selectStrategy = SelectStrategy.BLOCK;
        private Duration spinFor = DEFAULT_SPIN_FOR;
        private Path unixTcpPath;
        private Path unixFramedPath;
        private String unixMode = DEFAULT_UNIX_MODE;
        private int tlsTcpPort = DISABLED;
        private int tlsFramedPort = DISABLED;
        private int tlsChatPort = DISABLED;
        private int tlsKvPort = DISABLED;
        private TlsContext tls;
        private int chatPort = DISABLED;
        private int chatMaxLine = DEFAULT_CHAT_MAX_LINE;
        private long chatMaxPending = DEFAULT_CHAT_MAX_PENDING;
        private boolean reusePort;
        private boolean proxyProtocol;
        private Duration proxyTimeout = DEFAULT_PROXY_TIMEOUT;
        private Duration drainDelay = DEFAULT_DRAIN_DELAY;
        private int reactors = 1;
        private AcceptMode acceptMode = DEFAULT_ACCEPT_MODE;
        private String metricsHost = DEFAULT_METRICS_HOST;
        private int dashboardMaxClients = DEFAULT_DASHBOARD_MAX_CLIENTS;
        private int kvPort = DISABLED;
        private KvSettings kvSettings = KvSettings.DEFAULTS;

        private Builder() {
        }

        /** Every port 0: what tests and in-process comparisons want. */
        public Builder ephemeralPorts() {
            tcpPort = 0;
            framedPort = 0;
            udpPort = 0;
            return this;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder tcpPort(int v) { tcpPort = port(v); return this; }
        public Builder framedPort(int v) { framedPort = port(v); return this; }
        public Builder udpPort(int v) { udpPort = port(v); return this; }
        public Builder metricsPort(int v) { metricsPort = port(v); return this; }
        public Builder metricsHost(String v) { metricsHost = java.util.Objects.requireNonNull(v); return this; }
        public Builder dashboardMaxClients(int v) { dashboardMaxClients = atLeast(v, 0, "dashboard max clients"); return this; }
        public Builder zone(ZoneId v) { zone = v; return this; }
        public Builder maxFrame(int v) { maxFrame = atLeast(v, 0, "max frame"); return this; }
        public Builder backlog(int v) { backlog = atLeast(v, 1, "backlog"); return this; }
        public Builder readBufferSize(int v) { readBufferSize = atLeast(v, 1024, "read buffer"); return this; }
        public Builder limits(Limits v) { limits = v; return this; }
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }
        public Builder udpPendingReplies(int v) { udpPendingReplies = atLeast(v, 0, "UDP pending replies"); return this; }
        public Builder datagramBudget(int v) { datagramBudget = atLeast(v, 1, "datagram budget"); return this; }
        public Builder trace(boolean v) { trace = v; return this; }
        public Builder reactorName(String v) { reactorName = v; return this; }
        public Builder clock(InstantSource v) { clock = v; return this; }
        public Builder selectStrategy(SelectStrategy v) { selectStrategy = v; return this; }
        public Builder spinFor(Duration v) { spinFor = v; return this; }
        public Builder unixTcpPath(Path v) { unixTcpPath = v; return this; }
        public Builder unixFramedPath(Path v) { unixFramedPath = v; return this; }
        /** Permissions in {@code ls} form, e.g. {@code rw-rw----}. */
        public Builder unixMode(String v) { PosixFilePermissions.fromString(v); unixMode = v; return this; }
        /** Upper-echo over TLS (default off). */
        public Builder tlsTcpPort(int v) { tlsTcpPort = port(v); return this; }
        /** Framed upper-echo over TLS (default off). */
        public Builder tlsFramedPort(int v) { tlsFramedPort = port(v); return this; }
        /** The chat room over TLS (default off); the same room as {@code --chat}'s. */
        public Builder tlsChatPort(int v) { tlsChatPort = port(v); return this; }
        /** The key-value service over TLS (default off); the same keys as {@code --kv}'s. */
        public Builder tlsKvPort(int v) { tlsKvPort = port(v); return this; }
        public Builder tls(TlsContext v) { tls = v; return this; }
        public Builder metricsMaxConnections(int v) { metricsMaxConnections = atLeast(v, 1, "metrics max connections"); return this; }
        /** The chat room's port; off ({@link #DISABLED}) unless asked for, and not moved by {@link #ephemeralPorts}. */
        public Builder chatPort(int v) { chatPort = port(v); return this; }
        public Builder chatMaxLine(int v) { chatMaxLine = atLeast(v, 1, "chat max line"); return this; }
        public Builder chatMaxPending(long v) {
            if (v < 1) {
                throw new IllegalArgumentException("chat max pending must be >= 1, got " + v);
            }
            chatMaxPending = v;
            return this;
        }
        public Builder kvPort(int v) { kvPort = port(v); return this; }
        public Builder kvSettings(KvSettings v) { kvSettings = v; return this; }

        public Builder reusePort(boolean v) { reusePort = v; return this; }
        public Builder proxyProtocol(boolean v) { proxyProtocol = v; return this; }
        public Builder proxyTimeout(Duration v) {
            if (v.isZero() || v.isNegative()) {
                throw new IllegalArgumentException("proxy timeout must be positive, got " + v);
            }
            proxyTimeout = v;
            return this;
        }
        public Builder drainDelay(Duration v) {
            if (v.isNegative()) {
                throw new IllegalArgumentException("drain delay must not be negative, got " + v);
            }
            drainDelay = v;
            return this;
        }

        public Builder reactors(int v) { reactors = atLeast(v, 1, "reactors"); return this; }
        public Builder acceptMode(AcceptMode v) { acceptMode = java.util.Objects.requireNonNull(v); return this; }

        public ServerConfig build() {
            if (tls == null && (tlsTcpPort != DISABLED || tlsFramedPort != DISABLED || tlsChatPort != DISABLED
                    || tlsKvPort != DISABLED)) {
                throw new IllegalArgumentException("a TLS port needs a certificate and key (a TlsContext)");
            }
            return new ServerConfig(this);
        }

        private Builder copy() {
            Builder c = new Builder();
            c.host = host;
            c.tcpPort = tcpPort;
            c.framedPort = framedPort;
            c.udpPort = udpPort;
            c.metricsPort = metricsPort;
            c.zone = zone;
            c.maxFrame = maxFrame;
            c.backlog = backlog;
            c.readBufferSize = readBufferSize;
            c.limits = limits;
            c.shutdownTimeout = shutdownTimeout;
            c.udpPendingReplies = udpPendingReplies;
            c.datagramBudget = datagramBudget;
            c.trace = trace;
            c.reactorName = reactorName;
            c.clock = clock;
            c.metricsMaxConnections = metricsMaxConnections;
            c.selectStrategy = selectStrategy;
            c.spinFor = spinFor;
            c.unixTcpPath = unixTcpPath;
            c.unixFramedPath = unixFramedPath;
            c.unixMode = unixMode;
            c.tlsTcpPort = tlsTcpPort;
            c.tlsFramedPort = tlsFramedPort;
            c.tlsChatPort = tlsChatPort;
            c.tlsKvPort = tlsKvPort;
            c.tls = tls;
            c.chatPort = chatPort;
            c.chatMaxLine = chatMaxLine;
            c.chatMaxPending = chatMaxPending;
            c.reusePort = reusePort;
            c.proxyProtocol = proxyProtocol;
            c.proxyTimeout = proxyTimeout;
            c.drainDelay = drainDelay;
            c.reactors = reactors;
            c.acceptMode = acceptMode;
            c.metricsHost = metricsHost;
            c.dashboardMaxClients = dashboardMaxClients;
            c.kvPort = kvPort;
            c.kvSettings = kvSettings;
            return c;
        }

        private static int port(int v) {
            if (v < -1 || v > 65_535) {
                throw new IllegalArgumentException("port must be -1 (off), 0 (any free port) or 1-65535, got " + v);
            }
            return v;
        }

        private static int atLeast(int v, int min, String what) {
            if (v < min) {
                throw new IllegalArgumentException(what + " must be >= " + min + ", got " + v);
            }
            return v;
        }
    }
}
