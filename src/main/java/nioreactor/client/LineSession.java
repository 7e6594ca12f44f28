package nioreactor.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;

/**
 * {@code client --lines}: an interactive session with a line protocol such as the chat room, where the server speaks
 * whenever it likes, not just in answer. One thread sends each line of standard input as it is typed (bytes as they
 * are, one write per line); the calling thread prints whatever arrives, as it arrives, until the server closes. At end
 * of input the socket's output is shut down (FIN), and the session still prints what the server sends until it
 * closes. Like {@code nc}, but with the project's own connect timeout and error messages.
 */
public final class LineSession {
    private LineSession() {
    }

    /** Runs a session and returns the exit status: 0 when the server closed, 1 when connecting or the socket failed. */
    public static int run(InetSocketAddress server, Timeouts timeouts, InputStream in, PrintStream out,
                          PrintStream err) {
        String where = server.getHostString() + ":" + server.getPort();
        Socket socket;
        try {
            socket = TcpConnect.open(server, timeouts);
            socket.setSoTimeout(0); // a quiet room is not an error: no read timeout
        } catch (UnknownHostException e) {
            err.println("client: cannot connect to " + where + ": unknown host");
            return 1;
        } catch (IOException e) {
            err.println("client: cannot connect to " + where + ": " + e.getMessage());
            return 1;
        }
        try (socket) {
            Thread sender = new Thread(() -> sendLines(in, socket), "client-lines-stdin");
            sender.setDaemon(true); // blocked reading a terminal, it must not keep the process up once the server left
            sender.start();
            byte[] buf = new byte[16 * 1024];
            InputStream fromServer = socket.getInputStream();
            int n;
            while ((n = fromServer.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            return 0;
        } catch (IOException e) {
            err.println("client: connection to " + where + " lost: " + e.getMessage());
            return 1;
        }
    }

    /** Standard input to the socket a line at a time; a last line without a newline gets one. Then FIN. */
    private static void sendLines(InputStream stdin, Socket socket) {
        try {
            OutputStream toServer = socket.getOutputStream();
            InputStream in = new BufferedInputStream(stdin);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                line.write(b);
                if (b == '\n') {
                    line.writeTo(toServer);
                    toServer.flush();
                    line.reset();
                }
            }
            if (line.size() > 0) {
                line.write('\n');
                line.writeTo(toServer);
                toServer.flush();
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            // The server closed or reset: the reading side reports it (or has ended already).
        }
    }
}
