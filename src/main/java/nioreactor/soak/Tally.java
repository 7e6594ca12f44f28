package nioreactor.soak;

import java.util.concurrent.atomic.AtomicLong;

/** What the soak's loads did, counted from every load thread at once. */
final class Tally {
    private static final int ERRORS_SHOWN = 20;

    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong bytesVerified = new AtomicLong();
    /** Sent on connections we then reset on purpose: no reply is expected, so these are not in bytesSent. */
    final AtomicLong bytesSentToResets = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final AtomicLong resets = new AtomicLong();
    final AtomicLong datagrams = new AtomicLong();
    final AtomicLong errors = new AtomicLong();

    /** A wrong byte, a missing reply, an unexpected failure: counted, and the first few shown. */
    void error(String load, Throwable cause) {
        long n = errors.incrementAndGet();
        if (n <= ERRORS_SHOWN) {
            System.out.printf("soak: ERROR in %s: %s%n", load, cause);
        }
    }

    String line() {
        return String.format("sent %,d B, verified %,d B (+%,d B sent into resets), connections %,d, resets %,d, "
                        + "datagrams %,d, errors %d", bytesSent.get(), bytesVerified.get(), bytesSentToResets.get(),
                connections.get(), resets.get(), datagrams.get(), errors.get());
    }
}
