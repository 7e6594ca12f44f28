package nioreactor.testing;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** PROXY protocol headers as a proxy writes them (haproxy's doc/proxy-protocol.txt), for tests. */
public final class ProxyHeaders {
    public static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaders() {
    }

    /** {@code PROXY TCP4|TCP6 src dst sport dport\r\n}. */
    public static byte[] v1(InetSocketAddress src, InetSocketAddress dst) {
        String family = src.getAddress() instanceof Inet4Address ? "TCP4" : "TCP6";
        return ("PROXY " + family + " " + src.getAddress().getHostAddress() + " " + dst.getAddress().getHostAddress()
                + " " + src.getPort() + " " + dst.getPort() + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 PROXY command over TCP with {@code tlvBytes} bytes of TLVs (type 0xEE, filler) after the addresses. */
    public static byte[] v2(InetSocketAddress src, InetSocketAddress dst, int tlvBytes) {
        boolean v4 = src.getAddress() instanceof Inet4Address;
        byte[] s = src.getAddress().getAddress();
        byte[] d = dst.getAddress().getAddress();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(0x21); // version 2, PROXY
        out.write(v4 ? 0x11 : 0x21); // INET or INET6, STREAM
        int length = s.length + d.length + 4 + tlvBytes;
        out.write(length >>> 8);
        out.write(length & 0xFF);
        out.writeBytes(s);
        out.writeBytes(d);
        out.write(src.getPort() >>> 8);
        out.write(src.getPort() & 0xFF);
        out.write(dst.getPort() >>> 8);
        out.write(dst.getPort() & 0xFF);
        writeTlvs(out, tlvBytes);
        return out.toByteArray();
    }

    /** A v2 LOCAL command (a proxy's own health check) with an UNSPEC family and {@code tlvBytes} of TLVs. */
    public static byte[] v2Local(int tlvBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(V2_SIGNATURE);
        out.write(0x20);
        out.write(0x00);
        out.write(tlvBytes >>> 8);
        out.write(tlvBytes & 0xFF);
        writeTlvs(out, tlvBytes);
        return out.toByteArray();
    }

    /** TLVs of type 0xEE filling exactly {@code n} bytes (n = 0, or n >= 3: a TLV's own header is 3 bytes). */
    private static void writeTlvs(ByteArrayOutputStream out, int n) {
        if (n == 0) {
            return;
        }
        if (n < 3) {
            throw new IllegalArgumentException("TLVs take 0 or at least 3 bytes, not " + n);
        }
        int value = n - 3;
        out.write(0xEE);
        out.write(value >>> 8);
        out.write(value & 0xFF);
        for (int i = 0; i < value; i++) {
            out.write('t');
        }
    }
}
