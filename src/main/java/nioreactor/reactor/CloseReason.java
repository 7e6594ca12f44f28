package nioreactor.reactor;

/** Why a connection was closed; told to {@link StreamHandler#onClose}, shown in trace lines and counted in the metrics. */
public enum CloseReason {
    /** The peer sent FIN (Python's empty {@code recv}) and every pending reply was flushed. */
    PEER_EOF("peer-eof"),
    /** The peer reset the connection, or a read or write failed. */
    RESET("reset"),
    /** No read and no write progress for the idle timeout. */
    IDLE("idle"),
    /** Output pending with no write progress for {@code --write-timeout}: the peer stopped reading. */
    WRITE_TIMEOUT("write-timeout"),
    /**
     * Over its listener's maximum connections: accepted and closed at once. Counted only: no handler is made for such
     * a connection, so none hears of it.
     */
    LIMIT("limit"),
    /** The peer broke the protocol (e.g. a frame over {@code --max-frame}). */
    PROTOCOL_ERROR("protocol-error"),
    /** The handler closed it on purpose, e.g. because the client asked to quit. */
    LOCAL("local"),
    /**
     * The handler cut a peer that reads too slowly: its pending output passed a limit of the service's (a chat room's
     * {@code --chat-max-pending}, as Redis's {@code client-output-buffer-limit}).
     */
    SLOW_CONSUMER("slow-consumer"),
    /**
     * TLS failed: a handshake the engine refused (plaintext to a TLS port, no protocol or cipher in common, a missing
     * client certificate), a bad record, or a TLS 1.2 renegotiation the client started.
     */
    TLS_ERROR("tls-error"),
    /** The TLS handshake did not finish within its timeout. */
    HANDSHAKE_TIMEOUT("handshake-timeout"),
    /** A handler threw something unexpected; only this connection pays for it. */
    HANDLER_ERROR("handler-error"),
    /** The server is shutting down. */
    SHUTDOWN("shutdown");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    /** {@return the short form used in traces and metric labels} */
    public String label() {
        return label;
    }
}
