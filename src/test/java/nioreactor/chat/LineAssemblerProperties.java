package nioreactor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever the reads' boundaries, the assembler hands over exactly the lines of the stream, a too-long line becomes one
 * "too long" in its place, and an unfinished line is kept (if short enough) for the next read.
 */
class LineAssemblerProperties {
    /** What the sink saw: each line's bytes, or TOO_LONG. */
    private static final String TOO_LONG = "<too long>";

    @Property
    void anyLinesSplitAnywhereComeOutAsTheModelSays(@ForAll("lines") List<byte[]> lines,
                                                     @ForAll("tails") byte[] unfinished,
                                                     @ForAll @IntRange(min = 1, max = 40) int maxLine,
                                                     @ForAll @Size(max = 30) List<@IntRange(min = 0) Integer> cuts) {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            stream.writeBytes(line);
            stream.write('\n');
        }
        stream.writeBytes(unfinished);
        byte[] bytes = stream.toByteArray();

        LineAssembler assembler = new LineAssembler(maxLine);
        List<String> seen = new ArrayList<>();
        feed(assembler, bytes, cuts, seen);

        List<String> expected = new ArrayList<>();
        for (byte[] line : lines) {
            expected.add(line.length > maxLine ? TOO_LONG : show(line));
        }
        if (unfinished.length > maxLine) {
            expected.add(TOO_LONG); // told as soon as it passes the bound, before its newline
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        if (unfinished.length > maxLine) {
            assertThat(assembler.discarding()).isTrue();
            assertThat(assembler.partialLength()).isZero();
        } else {
            assertThat(assembler.partialLength()).isEqualTo(unfinished.length);
            // Its end arrives: the line is exactly the unfinished bytes.
            seen.clear();
            assembler.feed(ByteBuffer.wrap(new byte[] {'\n'}), sink(seen));
            assertThat(seen).containsExactly(show(unfinished));
        }
    }

    @Property
    void theBoundHoldsForTheAssemblyNotJustTheLines(@ForAll @IntRange(min = 1, max = 64) int maxLine,
                                                    @ForAll @IntRange(min = 1, max = 16) int chunk) {
        // A line far longer than the bound, in small reads: memory stays at most maxLine and one ERR is told.
        LineAssembler assembler = new LineAssembler(maxLine);
        List<String> seen = new ArrayList<>();
        byte[] piece = new byte[chunk];
        Arrays.fill(piece, (byte) 'x');
        for (int i = 0; i < 100; i++) {
            assembler.feed(ByteBuffer.wrap(piece), sink(seen));
            assertThat(assembler.partialLength()).isLessThanOrEqualTo(maxLine);
        }
        assembler.feed(ByteBuffer.wrap("\nk\n".getBytes()), sink(seen));
        assertThat(seen).containsExactly(TOO_LONG, "k");
    }

    /** Feeds {@code bytes} cut at {@code cuts}, each piece in a buffer of its own that is overwritten afterwards. */
    static void feed(LineAssembler assembler, byte[] bytes, List<Integer> cuts, List<String> seen) {
        int[] at = cuts.stream().mapToInt(c -> c % (bytes.length + 1)).sorted().toArray();
        int from = 0;
        for (int i = 0; i <= at.length; i++) {
            int to = i < at.length ? at[i] : bytes.length;
            // Like the reactor's read buffer: a direct buffer, reused (scribbled over) once the call returns.
            ByteBuffer read = ByteBuffer.allocateDirect(to - from + 3);
            read.put((byte) '?').put(bytes, from, to - from).flip();
            read.get(); // data starts after a position > 0, as it may in a real read
            assembler.feed(read, sink(seen));
            assertThat(read.hasRemaining()).isFalse();
            read.clear();
            while (read.hasRemaining()) {
                read.put((byte) '\n');
            }
            from = to;
        }
    }

    static LineAssembler.Sink sink(List<String> seen) {
        return new LineAssembler.Sink() {
            @Override
            public boolean line(ByteBuffer line) {
                byte[] b = new byte[line.remaining()];
                line.get(b);
                seen.add(show(b));
                return true;
            }

            @Override
            public boolean tooLong() {
                seen.add(TOO_LONG);
                return true;
            }
        };
    }

    private static String show(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Provide
    Arbitrary<List<byte[]>> lines() {
        // Bytes without '\n' (every other byte value, '\r' included, is just data); lengths around the bound.
        return tails().list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<byte[]> tails() {
        Arbitrary<Byte> notNewline = Arbitraries.bytes().filter(b -> b != '\n');
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 8)),
                Tuple.of(2, Arbitraries.integers().between(0, 60)),
                Tuple.of(1, Arbitraries.integers().between(100, 300)));
        return size.flatMap(n -> notNewline.array(byte[].class).ofSize(n));
    }
}
