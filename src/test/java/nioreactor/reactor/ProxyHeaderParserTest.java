package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import nioreactor.reactor.ProxyHeaderParser.Bad;
import nioreactor.reactor.ProxyHeaderParser.Done;
import nioreactor.reactor.ProxyHeaderParser.Header;
import nioreactor.reactor.ProxyHeaderParser.NeedMore;
import nioreactor.reactor.ProxyHeaderParser.Result;
import nioreactor.testing.ProxyHeaders;
import org.junit.jupiter.api.Test;

class ProxyHeaderParserTest {
    private static final InetSocketAddress CLIENT4 = new InetSocketAddress("203.0.113.7", 51234);
    private static final InetSocketAddress PROXY4 = new InetSocketAddress("192.0.2.1", 443);
    private static final InetSocketAddress CLIENT6 = new InetSocketAddress("2001:db8::7", 65535);
    private static final InetSocketAddress PROXY6 = new InetSocketAddress("2001:db8::1", 80);

    static Result parseAll(byte[] bytes) {
        return new ProxyHeaderParser().feed(ByteBuffer.wrap(bytes));
    }

    static Header header(Result r) {
        assertThat(r).isInstanceOf(Done.class);
        return ((Done) r).header();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void v1Tcp4GivesBothEnds() {
        Header h = header(parseAll(ascii("PROXY TCP4 203.0.113.7 192.0.2.1 51234 443\r\n")));
        assertThat(h.version()).isEqualTo(1);
        assertThat(h.local()).isFalse();
        assertThat(h.source()).isEqualTo(CLIENT4);
        assertThat(h.destination()).isEqualTo(PROXY4);
    }

    @Test
    void v1Tcp6GivesBothEnds() {
        Header h = header(parseAll(ProxyHeaders.v1(CLIENT6, PROXY6)));
        assertThat(h.source()).isEqualTo(CLIENT6);
        assertThat(h.destination()).isEqualTo(PROXY6);
    }

    @Test
    void v1UnknownNamesNoClientAndIgnoresTheRestOfTheLine() {
        assertThat(header(parseAll(ascii("PROXY UNKNOWN\r\n"))).source()).isNull();
        assertThat(header(parseAll(ascii("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"))).source()).isNull();
    }

    @Test
    void theLongestV1HeaderFitsAndOneByteMoreDoesNot() {
        // The spec's worst case: UNKNOWN followed by two full IPv6 addresses and two 5-digit ports.
        String full = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertThat(full).hasSize(ProxyHeaderParser.V1_MAX);
        assertThat(parseAll(ascii(full))).isInstanceOf(Done.class);
        assertThat(parseAll(ascii("PROXY UNKNOWN " + "x".repeat(100) + "\r\n"))).isInstanceOf(Bad.class);
    }

    @Test
    void onlyTheHeaderIsConsumed() {
        byte[] header = ProxyHeaders.v2(CLIENT4, PROXY4, 7);
        ByteBuffer in = ByteBuffer.allocate(header.length + 5).put(header).put(ascii("hello")).flip();
        assertThat(new ProxyHeaderParser().feed(in)).isInstanceOf(Done.class);
        assertThat(StandardCharsets.US_ASCII.decode(in).toString()).isEqualTo("hello");
    }

    @Test
    void v2InetAndInet6GiveBothEndsAndSkipTlvs() {
        Header h4 = header(parseAll(ProxyHeaders.v2(CLIENT4, PROXY4, 0)));
        assertThat(h4.version()).isEqualTo(2);
        assertThat(h4.source()).isEqualTo(CLIENT4);
        assertThat(h4.destination()).isEqualTo(PROXY4);
        Header h6 = header(parseAll(ProxyHeaders.v2(CLIENT6, PROXY6, 300)));
        assertThat(h6.source()).isEqualTo(CLIENT6);
        assertThat(h6.destination()).isEqualTo(PROXY6);
    }

    @Test
    void v2LocalAndUnspecNameNoClient() {
        Header local = header(parseAll(ProxyHeaders.v2Local(0)));
        assertThat(local.local()).isTrue();
        assertThat(local.source()).isNull();
        assertThat(header(parseAll(ProxyHeaders.v2Local(40))).source()).isNull();
        byte[] unspec = ProxyHeaders.v2Local(0);
        unspec[12] = 0x21; // PROXY, family still UNSPEC
        Header h = header(parseAll(unspec));
        assertThat(h.local()).isFalse();
        assertThat(h.source()).isNull();
    }

    @Test
    void v2UnixAddressesAreSkippedAndNameNoInetClient() {
        byte[] fixed = Arrays.copyOf(ProxyHeaders.V2_SIGNATURE, 16 + 216);
        fixed[12] = 0x21;
        fixed[13] = 0x31; // UNIX, STREAM
        fixed[14] = 0;
        fixed[15] = (byte) 216;
        assertThat(header(parseAll(fixed)).source()).isNull();
    }

    @Test
    void aClientThatIsNotAProxyFailsAtItsFirstByte() {
        ProxyHeaderParser p = new ProxyHeaderParser();
        assertThat(p.feed(ByteBuffer.wrap(ascii("G")))).isInstanceOfSatisfying(Bad.class,
                b -> assertThat(b.reason()).contains("0x47"));
        assertThat(parseAll(ascii("PROXZ"))).isInstanceOf(Bad.class);
        assertThat(parseAll(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x01})).isInstanceOf(Bad.class);
        assertThat(parseAll(ascii("\r\n"))).isInstanceOf(NeedMore.class); // could still be v2
    }

