package nioreactor.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The time service did not answer any of the attempts: it is down, unreachable, or every datagram was lost. */
public final class NoReplyException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    NoReplyException(InetSocketAddress server, int attempts, Duration timeout) {
        super("no reply from " + server.getAddress().getHostAddress() + ":" + server.getPort() + " after "
                + attempts + (attempts == 1 ? " attempt" : " attempts") + " (" + timeout.toMillis() + " ms each)");
        this.attempts = attempts;
    }

    public int attempts() {
        return attempts;
    }
}
