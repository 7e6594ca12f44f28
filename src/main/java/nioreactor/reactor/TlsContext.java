package nioreactor.reactor;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * TLS for a listener ({@link Reactor#listen(String, java.net.SocketAddress, Limits, TlsContext, java.util.function.Supplier)})
 * or an outbound connection ({@link Reactor#connect(java.net.SocketAddress, Limits, Duration, TlsContext, StreamHandler)}):
 * an {@link SSLContext} (certificate, key, trust) plus the few choices a server makes about it. The connection then
 * runs its {@link StreamHandler} over TLS unchanged: the handler sees plaintext, and hears {@link StreamHandler#onOpen}
 * only once the handshake is done.
 *
 * <p>Build one with {@link #server} or {@link #client}. Immutable but for {@link #reload}, which swaps the
 * {@code SSLContext} for new handshakes (a certificate renewed on SIGHUP) while open connections keep theirs. Any thread.
 */
public final class TlsContext {
    /** Only these unless told otherwise: everything older is broken or deprecated (RFC 8996). */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** How long a connection may take to finish its handshake before it is closed (a TLS slowloris). */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Whether a server asks its clients for a certificate (mutual TLS). */
    public enum ClientAuth {
        /** Does not ask. */
        NONE,
        /** Asks; a client without one is still served. */
        WANT,
        /** Asks, and fails the handshake of a client without a certificate its trust store accepts. */
        NEED
    }

    private final boolean clientMode;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final ClientAuth clientAuth;
    private final Duration handshakeTimeout;
    private final String peerHost;
    private final Executor delegatedTasks;
    private volatile SSLContext sslContext;

    private TlsContext(Builder b) {
        this.clientMode = b.clientMode;
        this.sslContext = b.sslContext;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.clientAuth = b.clientAuth;
        this.handshakeTimeout = b.handshakeTimeout;
        this.peerHost = b.peerHost;
        this.delegatedTasks = b.delegatedTasks;
    }

    /**
     * Settings for the server side of TLS.
     *
     * @param context holds the certificate and key (its key managers) and, for client certificates, what to trust
     * @return a builder with every other setting at its default
     */
    public static Builder server(SSLContext context) {
        return new Builder(false, context);
    }

    /**
     * Settings for the client side of TLS, trusting what {@code context}'s trust managers trust. Set
     * {@link Builder#peerHost} to have the server's certificate checked against a host name, as HTTPS does.
     *
     * @param context what to trust (its trust managers) and, for mutual TLS, the client's own certificate and key
     * @return a builder with every other setting at its default
     */
    public static Builder client(SSLContext context) {
        return new Builder(true, context);
    }

    /**
     * Uses {@code context} for every handshake from now on; connections already open are not touched. Any thread.
     *
     * @param context the new certificate and key (e.g. renewed), and trust
     */
    public void reload(SSLContext context) {
        sslContext = Objects.requireNonNull(context, "context");
    }

    /** {@return the context new handshakes use} */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** {@return true for a client context ({@link #client}), false for a server one} */
    public boolean clientMode() {
        return clientMode;
    }

    /** {@return the protocols offered, e.g. TLSv1.3 and TLSv1.2} */
    public List<String> protocols() {
        return protocols;
    }

    /** {@return the cipher suites enabled, or an empty list for the JDK's defaults} */
    public List<String> cipherSuites() {
        return cipherSuites;
    }

    /** {@return whether a server asks for client certificates} */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** {@return how long a handshake may take before its connection is closed} */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Null when delegated tasks run inline on the reactor thread (the default). */
    Executor delegatedTasks() {
        return delegatedTasks;
    }

    /** A new engine for one connection, set up with these settings. */
    SSLEngine newEngine(String remoteHost, int remotePort) {
        SSLEngine engine = clientMode && peerHost != null
                ? sslContext.createSSLEngine(peerHost, remotePort)
                : sslContext.createSSLEngine(remoteHost, remotePort);
        engine.setUseClientMode(clientMode);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(protocols.toArray(String[]::new));
        if (!cipherSuites.isEmpty()) {
            params.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        if (clientMode) {
            if (peerHost != null) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
        } else {
            params.setNeedClientAuth(clientAuth == ClientAuth.NEED);
            if (clientAuth == ClientAuth.WANT) {
                params.setWantClientAuth(true);
            }
        }
        engine.setSSLParameters(params);
        return engine;
    }

    @Override
    public String toString() {
        return (clientMode ? "TLS client " : "TLS server ") + protocols
                + (cipherSuites.isEmpty() ? "" : " " + cipherSuites) + (clientMode ? "" : " client-auth " + clientAuth);
    }

    /** Fluent settings; each starts at its documented default. Not thread-safe; build on one thread. */
    public static final class Builder {
        private final boolean clientMode;
        private final SSLContext sslContext;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> cipherSuites = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private String peerHost;
        private Executor delegatedTasks;

        private Builder(boolean clientMode, SSLContext sslContext) {
            this.clientMode = clientMode;
            this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        }

        /**
         * The protocols offered (default TLSv1.3 and TLSv1.2). Each must be one the JDK knows, e.g. "TLSv1.3".
         *
         * @param v the protocols, most preferred first
         * @return this builder
         * @throws IllegalArgumentException naming the first unknown protocol
         */
        public Builder protocols(List<String> v) {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("at least one TLS protocol is needed");
            }
            List<String> known = List.of(sslContext.getSupportedSSLParameters().getProtocols());
            for (String p : v) {
                if (!known.contains(p)) {
                    throw new IllegalArgumentException("unknown TLS protocol '" + p + "' (this JDK knows " + known + ")");
                }
            }
            protocols = List.copyOf(v);
            return this;
        }

        /**
         * The cipher suites offered, in IANA names such as TLS_AES_128_GCM_SHA256 (default: the JDK's, for the
         * protocols above); an empty list restores the default.
         *
         * @param v the suites, most preferred first
         * @return this builder
         * @throws IllegalArgumentException naming the first suite this JDK does not support
         */
        public Builder cipherSuites(List<String> v) {
            List<String> known = List.of(sslContext.getSupportedSSLParameters().getCipherSuites());
            for (String c : v) {
                if (!known.contains(c)) {
                    throw new IllegalArgumentException("unknown cipher suite '" + c + "'");
                }
            }
            cipherSuites = List.copyOf(v);
            return this;
        }

        /**
         * Whether a server asks clients for a certificate (default {@link ClientAuth#NONE}). Server side only.
         *
         * @param v none, want or need
         * @return this builder
         */
        public Builder clientAuth(ClientAuth v) {
            clientAuth = Objects.requireNonNull(v);
            return this;
        }

        /**
         * How long a handshake may take before the connection is closed (default 10 s).
         *
         * @param v a positive duration
         * @return this builder
         */
        public Builder handshakeTimeout(Duration v) {
            if (v.isNegative() || v.isZero()) {
                throw new IllegalArgumentException("the TLS handshake timeout must be positive, got " + v);
            }
            handshakeTimeout = v;
            return this;
        }

        /**
         * Client side: the host name sent in SNI and checked against the server's certificate (default: none, so no
         * host name check: only the trust chain is verified).
         *
         * @param v the server's host name, e.g. "localhost"
         * @return this builder
         */
        public Builder peerHost(String v) {
            peerHost = v;
            return this;
        }

        /**
         * Where the engine's delegated tasks (certificate checks, key exchange) run: null (the default) runs them
         * inline on the reactor thread; an executor runs them there while the connection stops reading, and the
         * handshake resumes on the reactor thread once they are done. The README says which serves the other
         * connections better during a burst of handshakes.
         *
         * @param v the pool, or null for inline
         * @return this builder
         */
        public Builder delegatedTasks(Executor v) {
            delegatedTasks = v;
            return this;
        }

        /** {@return the settings, ready for {@link Reactor#listen} or {@link Reactor#connect}} */
        public TlsContext build() {
            return new TlsContext(this);
        }
    }
}
