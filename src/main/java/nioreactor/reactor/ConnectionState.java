package nioreactor.reactor;

/**
 * The life of a TCP connection. Which interest ops a connection wants follows from its state and from whether
 * output is pending, so the two can never disagree:
 *
 * <pre>
 *            water marks                 peer FIN                     queue drained
 *   OPEN  &lt;─────────────&gt;  PAUSED  ───────────────&gt;  INPUT_CLOSED  ───────────────&gt;  CLOSED
 *    │  └──────────────────────────── peer FIN ──────────┘ ↑ peer FIN
 *    │ protocol error, shutdown                            │
 *    └────────────────────────&gt;  DRAINING  ────────────────┘
 *                                   │ queue drained: send FIN
 *                                   └──────&gt;  LINGERING  ── peer FIN, nothing unread, or deadline ──&gt;  CLOSED
 * </pre>
 *
 * Any state goes to CLOSED on an I/O error (reset), the idle timeout, a handler failure or a forced shutdown.
 */
public enum ConnectionState {
    /** Reading, answering, writing. Wants OP_READ (and OP_WRITE while output is pending). */
    OPEN,
    /**
     * Pending output is above the high water mark: we stop reading (OP_READ off) so a client that sends without
     * reading cannot grow our memory; its bytes wait in the kernel, and TCP's own flow control slows it down. Back to
     * OPEN when the queue falls under the low water mark.
     */
    PAUSED,
    /**
     * The peer sent FIN (Python's empty recv): there is nothing more to read, so OP_READ is off (leaving it on would
     * make every select report the EOF again: a spin). Pending replies are flushed, then the connection closes.
     */
    INPUT_CLOSED,
    /**
     * We decided to close (a protocol error, shutdown): no more requests are answered, replies already queued are
     * flushed. Input that keeps arriving is read and thrown away, because closing a socket with unread input makes
     * the kernel send a reset, which can destroy replies still in flight.
     */
    DRAINING,
    /**
     * Everything was flushed and our FIN is sent; waiting briefly for the peer's FIN (discarding its input) so the
     * close is clean. Bounded by the linger deadline.
     */
    LINGERING,
    /** Closed: key cancelled, descriptor released, pending bytes (if any) counted as abandoned. */
    CLOSED
}
