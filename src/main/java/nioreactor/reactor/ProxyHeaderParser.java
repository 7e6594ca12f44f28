package nioreactor.reactor;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads one PROXY protocol header, version 1 (text) or 2 (binary), as haproxy's {@code doc/proxy-protocol.txt}
 * defines them, from bytes that may arrive in any number of pieces. Pure code: no I/O, no DNS, no clock.
 *
 * <p>{@link #feed} consumes exactly the header's bytes and no more, so whatever follows it in the same read (the
 * client's first request) is left in the buffer for the service. A buffer that cannot start a header fails at its
 * first wrong byte, so a client that is not a proxy is told at once rather than after 107 bytes.
 *
 * <ul>
 *   <li>v1: {@code PROXY TCP4|TCP6 <src> <dst> <sport> <dport>\r\n}, or {@code PROXY UNKNOWN...\r\n}; at most 107
 *   bytes with the CRLF. Addresses must be literals of their family, ports 0-65535.</li>
 *   <li>v2: the 12-byte signature {@code \r\n\r\n\0\r\nQUIT\n}, a version/command byte (0x20 LOCAL, 0x21 PROXY), a
 *   family/transport byte, a 16-bit length, then the addresses (12 bytes for IPv4, 36 for IPv6, 216 for AF_UNIX) and
 *   TLVs, which are skipped without being buffered. LOCAL (a proxy's own health check) and the UNSPEC family carry no
 *   client: the connection's own addresses stand.</li>
 * </ul>
 *
 * <p>One parser per connection; not thread-safe (it lives on the connection's reactor thread).
 */
final class ProxyHeaderParser {
    /** The v2 signature: chosen so that no v1 header, HTTP request or TLS hello starts with it. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The longest v1 header, CRLF included: {@code PROXY TCP6} with two full IPv6 addresses and two 5-digit ports. */
    static final int V1_MAX = 107;
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int V2_FIXED = 16;
    private static final int V2_UNIX_ADDRESSES = 216;

    /**
     * A header read in full.
     *
     * @param version     1 or 2
     * @param local       a v2 LOCAL command: the proxy speaks for itself (a health check), no client is named
     * @param source      the client as the proxy saw it, or null when the header names none (LOCAL, UNKNOWN,
     *                    UNSPEC, AF_UNIX)
     * @param destination the address the client connected to at the proxy, or null likewise
     */
    record Header(int version, boolean local, InetSocketAddress source, InetSocketAddress destination) {
    }

    /** What {@link #feed} found. */
    sealed interface Result permits NeedMore, Done, Bad {
    }

    /** Every byte given was part of the header so far; more are needed. */
    record NeedMore() implements Result {
    }

    /** The header is complete; the buffer's position is just past it. */
    record Done(Header header) implements Result {
    }

    /** Not a valid header; the reason is for a DEBUG line. Feeding more gives the same answer. */
    record Bad(String reason) implements Result {
    }

    private static final NeedMore NEED_MORE = new NeedMore();

    /** The bytes kept: the v1 line, or the v2 fixed part and its address block (never its TLVs). */
    private final byte[] head = new byte[V2_FIXED + V2_UNIX_ADDRESSES];
    private int have;
    /** 0 until the first byte says which, then 1 or 2. */
    private int version;
    private boolean v2Local;
    private int v2Family;
    /** Address bytes of the v2 block to keep, once the fixed part is read. */
    private int v2Keep;
    /** v2 bytes still to skip (TLVs, or a LOCAL command's whole block). */
    private int v2Skip;
    private Result end;

    /** Consumes header bytes from {@code in}, up to the header's end and never past it. */
    Result feed(ByteBuffer in) {
        if (end != null) {
            return end;
        }
        if (!in.hasRemaining()) {
            return NEED_MORE;
        }
        if (version == 0) {
            byte first = in.get(in.position());
            if (first == V1_PREFIX[0]) {
                version = 1;
            } else if (first == V2_SIGNATURE[0]) {
                version = 2;
            } else {
                return bad(String.format("no PROXY header (the first byte is 0x%02x)", first & 0xFF));
            }
        }
        Result r = version == 1 ? feedV1(in) : feedV2(in);
        if (r != NEED_MORE) {
            end = r;
        }
        return r;
    }

    /** What has arrived of an unfinished header, for the log line of a connection that closes in the middle. */
    String describePartial() {
        return have == 0 && v2Skip == 0 ? null : "PROXY header (" + have + " bytes so far)";
    }

    // ------------------------------------------------------------------------------------------------ v1

    private Result feedV1(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            head[have++] = b;
            if (have <= V1_PREFIX.length && b != V1_PREFIX[have - 1]) {
                return bad("not a PROXY v1 header (expected \"PROXY \")");
            }
            if (b == '\n') {
                if (have < 2 || head[have - 2] != '\r') {
                    return bad("PROXY v1 line ends in LF without CR");
                }
                return parseV1();
            }
            if (have >= V1_MAX) {
                return bad("PROXY v1 header longer than " + V1_MAX + " bytes");
            }
        }
        return NEED_MORE;
    }

    private Result parseV1() {
        int n = have - 2;
        for (int i = 0; i < n; i++) {
            if (head[i] < 0x20 || head[i] > 0x7E) {
                return bad("PROXY v1 header holds a control or non-ASCII byte");
            }
        }
        String[] words = new String(head, 0, n, StandardCharsets.US_ASCII).split(" ", -1);
        if (words.length >= 2 && words[1].equals("UNKNOWN")) {
            return new Done(new Header(1, false, null, null)); // the rest of the line is to be ignored
        }
        if (words.length != 6 || !(words[1].equals("TCP4") || words[1].equals("TCP6"))) {
            return bad("PROXY v1 header is not \"PROXY TCP4|TCP6 src dst sport dport\" nor \"PROXY UNKNOWN\"");
        }
        boolean v4 = words[1].equals("TCP4");
        InetAddress src = v4 ? ipv4(words[2]) : ipv6(words[2]);
        InetAddress dst = v4 ? ipv4(words[3]) : ipv6(words[3]);
        int sport = port(words[4]);
        int dport = port(words[5]);
        if (src == null || dst == null) {
            return bad("PROXY v1 header has an address that is not an " + (v4 ? "IPv4" : "IPv6") + " literal");
        }
        if (sport < 0 || dport < 0) {
            return bad("PROXY v1 header has a port that is not 0-65535");
        }
        return new Done(new Header(1, false, new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport)));
    }

    /** A dotted quad, parsed by hand: never a host name, so never a DNS lookup. */
    private static InetAddress ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] a = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = number(parts[i], 3);
            if (v < 0 || v > 255) {
                return null;
            }
            a[i] = (byte) v;
        }
        return address(a);
    }

    /** Hex digits, colons and (for an embedded IPv4 tail) dots only, so the JDK parses a literal and looks up nothing. */
    private static InetAddress ipv6(String s) {
        if (s.isEmpty() || s.length() > 45 || s.indexOf(':') < 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':'
                    || c == '.';
            if (!ok) {
                return null;
            }
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int port(String s) {
        int v = number(s, 5);
        return v > 65_535 ? -1 : v;
    }

    /** 1 to maxDigits decimal digits, or -1. */
    private static int number(String s, int maxDigits) {
        if (s.isEmpty() || s.length() > maxDigits) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    // ------------------------------------------------------------------------------------------------ v2

    private Result feedV2(ByteBuffer in) {
        while (have < V2_FIXED && in.hasRemaining()) {
            byte b = in.get();
            head[have++] = b;
            if (have <= V2_SIGNATURE.length) {
                if (b != V2_SIGNATURE[have - 1]) {
                    return bad("not a PROXY v2 signature");
                }
            } else if (have == 13) {
                if ((b & 0xF0) != 0x20) {
                    return bad(String.format("PROXY v2 header of version %d", (b & 0xF0) >>> 4));
                }
                int command = b & 0x0F;
                if (command > 1) {
                    return bad("PROXY v2 header with command " + command + " (0 LOCAL and 1 PROXY are defined)");
                }
                v2Local = command == 0;
            } else if (have == 14) {
                v2Family = (b & 0xF0) >>> 4;
                int transport = b & 0x0F;
                if (v2Family > 3 || transport > 2) {
                    return bad(String.format("PROXY v2 header with family/transport byte 0x%02x", b & 0xFF));
                }
            } else if (have == V2_FIXED) {
                int length = ((head[14] & 0xFF) << 8) | (head[15] & 0xFF);
                int needed = v2Local ? 0 : addressBytes(v2Family);
                if (length < needed) {
                    return bad("PROXY v2 address block of " + length + " bytes; its family needs " + needed);
                }
                v2Keep = needed;
                v2Skip = length - needed;
            }
        }
        if (have < V2_FIXED) {
            return NEED_MORE;
        }
        int missing = V2_FIXED + v2Keep - have;
        if (missing > 0) {
            int n = Math.min(missing, in.remaining());
            in.get(head, have, n);
            have += n;
            if (n < missing) {
                return NEED_MORE;
            }
        }
        int skipped = Math.min(v2Skip, in.remaining());
        in.position(in.position() + skipped);
        v2Skip -= skipped;
        if (v2Skip > 0) {
            return NEED_MORE;
        }
        return new Done(v2Header());
    }

    private static int addressBytes(int family) {
        return switch (family) {
            case 1 -> 12; // IPv4: two addresses, two ports
            case 2 -> 36; // IPv6
            case 3 -> V2_UNIX_ADDRESSES; // two 108-byte paths
            default -> 0; // UNSPEC
        };
    }

    private Header v2Header() {
        if (v2Local || (v2Family != 1 && v2Family != 2)) {
            return new Header(2, v2Local, null, null); // no client named: the connection's own addresses stand
        }
        int len = v2Family == 1 ? 4 : 16;
        byte[] src = new byte[len];
        byte[] dst = new byte[len];
        System.arraycopy(head, V2_FIXED, src, 0, len);
        System.arraycopy(head, V2_FIXED + len, dst, 0, len);
        int ports = V2_FIXED + 2 * len;
        int sport = ((head[ports] & 0xFF) << 8) | (head[ports + 1] & 0xFF);
        int dport = ((head[ports + 2] & 0xFF) << 8) | (head[ports + 3] & 0xFF);
        return new Header(2, false, new InetSocketAddress(address(src), sport), new InetSocketAddress(address(dst), dport));
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw); // 4 or 16 bytes: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + raw.length + " bytes", e);
        }
    }

    private Result bad(String reason) {
        end = new Bad(reason);
        return end;
    }
}
