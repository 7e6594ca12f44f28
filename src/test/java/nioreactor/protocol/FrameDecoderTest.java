package nioreactor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nioreactor.testing.Frames;
import nioreactor.testing.RandomChunks;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final int MAX = 1000;

    /** Small frames of interesting sizes: empty ones (also back to back), one byte, a few hundred, exactly max. */
    private static final List<byte[]> FRAMES = List.of(
            bytes(5, 1), bytes(0, 2), bytes(0, 3), bytes(1, 4), bytes(13, 5), bytes(0, 6), bytes(300, 7), bytes(2, 8));

    private static byte[] bytes(int n, int seed) {
        return RandomChunks.bytes(new Random(seed), n);
    }

    /** Feeds {@code stream} cut at the given offsets (ascending) to a fresh decoder. */
    static RecordingSink decode(int maxFrame, byte[] stream, int... cuts) throws FrameTooLargeException {
        RecordingSink sink = new RecordingSink();
        feed(new FrameDecoder(maxFrame), sink, stream, cuts);
        return sink;
    }

    /** Feeds {@code stream} cut at the given offsets (ascending), checking that each piece is consumed whole. */
    static void feed(FrameDecoder decoder, RecordingSink sink, byte[] stream, int... cuts) throws FrameTooLargeException {
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            ByteBuffer chunk = ByteBuffer.wrap(stream, from, to - from);
            decoder.decode(chunk, sink);
            assertThat(chunk.hasRemaining()).as("decode consumes all of its input").isFalse();
            from = to;
        }
    }

    @Test
    void pipelinedFramesInOneBufferDecodeInOrder() throws Exception {
        RecordingSink sink = decode(MAX, Frames.encode(FRAMES));
        assertThat(sink.frames).containsExactlyElementsOf(FRAMES);
        assertThat(sink.insideFrame()).isFalse();
    }

    @Test
    void splitAtEveryByteBoundaryDecodesTheSameFrames() throws Exception {
        byte[] stream = Frames.encode(FRAMES);
        for (int cut = 0; cut <= stream.length; cut++) {
            assertThat(decode(MAX, stream, cut).frames).as("cut at %d", cut).containsExactlyElementsOf(FRAMES);
        }
    }

    @Test
    void splitAtEveryPairOfBoundariesDecodesTheSameFrames() throws Exception {
        // Every way to cut a header or a payload in three pieces, around every frame boundary.
        List<byte[]> frames = List.of(bytes(3, 1), bytes(0, 2), bytes(6, 3), bytes(1, 4));
        byte[] stream = Frames.encode(frames);
        for (int a = 0; a <= stream.length; a++) {
            for (int b = a; b <= stream.length; b++) {
                assertThat(decode(MAX, stream, a, b).frames).as("cuts at %d, %d", a, b).containsExactlyElementsOf(frames);
            }
        }
    }

    @Test
    void oneByteAtATimeDecodesTheSameFrames() throws Exception {
        byte[] stream = Frames.encode(FRAMES);
        int[] everyByte = new int[stream.length];
        for (int i = 0; i < stream.length; i++) {
            everyByte[i] = i;
        }
        assertThat(decode(MAX, stream, everyByte).frames).containsExactlyElementsOf(FRAMES);
    }

    @Test
    void emptyFrameIsStartedAndEndedWithNoPayload() throws Exception {
        List<String> calls = new ArrayList<>();
        new FrameDecoder(MAX).decode(ByteBuffer.wrap(Frames.header(0)), new FrameDecoder.Sink() {
            @Override
            public void frameStart(int length) {
                calls.add("start " + length);
            }

            @Override
            public void payload(ByteBuffer src, int length) {
                calls.add("payload " + length);
            }

            @Override
            public void frameEnd() {
                calls.add("end");
            }
        });
        assertThat(calls).containsExactly("start 0", "end");
    }

    @Test
    void frameOfExactlyTheMaximumIsAccepted() throws Exception {
        byte[] max = bytes(MAX, 9);
        assertThat(decode(MAX, Frames.encode(List.of(max, max))).frames).containsExactly(max, max);
        assertThat(decode(0, Frames.encode(List.of(new byte[0], new byte[0]))).frames).hasSize(2);
    }

    @Test
    void oneOverTheMaximumThrowsAfterReportingEveryEarlierFrame() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(Frames.encode(FRAMES));
        stream.writeBytes(Frames.header(MAX + 1));
        stream.writeBytes(new byte[10]); // bytes after the bad header must not be taken for anything
        byte[] bytes = stream.toByteArray();
        for (int cut = 0; cut <= bytes.length; cut++) {
            RecordingSink sink = new RecordingSink();
            int c = cut;
            assertThatThrownBy(() -> feed(new FrameDecoder(MAX), sink, bytes, c)).as("cut at %d", cut)
                    .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                        assertThat(e.length()).isEqualTo(MAX + 1);
                        assertThat(e.maxFrame()).isEqualTo(MAX);
                    });
            assertThat(sink.frames).as("cut at %d", cut).containsExactlyElementsOf(FRAMES);
            assertThat(sink.insideFrame()).isFalse();
        }
    }

    @Test
    void lengthsAreUnsignedUpToTwoToTheThirtySecondMinusOne() {
        for (long length : new long[] {1L << 31, (1L << 31) + 1, 0xFFFF_FFFFL, 0xFFFF_0000L}) {
            for (int max : new int[] {MAX, Integer.MAX_VALUE}) {
                assertThatThrownBy(() -> decode(max, Frames.header(length)))
                        .as("length %d, max %d", length, max)
                        .isInstanceOfSatisfying(FrameTooLargeException.class, e -> {
                            assertThat(e.length()).isEqualTo(length); // not a negative int
                            assertThat(e.getMessage()).contains(Long.toString(length));
                        });
                assertThatThrownBy(() -> decode(max, Frames.header(length), 1, 2, 3)).as("header split in bytes")
                        .isInstanceOfSatisfying(FrameTooLargeException.class, e -> assertThat(e.length()).isEqualTo(length));
            }
        }
    }

    @Test
    void reportsWhereAStreamStoppedMidFrame() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX);
        RecordingSink sink = new RecordingSink();
        assertThat(decoder.midFrame()).isFalse();
        assertThat(decoder.describePartial()).isNull();

        decoder.decode(ByteBuffer.wrap(new byte[] {0, 0}), sink);
        assertThat(decoder.midFrame()).isTrue();
        assertThat(decoder.describePartial()).isEqualTo("partial frame header (2 of 4 bytes)");

        decoder.decode(ByteBuffer.wrap(new byte[] {0, 100, 1, 2, 3}), sink);
        assertThat(decoder.midFrame()).isTrue();
        assertThat(decoder.describePartial()).isEqualTo("partial frame (3 of 100 payload bytes)");

        decoder.decode(ByteBuffer.wrap(new byte[97]), sink);
        assertThat(decoder.midFrame()).isFalse();
        assertThat(decoder.describePartial()).isNull();
        assertThat(sink.frames).hasSize(1);
        assertThat(decoder.maxFrame()).isEqualTo(MAX);
    }

    @Test
    void negativeMaximumIsRejected() {
        assertThatThrownBy(() -> new FrameDecoder(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
