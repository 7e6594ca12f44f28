package nioreactor.client;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS for the blocking clients ({@code client --tls}): a connected socket is wrapped in an {@link SSLSocket} and its
 * handshake done before the first line goes out, so a certificate problem shows at connect time, not mid-session.
 *
 * @param context    what to trust (the JDK's trust store, a {@code --cafile}, or anything with {@code --insecure})
 * @param serverName the host name sent in SNI and checked against the server's certificate
 * @param checkName  false with {@code --insecure}: nothing about the certificate is checked
 */
public record ClientTls(SSLContext context, String serverName, boolean checkName) {

    /** Wraps {@code plain} (connected) and finishes the handshake; closes it on failure. */
    Socket handshake(Socket plain) throws IOException {
        try {
            SSLSocket socket = (SSLSocket) context.getSocketFactory()
                    .createSocket(plain, serverName, plain.getPort(), true);
            if (checkName) {
                SSLParameters params = socket.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS"); // the name in the certificate must be the host's
                socket.setSSLParameters(params);
            }
            socket.startHandshake();
            return socket;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }
}
