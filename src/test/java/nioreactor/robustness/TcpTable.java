package nioreactor.robustness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's TCP socket table (/proc/net/tcp and tcp6): how many sockets bound to a local port are in a given
 * state. It sees what the server's own counters cannot, e.g. a socket left in CLOSE_WAIT because nobody closed it.
 */
final class TcpTable {
    /** The kernel's state numbers (include/net/tcp_states.h). */
    static final int TIME_WAIT = 0x06;
    static final int CLOSE_WAIT = 0x08;

    private TcpTable() {
    }

    static boolean available() {
        return Files.isReadable(Path.of("/proc/net/tcp"));
    }

    /** Sockets whose local port is {@code port} and whose state is {@code state}, over IPv4 and IPv6. */
    static int count(int port, int state) {
        return count("/proc/net/tcp", port, state) + count("/proc/net/tcp6", port, state);
    }

    private static int count(String table, int port, int state) {
        Path path = Path.of(table);
        if (!Files.isReadable(path)) {
            return 0;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = 0;
        for (String line : lines.subList(1, lines.size())) {
            // "  sl  local_address rem_address   st ..." e.g. "0: 0100007F:1F90 0100007F:C350 08 ..."
            String[] f = line.trim().split("\\s+");
            String local = f[1];
            int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
            if (localPort == port && Integer.parseInt(f[3], 16) == state) {
                n++;
            }
        }
        return n;
    }
}
