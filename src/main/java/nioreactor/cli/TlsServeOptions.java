package nioreactor.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import nioreactor.reactor.TlsContext;
import nioreactor.reactor.TlsContext.ClientAuth;
import nioreactor.server.ServerConfig;
import nioreactor.tls.TlsFileException;
import nioreactor.tls.TlsFiles;
import nioreactor.tls.TlsFiles.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code serve}'s TLS options, a picocli mixin: the TLS ports, where the certificate and key come from, and the few
 * choices about the handshake. {@link #load} turns them into a {@link TlsContext}; {@link #reload} re-reads the files
 * on SIGHUP.
 */
final class TlsServeOptions {
    private static final Logger log = LoggerFactory.getLogger(TlsServeOptions.class);

    /** Where delegated tasks run; see the README's TLS section for the measurement behind the default. */
    enum Tasks { INLINE, POOL }

    @Option(names = "--tls-tcp", paramLabel = "PORT", description = "Upper-echo over TLS on this port (default: off).")
    int tcpPort = ServerConfig.DISABLED;

    @Option(names = "--tls-framed", paramLabel = "PORT", description = "Framed upper-echo over TLS on this port (default: off).")
    int framedPort = ServerConfig.DISABLED;

    @Option(names = "--tls-chat", paramLabel = "PORT", description = "The chat room over TLS on this port, the same room as --chat's (default: off).")
    int chatPort = ServerConfig.DISABLED;

    @Option(names = "--tls-kv", paramLabel = "PORT", description = "The key-value service over TLS on this port, the same keys as --kv's (default: off).")
    int kvPort = ServerConfig.DISABLED;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain, server certificate first (with --tls-key).")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert: unencrypted PKCS#8, RSA or EC (what openssl req -nodes writes).")
    Path key;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS#12 keystore with the key and certificate, instead of --tls-cert/--tls-key.")
    Path keystore;

    @Option(names = "--tls-keystore-password", paramLabel = "PASSWORD", arity = "1",
            defaultValue = "${env:NIOREACTOR_TLS_KEYSTORE_PASSWORD}",
            description = "Password of --tls-keystore (default: the environment variable NIOREACTOR_TLS_KEYSTORE_PASSWORD, which ps does not show).")
    String keystorePassword;

    @Option(names = "--tls-protocols", paramLabel = "LIST", split = ",",
            description = "TLS protocols offered, comma-separated (default: TLSv1.3,TLSv1.2).")
    List<String> protocols = TlsContext.DEFAULT_PROTOCOLS;

    @Option(names = "--tls-ciphers", paramLabel = "LIST", split = ",",
            description = "Cipher suites offered, comma-separated IANA names such as TLS_AES_128_GCM_SHA256 (default: the JDK's for those protocols).")
    List<String> ciphers = List.of();

    @Option(names = "--tls-client-auth", paramLabel = "none|want|need", converter = ClientAuthConverter.class,
            description = "Ask clients for a certificate signed by --tls-ca: want serves those without one, need refuses them (default: none).")
    ClientAuth clientAuth = ClientAuth.NONE;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "PEM certificates that client certificates must chain to.")
    Path ca;

    @Option(names = "--tls-handshake-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Close a connection whose TLS handshake is not done after this long (default: 10s)."
                    + Converters.DURATION_SECONDS)
    Duration handshakeTimeout = TlsContext.DEFAULT_HANDSHAKE_TIMEOUT;

    @Option(names = "--tls-tasks", paramLabel = "inline|pool", converter = TasksConverter.class,
            description = "Where the handshake's delegated tasks run: on a pool of two threads while that connection waits (default; "
                    + "the other connections' p99 latency during a burst of handshakes was 2-5x lower, see the README), or inline on the reactor thread.")
    Tasks tasks = Tasks.POOL;

    private ExecutorService pool;

    boolean anyPort() {
        return tcpPort != ServerConfig.DISABLED || framedPort != ServerConfig.DISABLED
                || chatPort != ServerConfig.DISABLED || kvPort != ServerConfig.DISABLED;
    }

    private boolean anyFile() {
        return cert != null || key != null || keystore != null;
    }

    /**
     * The TLS context for the TLS ports, or null when none is on. A wrong combination of options is a
     * {@link ParameterException} (usage error); a file that cannot be used is a {@link TlsFileException}, whose
     * message is the one line to print.
     */
    TlsContext load(CommandLine cli) throws TlsFileException {
        if (!anyPort()) {
            if (anyFile()) {
                throw new ParameterException(cli, "a TLS certificate is given but no TLS port: add --tls-tcp, --tls-framed, --tls-chat or --tls-kv PORT");
            }
            return null;
        }
        if (keystore != null && (cert != null || key != null)) {
            throw new ParameterException(cli, "give either --tls-cert and --tls-key, or --tls-keystore, not both");
        }
        if (keystore == null && (cert == null || key == null)) {
            throw new ParameterException(cli, cert == null && key == null
                    ? "a TLS port needs a certificate: --tls-cert FILE --tls-key FILE, or --tls-keystore FILE"
                    : (cert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key"));
        }
        if (keystore != null && keystorePassword == null) {
            throw new ParameterException(cli, "--tls-keystore needs --tls-keystore-password (or NIOREACTOR_TLS_KEYSTORE_PASSWORD)");
        }
        if (clientAuth != ClientAuth.NONE && ca == null) {
            throw new ParameterException(cli, "--tls-client-auth " + clientAuth.name().toLowerCase() + " needs --tls-ca FILE");
        }
        ServerIdentity identity = identity();
        TlsContext.Builder builder = TlsContext.server(identity.context())
                .clientAuth(clientAuth)
                .handshakeTimeout(handshakeTimeout);
        try {
            builder.protocols(protocols).cipherSuites(ciphers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cli, (e.getMessage().contains("protocol") ? "--tls-protocols: " : "--tls-ciphers: ")
                    + e.getMessage());
        }
        if (tasks == Tasks.POOL) {
            pool = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "tls-tasks");
                t.setDaemon(true);
                return t;
            });
            builder.delegatedTasks(pool);
        }
        return builder.build();
    }

    /** SIGHUP: new handshakes get the files as they are now; a file that cannot be used keeps the old ones. */
    void reload(TlsContext tls) {
        try {
            tls.reload(identity().context());
            log.info("TLS certificate and key reloaded from {}", keystore != null ? keystore : cert + " and " + key);
        } catch (TlsFileException | RuntimeException e) {
            log.warn("TLS reload failed, still serving the previous certificate: {}", e.getMessage());
        }
    }

    private ServerIdentity identity() throws TlsFileException {
        ServerIdentity identity = keystore != null
                ? TlsFiles.fromKeystore(keystore, keystorePassword.toCharArray(), ca)
                : TlsFiles.fromPem(cert, key, ca);
        String warning = identity.validityWarning(Instant.now());
        if (warning != null) {
            log.warn("{}", warning);
        }
        return identity;
    }

    /** Ends the task pool, if any, once the server is down. */
    void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    static final class ClientAuthConverter implements CommandLine.ITypeConverter<ClientAuth> {
        @Override
        public ClientAuth convert(String value) {
            return switch (value.toLowerCase()) {
                case "none" -> ClientAuth.NONE;
                case "want" -> ClientAuth.WANT;
                case "need" -> ClientAuth.NEED;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not none, want or need");
            };
        }
    }

    static final class TasksConverter implements CommandLine.ITypeConverter<Tasks> {
        @Override
        public Tasks convert(String value) {
            return switch (value.toLowerCase()) {
                case "inline" -> Tasks.INLINE;
                case "pool" -> Tasks.POOL;
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not inline or pool");
            };
        }
    }
}
