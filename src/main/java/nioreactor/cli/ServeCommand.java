package nioreactor.cli;

import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import nioreactor.kv.KvSettings;
import nioreactor.reactor.Limits;
import nioreactor.reactor.SelectStrategy;
import nioreactor.reactor.TlsContext;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import nioreactor.server.ServiceBindException;
import nioreactor.tls.TlsFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code serve}: runs the three services on one reactor until SIGINT or SIGTERM, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Version.class, sortOptions = false,
        description = {"Runs upper-echo (TCP), framed upper-echo (TCP) and time (UDP) on one reactor thread (or N with --reactors).",
            "Ports: 0 picks a free port, -1 turns the service off. Sizes take KiB/MiB; durations take ms/s/m/h (a number alone is seconds)."})
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = ServerConfig.DEFAULT_HOST;

    @Option(names = "--tcp", paramLabel = "PORT", description = "Upper-echo TCP port (default: ${DEFAULT-VALUE}).")
    int tcpPort = ServerConfig.DEFAULT_TCP_PORT;

    @Option(names = "--framed", paramLabel = "PORT", description = "Framed upper-echo TCP port (default: ${DEFAULT-VALUE}).")
    int framedPort = ServerConfig.DEFAULT_FRAMED_PORT;

    @Option(names = "--udp", paramLabel = "PORT", description = "Time service UDP port (default: ${DEFAULT-VALUE}).")
    int udpPort = ServerConfig.DEFAULT_UDP_PORT;

    @Option(names = "--metrics", paramLabel = "PORT",
            description = "Also serve GET /metrics (Prometheus text) and GET / (a live dashboard of the loop) over HTTP on this port, on the same reactor (default: off).")
    int metricsPort = ServerConfig.DISABLED;

    @Option(names = "--unix-tcp", paramLabel = "PATH",
            description = "Also serve upper-echo on an AF_UNIX socket file at PATH (default: off). A stale file is removed; the file is deleted on shutdown.")
    Path unixTcpPath;

    @Option(names = "--unix-framed", paramLabel = "PATH",
            description = "Also serve the framed upper-echo on an AF_UNIX socket file at PATH (default: off).")
    Path unixFramedPath;

    @Option(names = "--unix-mode", paramLabel = "MODE", converter = Converters.ModeConverter.class,
            description = "Permissions of the AF_UNIX socket files, in octal; connecting needs write permission (default: 0660).")
    String unixMode = ServerConfig.DEFAULT_UNIX_MODE;

    @Option(names = "--metrics-host", paramLabel = "ADDRESS",
            description = "Address the metrics port and its dashboard bind (default: ${DEFAULT-VALUE}, loopback, whatever --host says). "
                    + "Anyone who reaches it sees every client's address and traffic sizes.")
    String metricsHost = ServerConfig.DEFAULT_METRICS_HOST;

    @Option(names = "--dashboard-max-clients", paramLabel = "N",
            description = "Dashboard tabs (GET /events on the metrics port) streaming at once; one more gets 503 (default: ${DEFAULT-VALUE}).")
    int dashboardMaxClients = ServerConfig.DEFAULT_DASHBOARD_MAX_CLIENTS;

    @Option(names = "--chat", paramLabel = "PORT",
            description = "Also run the chat room (a line protocol over TCP) on this port, on the same reactor (default: off).")
    int chatPort = ServerConfig.DISABLED;

    @Option(names = "--kv", paramLabel = "PORT",
            description = "Also serve a Redis-protocol key-value store (RESP2, in memory only) on this TCP port, e.g. 6379 (default: off).")
    int kvPort = ServerConfig.DISABLED;

    @Option(names = "--kv-max-memory", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Key-value used memory above which writes get -OOM (Redis's maxmemory, noeviction; 0: no limit) (default: 256MiB).")
    long kvMaxMemory = KvSettings.DEFAULT_MAX_MEMORY;

    @Option(names = "--kv-max-bulk", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Longest key-value argument a request may declare; longer is a protocol error (default: 64MiB).")
    long kvMaxBulk = KvSettings.DEFAULT_MAX_BULK;

    @Option(names = "--kv-max-request", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Most bytes one unfinished key-value request may buffer; more is a protocol error (default: 256MiB).")
    long kvMaxRequest = KvSettings.DEFAULT_MAX_REQUEST;

    @Option(names = "--no-tcp", description = "Turn the upper-echo service off (same as --tcp -1).")
    boolean noTcp;

    @Option(names = "--no-framed", description = "Turn the framed service off (same as --framed -1).")
    boolean noFramed;

    @Option(names = "--no-udp", description = "Turn the time service off (same as --udp -1).")
    boolean noUdp;

    @Option(names = "--zone", converter = Converters.ZoneConverter.class,
            description = "Time zone of the time service, e.g. Europe/Berlin or UTC (default: the system zone).")
    ZoneId zone = ZoneId.systemDefault();

    @Option(names = "--max-frame", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Largest framed payload; a bigger length closes that connection (default: 1MiB).")
    long maxFrame = ServerConfig.DEFAULT_MAX_FRAME;

    @Option(names = "--chat-max-line", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Longest chat line; a longer one gets an ERR and is dropped, the member stays (default: 4KiB).")
    long chatMaxLine = ServerConfig.DEFAULT_CHAT_MAX_LINE;

    @Option(names = "--chat-max-pending", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Output one chat member may have pending; past it, that member is disconnected as a slow consumer (default: 1MiB).")
    long chatMaxPending = ServerConfig.DEFAULT_CHAT_MAX_PENDING;

    @Option(names = "--high-water", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Pending output above which a connection stops being read (default: 1MiB).")
    long highWater = Limits.DEFAULT_HIGH_WATER;

    @Option(names = "--low-water", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Pending output under which a paused connection is read again (default: 256KiB).")
    long lowWater = Limits.DEFAULT_LOW_WATER;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Open TCP connections per service (each listener has its own); one more is accepted and closed at once (default: ${DEFAULT-VALUE}).")
    int maxConnections = Limits.DEFAULT_MAX_CONNECTIONS;

    @Option(names = "--metrics-max-connections", paramLabel = "N",
            description = "Open connections to the metrics port, counted apart from the services' so that a flood of clients cannot lock out /metrics (default: ${DEFAULT-VALUE}).")
    int metricsMaxConnections = ServerConfig.DEFAULT_METRICS_MAX_CONNECTIONS;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Close a TCP connection with no read or write progress this long (default: off)."
                    + Converters.DURATION_SECONDS)
    Duration idleTimeout = Limits.DEFAULT_IDLE_TIMEOUT;

    @Option(names = "--read-budget", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Bytes read from one connection per loop iteration (default: 64KiB).")
    long readBudget = Limits.DEFAULT_READ_BUDGET;

    @Option(names = "--accept-budget", paramLabel = "N",
            description = "Connections accepted per loop iteration (default: ${DEFAULT-VALUE}).")
    int acceptBudget = Limits.DEFAULT_ACCEPT_BUDGET;

    @Option(names = "--accept-backoff", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Pause after accept fails, e.g. out of file descriptors (default: 1s)."
                    + Converters.DURATION_SECONDS)
    Duration acceptBackoff = Limits.DEFAULT_ACCEPT_BACKOFF;

    @Option(names = "--write-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Close a connection whose pending output makes no progress this long: its peer stopped reading (default: 60s; off to disable)."
                    + Converters.DURATION_SECONDS)
    Duration writeTimeout = Limits.DEFAULT_WRITE_TIMEOUT;

    @Option(names = "--linger-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "How long a connection the server closes (bad frame) may flush and wait for the peer's FIN (default: 5s)."
                    + Converters.DURATION_SECONDS)
    Duration lingerTimeout = Limits.DEFAULT_LINGER_TIMEOUT;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "On SIGTERM/SIGINT, how long to flush pending output before closing (default: 5s)."
                    + Converters.DURATION_SECONDS)
    Duration shutdownTimeout = ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT;

    @Option(names = "--backlog", paramLabel = "N", description = "Listen backlog (default: ${DEFAULT-VALUE}).")
    int backlog = ServerConfig.DEFAULT_BACKLOG;

    @Option(names = "--read-buffer", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "The reactor's shared direct read buffer (default: 64KiB).")
    long readBuffer = ServerConfig.DEFAULT_READ_BUFFER;

    @Option(names = "--udp-pending", paramLabel = "N",
            description = "UDP replies kept while the socket is full; more are dropped and counted (default: ${DEFAULT-VALUE}).")
    int udpPending = ServerConfig.DEFAULT_UDP_PENDING_REPLIES;

    @Option(names = "--select-strategy", paramLabel = "block|spin|backoff", converter = Converters.StrategyConverter.class,
            description = {"How the reactor waits when idle: block in select (default; no CPU while idle), spin on selectNow "
                    + "(lowest latency, one core at 100% even when idle), or backoff (spin for --spin-for after the last "
                    + "work, yield as long again, then block). spin and backoff suit a dedicated, pinned core."})
    SelectStrategy selectStrategy = SelectStrategy.BLOCK;

    @Option(names = "--spin-for", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "With --select-strategy backoff: how long to spin after the last work before yielding (default: 50us)."
                    + Converters.DURATION_SECONDS)
    Duration spinFor = ServerConfig.DEFAULT_SPIN_FOR;

    @Option(names = "--reactors", paramLabel = "N|auto", converter = Converters.ReactorsConverter.class,
            description = "Reactor threads (reactor-0 ... reactor-N-1) serving the TCP services; auto is one per core (default: 1, everything on one thread). Each connection lives on one reactor for good.")
    int reactors = 1;

    @Option(names = "--accept-mode", paramLabel = "handoff|reuseport", converter = Converters.AcceptModeConverter.class,
            description = "With --reactors above 1: handoff (reactor-0 accepts and hands each connection to the reactor with the fewest) or reuseport (each reactor listens with SO_REUSEPORT and the kernel spreads connections) (default: handoff).")
    nioreactor.server.AcceptMode acceptMode = ServerConfig.DEFAULT_ACCEPT_MODE;

    @Option(names = "--reuse-port",
            description = "Set SO_REUSEPORT on the service ports (TCP and UDP, not --metrics), so several serve processes on this host can share them; the kernel spreads connections over them. Every process sharing a port must set it.")
    boolean reusePort;

    @Option(names = "--proxy-protocol",
            description = "Expect a PROXY protocol header (v1 or v2, as HAProxy's send-proxy/send-proxy-v2 write it) at the start of every connection to the TCP service ports (not --metrics); the client address it gives shows in logs, --trace and the chat room's /who. Only for ports that only the proxy can reach: a header is trusted as it comes.")
    boolean proxyProtocol;

    @Option(names = "--proxy-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "With --proxy-protocol: a connection whose header is not complete within this is closed (default: 3s)."
                    + Converters.DURATION_SECONDS)
    Duration proxyTimeout = ServerConfig.DEFAULT_PROXY_TIMEOUT;

    @Option(names = "--drain-delay", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "On SIGTERM/SIGINT, first answer GET /health with 503 for this long while still serving and accepting, so a load balancer takes this process out of rotation; then shut down gracefully (default: 0; behind a balancer, a few health-check intervals)."
                    + Converters.DURATION_SECONDS)
    Duration drainDelay = ServerConfig.DEFAULT_DRAIN_DELAY;

    @Option(names = "--trace", description = "Log every reactor event (select, accept, read, write, OP_WRITE, close...).")
    boolean trace;

    @Mixin
    TlsServeOptions tlsOptions = new TlsServeOptions();

    @Spec
    CommandSpec spec;

    /** Loaded from the TLS options by {@link #call} before {@link #config}; null when no TLS port is on. */
    private TlsContext tls;

    private final Terminal terminal;

    ServeCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    ServerConfig config() {
        return ServerConfig.builder()
                .host(host)
                .tcpPort(noTcp ? ServerConfig.DISABLED : tcpPort)
                .framedPort(noFramed ? ServerConfig.DISABLED : framedPort)
                .udpPort(noUdp ? ServerConfig.DISABLED : udpPort)
                .metricsPort(metricsPort)
                .unixTcpPath(unixTcpPath)
                .unixFramedPath(unixFramedPath)
                .unixMode(unixMode)
                .metricsMaxConnections(metricsMaxConnections)
                .metricsHost(metricsHost)
                .dashboardMaxClients(dashboardMaxClients)
                .chatPort(chatPort)
                .chatMaxLine(Converters.toIntSize(chatMaxLine, "--chat-max-line"))
                .chatMaxPending(chatMaxPending)
                .kvPort(kvPort)
                .kvSettings(new KvSettings(kvMaxMemory, kvMaxBulk, kvMaxRequest))
                .zone(zone)
                .maxFrame(Converters.toIntSize(maxFrame, "--max-frame"))
                .backlog(backlog)
                .readBufferSize(Converters.toIntSize(readBuffer, "--read-buffer"))
                .limits(new Limits(highWater, lowWater, Converters.toIntSize(readBudget, "--read-budget"),
                        maxConnections, acceptBudget, acceptBackoff, idleTimeout, lingerTimeout, writeTimeout, backlog))
                .shutdownTimeout(shutdownTimeout)
                .udpPendingReplies(udpPending)
                .trace(trace)
                .selectStrategy(selectStrategy)
                .spinFor(spinFor)
                .reusePort(reusePort)
                .proxyProtocol(proxyProtocol)
                .proxyTimeout(proxyTimeout)
                .drainDelay(drainDelay)
                .reactors(reactors)
                .acceptMode(acceptMode)
                .tlsTcpPort(tlsOptions.tcpPort)
                .tlsFramedPort(tlsOptions.framedPort)
                .tlsChatPort(tlsOptions.chatPort)
                .tlsKvPort(tlsOptions.kvPort)
                .tls(tls)
                .build();
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        try {
            tls = tlsOptions.load(spec.commandLine());
        } catch (TlsFileException e) {
            terminal.err().println("serve: " + e.getMessage());
            return 2; // like a wrong command line: nothing was started, and trying again will not help
        }
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        // Handlers first: a SIGTERM that comes as soon as the "listening" lines are out (a supervisor, a test) must
        // get the graceful shutdown and exit 0, not the JVM's default exit 143.
        CountDownLatch stop = new CountDownLatch(1);
        Signals.Registration signals = Signals.onTerminate(stop::countDown);
        if (signals.intIgnored()) {
            log.info("SIGINT is ignored in this process (inherited: started in the background by a script?);"
                    + " stop it with SIGTERM (kill PID)");
        }
        if (tls != null && !Signals.onHangup(() -> tlsOptions.reload(tls))) {
            log.info("SIGHUP cannot be handled on this JVM; restart serve to load a new TLS certificate");
        }
        Server server;
        try {
            server = Server.start(config);
        } catch (ServiceBindException e) {
            signals.undo().run();
            terminal.err().println("serve: " + bindFailure(e));
            return 1;
        } catch (IOException e) {
            signals.undo().run();
            terminal.err().println("serve: cannot start: " + e.getMessage());
            return 1;
        }
        while (!stop.await(1, TimeUnit.SECONDS)) {
            if (!server.isRunning()) {
                // The loop only ends by itself on an error it cannot survive (logged): a process that stays up but
                // serves nothing would fool a supervisor, so exit non-zero and let it restart us.
                terminal.err().println("serve: the reactor stopped unexpectedly; exiting");
                return 1;
            }
        }
        server.drain();
        if (!drainDelay.isZero()) {
            Thread.sleep(drainDelay.toMillis()); // still serving and accepting: the balancer's checks see the 503
        }
        log.info("signal received; shutting down (up to {} ms)", shutdownTimeout.toMillis());
        server.close();
        tlsOptions.close();
        return 0;
    }

    /**
     * e.g. {@code cannot bind upper-echo to tcp 127.0.0.1:8082: address already in use (is another serve running?
     * --tcp 0 picks a free port)}: which service could not have which port, and the option that moves it.
     */
    static String bindFailure(ServiceBindException e) {
        String option = switch (e.service()) {
            case "upper-echo" -> "--tcp";
            case "framed-echo" -> "--framed";
            case "time" -> "--udp";
            case "metrics" -> "--metrics";
            case "upper-echo-tls" -> "--tls-tcp";
            case "framed-echo-tls" -> "--tls-framed";
            case "chat-tls" -> "--tls-chat";
            case "kv-tls" -> "--tls-kv";
            case "kv" -> "--kv";
            default -> null;
        };
        if (e.protocol().equals("unix")) {
            option = e.service().equals("framed-echo") ? "--unix-framed" : "--unix-tcp";
        }
        Throwable cause = e.getCause() == null ? e : e.getCause();
        String reason = e.reason();
        boolean inUse = cause instanceof BindException && reason.toLowerCase(Locale.ROOT).contains("in use");
        // The JDK's message is "Address already in use" (strerror, capitalised); mid-sentence it reads lower-case.
        if (!reason.isEmpty() && Character.isUpperCase(reason.charAt(0))
                && (reason.length() == 1 || !Character.isUpperCase(reason.charAt(1)))) {
            reason = Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
        }
        StringBuilder line = new StringBuilder("cannot bind ").append(e.service()).append(" to ").append(e.protocol())
                .append(' ').append(e.where()).append(": ").append(reason);
        if (e.protocol().equals("unix")) {
            if (reason.contains("another server is listening")) {
                line.append(" (is another serve running? ").append(option).append(" takes another path)");
            }
        } else if (inUse && option != null) {
            line.append(" (is another serve running? ").append(option).append(" 0 picks a free port)");
        }
        return line.toString();
    }
}
