package nioreactor.client;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A blocking connection to one of the two upper-echo services: send some bytes, get back their whole upper-cased echo.
 * The {@code client} command talks through this, whichever protocol it was asked to use.
 */
public interface EchoClient extends AutoCloseable {

    /**
     * Sends {@code request} and returns the server's whole answer to it (same length, ASCII letters upper-cased).
     *
     * @throws java.net.SocketTimeoutException when the server stops answering for longer than the read timeout
     * @throws java.io.EOFException            when the server closes the connection before the answer is complete
     * @throws IOException                     on any other I/O error (e.g. the connection was reset)
     */
    byte[] send(byte[] request) throws IOException;

    /** The server: an {@code InetSocketAddress}, or a {@code UnixDomainSocketAddress} for AF_UNIX. */
    SocketAddress remoteAddress();

    @Override
    void close() throws IOException;
}
