package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import nioreactor.reactor.ProxyHeaderParser.Done;
import nioreactor.reactor.ProxyHeaderParser.NeedMore;
import nioreactor.reactor.ProxyHeaderParser.Result;
import nioreactor.testing.ProxyHeaders;

/** The PROXY header reader gives the same answer however the bytes are cut, and never eats the service's bytes. */
class ProxyHeaderParserProperties {

    /** A header of any version and family, the client's first bytes after it, and where the network cut them. */
    @Property
    void anyHeaderSplitAnywhereGivesTheSameClientAndLeavesTheRestUntouched(
            @ForAll("addresses") InetSocketAddress src, @ForAll("addresses") InetSocketAddress dst,
            @ForAll @IntRange(min = 1, max = 2) int version, @ForAll @IntRange(min = 0, max = 400) int tlvs,
            @ForAll @Size(max = 40) byte[] payload, @ForAll @Size(max = 12) List<@IntRange(min = 0) Integer> cuts) {
        boolean sameFamily = src.getAddress().getAddress().length == dst.getAddress().getAddress().length;
        InetSocketAddress to = sameFamily ? dst : new InetSocketAddress(src.getAddress(), dst.getPort());
        byte[] header = version == 1 ? ProxyHeaders.v1(src, to) : ProxyHeaders.v2(src, to, tlvs < 3 ? 0 : tlvs);
        byte[] stream = new byte[header.length + payload.length];
        System.arraycopy(header, 0, stream, 0, header.length);
        System.arraycopy(payload, 0, stream, header.length, payload.length);

        ProxyHeaderParser parser = new ProxyHeaderParser();
        ByteBuffer rest = null;
        int from = 0;
        for (int cut : points(cuts, stream.length)) {
            ByteBuffer piece = ByteBuffer.wrap(stream, from, cut - from);
            Result r = parser.feed(piece);
            if (r instanceof Done done) {
                assertThat(done.header().source()).isEqualTo(src);
                assertThat(done.header().destination()).isEqualTo(to);
                assertThat(piece.position()).as("consumed exactly the header").isEqualTo(header.length);
                rest = ByteBuffer.wrap(stream, piece.position(), stream.length - piece.position());
                break;
            }
            assertThat(r).isInstanceOf(NeedMore.class);
            assertThat(piece.hasRemaining()).as("a partial header consumes every byte it is given").isFalse();
            from = cut;
        }
        assertThat(rest).as("the header completed").isNotNull();
        byte[] left = new byte[rest.remaining()];
        rest.get(left);
        assertThat(left).isEqualTo(payload);
    }

    /** Whatever arrives, the reader never throws, never reads past a header, and keeps its first verdict. */
    @Property
    void randomBytesNeverBreakTheReader(@ForAll @Size(max = 300) byte[] junk,
                                        @ForAll @IntRange(min = 0, max = 2) int start,
                                        @ForAll @Size(max = 8) List<@IntRange(min = 0) Integer> cuts) {
        byte[] stream = junk.clone();
        if (start == 1 && stream.length >= 6) {
            System.arraycopy("PROXY ".getBytes(), 0, stream, 0, 6); // get past the first byte's check
        } else if (start == 2 && stream.length >= 12) {
            System.arraycopy(ProxyHeaders.V2_SIGNATURE, 0, stream, 0, 12);
        }
        ProxyHeaderParser parser = new ProxyHeaderParser();
        int from = 0;
        Result last = null;
        for (int cut : points(cuts, stream.length)) {
            ByteBuffer piece = ByteBuffer.wrap(stream, from, cut - from);
            last = parser.feed(piece);
            if (!(last instanceof NeedMore)) {
                break;
            }
            from = cut;
        }
        if (last != null && !(last instanceof NeedMore)) {
            assertThat(parser.feed(ByteBuffer.wrap(new byte[] {1, 2, 3}))).isSameAs(last);
        }
    }

    private static List<Integer> points(List<Integer> cuts, int length) {
        List<Integer> at = new ArrayList<>();
        for (int c : cuts) {
            at.add(c % (length + 1));
        }
        at.add(length);
        return at.stream().distinct().sorted().toList();
    }

    @Provide
    Arbitrary<InetSocketAddress> addresses() {
        Arbitrary<byte[]> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<byte[]> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16)
                .filter(b -> !isMappedV4(b)); // ::ffff:a.b.c.d reads back as IPv4
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65_535);
        return Combinators.combine(Arbitraries.oneOf(v4, v6), port).as((raw, p) -> {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(raw), p);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static boolean isMappedV4(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }
}
