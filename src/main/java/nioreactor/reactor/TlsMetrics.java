package nioreactor.reactor;

import java.util.EnumMap;
import java.util.Map;

/**
 * The TLS counters of one reactor, registered as service counters on its first TLS connection, so they show in
 * {@code /metrics}, JMX and {@code stats} (as {@code nioreactor_tls_...}) only where TLS is used. The ciphertext is
 * what the reactor's own {@code bytes_read_total}/{@code bytes_written_total} count on a TLS connection; these add the
 * plaintext and the handshakes. Reactor thread only, like every counter.
 */
final class TlsMetrics {

    /** Why a handshake failed; each has its own counter, {@code tls_handshake_failures_<label>_total}. */
    enum Failure {
        /** Not finished within the handshake timeout (a TLS slowloris, or a peer that went away silently). */
        TIMEOUT("timeout"),
        /** The peer closed or reset the connection before the handshake finished (e.g. a truncated ClientHello). */
        EOF("eof"),
        /** The first bytes were not a TLS record at all: plaintext to a TLS port. */
        NOT_TLS("not_tls"),
        /** A malformed or oversized record or handshake message. */
        PROTOCOL("protocol"),
        /**
         * The handshake itself was refused: no protocol or cipher suite in common, a certificate the other side does
         * not trust, a client certificate required and missing.
         */
        REFUSED("refused");

        final String label;

        Failure(String label) {
            this.label = label;
        }
    }

    final Counter handshakes;
    final Counter renegotiationsRefused;
    final Counter recordErrors;
    final Counter plaintextRead;
    final Counter plaintextWritten;
    private final Map<Failure, Counter> failures = new EnumMap<>(Failure.class);

    TlsMetrics(Reactor reactor) {
        handshakes = reactor.counter("tls_handshakes_total", "TLS handshakes completed");
        for (Failure f : Failure.values()) {
            failures.put(f, reactor.counter("tls_handshake_failures_" + f.label + "_total",
                    "TLS handshakes failed: " + f.label));
        }
        renegotiationsRefused = reactor.counter("tls_renegotiations_refused_total",
                "TLS 1.2 renegotiations started by a client, refused by closing the connection");
        recordErrors = reactor.counter("tls_record_errors_total",
                "TLS connections closed after the handshake for a bad record (bad MAC, garbage, unexpected message)");
        plaintextRead = reactor.counter("tls_plaintext_bytes_read_total", "Plaintext bytes unwrapped from TLS records");
        plaintextWritten = reactor.counter("tls_plaintext_bytes_written_total", "Plaintext bytes wrapped into TLS records");
    }

    void failed(Failure why) {
        failures.get(why).increment();
    }
}