    @Test
    void malformedV1HeadersAreRefused() {
        for (String bad : new String[] {
                "PROXY TCP4 203.0.113.7 192.0.2.1 51234\r\n",
                "PROXY TCP4 203.0.113.256 192.0.2.1 1 2\r\n",
                "PROXY TCP4 2001:db8::1 192.0.2.1 1 2\r\n",
                "PROXY TCP6 203.0.113.7 2001:db8::1 1 2\r\n",
                "PROXY TCP6 example.com 2001:db8::1 1 2\r\n",
                "PROXY TCP4 203.0.113.7 192.0.2.1 65536 2\r\n",
                "PROXY TCP4 203.0.113.7 192.0.2.1 -1 2\r\n",
                "PROXY TCP4  203.0.113.7 192.0.2.1 1 2\r\n",
                "PROXY UDP4 203.0.113.7 192.0.2.1 1 2\r\n",
                "PROXY TCP4 203.0.113.7 192.0.2.1 1 2\n",
                "PROXY TCP4 203.0.113.7 192.0.2.1 1 2\r\r\n"}) {
            assertThat(parseAll(ascii(bad))).as(bad).isInstanceOf(Bad.class);
        }
    }

    @Test
    void malformedV2HeadersAreRefused() {
        byte[] good = ProxyHeaders.v2(CLIENT4, PROXY4, 0);
        byte[] version1 = good.clone();
        version1[12] = 0x11;
        byte[] command2 = good.clone();
        command2[12] = 0x22;
        byte[] family4 = good.clone();
        family4[13] = 0x41;
        byte[] transport3 = good.clone();
        transport3[13] = 0x13;
        byte[] tooShort = good.clone();
        tooShort[15] = 11; // an IPv4 block needs 12
        for (byte[] bad : new byte[][] {version1, command2, family4, transport3, tooShort}) {
            assertThat(parseAll(bad)).isInstanceOf(Bad.class);
        }
    }

    @Test
    void afterAFailureTheAnswerStaysTheSame() {
        ProxyHeaderParser p = new ProxyHeaderParser();
        Result first = p.feed(ByteBuffer.wrap(ascii("HELLO")));
        assertThat(first).isInstanceOf(Bad.class);
        assertThat(p.feed(ByteBuffer.wrap(ascii("PROXY UNKNOWN\r\n")))).isSameAs(first);
    }

    @Test
    void describesAHeaderCutShort() {
        ProxyHeaderParser p = new ProxyHeaderParser();
        assertThat(p.describePartial()).isNull();
        p.feed(ByteBuffer.wrap(ascii("PROXY TCP4 ")));
        assertThat(p.describePartial()).isEqualTo("PROXY header (11 bytes so far)");
    }
}
