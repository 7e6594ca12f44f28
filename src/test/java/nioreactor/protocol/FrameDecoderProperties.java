package nioreactor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import nioreactor.testing.Frames;

class FrameDecoderProperties {
    private static final int MAX = 600;

    @Property
    void anyFrameSequenceSplitAnywhereDecodesIdentically(@ForAll("frames") List<byte[]> frames,
                                                         @ForAll @Size(max = 20) List<@IntRange(min = 0) Integer> cuts)
            throws Exception {
        byte[] stream = Frames.encode(frames);
        RecordingSink sink = FrameDecoderTest.decode(MAX, stream, cutsWithin(cuts, stream.length));
        assertThat(sink.frames).containsExactlyElementsOf(frames);
        assertThat(sink.insideFrame()).isFalse();
    }

    @Property
    void aTooLargeHeaderAfterAnyFramesSplitAnywhereThrowsAfterThem(
            @ForAll("frames") List<byte[]> frames,
            @ForAll @LongRange(min = MAX + 1, max = 0xFFFF_FFFFL) long badLength,
            @ForAll @Size(max = 20) List<@IntRange(min = 0) Integer> cuts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Frames.encode(frames));
        out.writeBytes(Frames.header(badLength));
        byte[] stream = out.toByteArray();
        RecordingSink sink = new RecordingSink();
        int[] at = cutsWithin(cuts, stream.length);
        assertThatThrownBy(() -> FrameDecoderTest.feed(new FrameDecoder(MAX), sink, stream, at))
                .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.length()).isEqualTo(badLength));
        assertThat(sink.frames).containsExactlyElementsOf(frames);
    }

    private static int[] cutsWithin(List<Integer> cuts, int length) {
        return cuts.stream().mapToInt(c -> c % (length + 1)).sorted().toArray();
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        // Mostly short frames, so headers (and cuts through them) are common; some empty, some exactly MAX.
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 8)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, MAX)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(MAX)));
        Arbitrary<byte[]> frame = size.flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n));
        return frame.list().ofMaxSize(12);
    }
}
