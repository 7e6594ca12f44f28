package nioreactor.load;

/** What the {@link LoadGenerator} sends and how it checks the answer. */
public enum LoadMode {
    /** Raw upper-echo over TCP: S request bytes, answered by the same S bytes upper-cased (a byte stream, no framing). */
    RAW,
    /** Framed upper-echo: a 4-byte big-endian length S and S payload bytes, answered by a frame of the same length. */
    FRAMED,
    /** Connection churn against the raw upper-echo: connect, one request of S bytes, full reply, close, again. */
    CHURN,
    /** The UDP time service: the default format %Y-%m-%d-%X, answered by a time like 2026-11-25-17:12:10. */
    UDP_TIME
}
