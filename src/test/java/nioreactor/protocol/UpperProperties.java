package nioreactor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import nioreactor.testing.PythonUpper;

class UpperProperties {

    @Property(tries = 5000)
    void upper8EqualsPerByteUpperForAnyLong(@ForAll long word) {
        assertThat(Upper.upper8(word)).isEqualTo(UpperTest.perByte(word));
    }

    /** Random longs rarely hold letters or the bytes right next to them; these words are made of little else. */
    @Property(tries = 5000)
    void upper8EqualsPerByteUpperNearTheLetterBoundaries(@ForAll("edgyWords") long word) {
        assertThat(Upper.upper8(word)).isEqualTo(UpperTest.perByte(word));
    }

    @Property
    void everyPathEqualsPythonBytesUpper(@ForAll("text") byte[] data) {
        byte[] expected = PythonUpper.of(data);
        assertThat(Upper.of(data)).isEqualTo(expected);

        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data);
        Upper.inPlace(direct, 0, data.length);
        byte[] got = new byte[data.length];
        direct.get(0, got);
        assertThat(got).isEqualTo(expected);

        ByteBuffer dst = ByteBuffer.allocate(data.length);
        Upper.copy(ByteBuffer.wrap(data), data.length, dst);
        assertThat(dst.array()).isEqualTo(expected);
    }

    @Property
    void upperCasingIsChunkInvariant(@ForAll("text") byte[] data, @ForAll @Size(max = 10) List<Integer> cuts) {
        // The server upper-cases each read as it arrives; however the stream was cut, the bytes out must be the same.
        ByteBuffer buf = ByteBuffer.wrap(data.clone());
        int from = 0;
        for (int cut : cuts.stream().map(c -> Math.floorMod(c, data.length + 1)).sorted().toList()) {
            Upper.inPlace(buf, from, cut);
            from = cut;
        }
        Upper.inPlace(buf, from, data.length);
        assertThat(buf.array()).isEqualTo(PythonUpper.of(data));
    }

    @Provide
    Arbitrary<Long> edgyWords() {
        Arbitrary<Byte> edgy = Arbitraries.oneOf(
                Arbitraries.of((byte) '`', (byte) 'a', (byte) 'z', (byte) '{', (byte) '@', (byte) 'A', (byte) 'Z',
                        (byte) '[', (byte) 0xE0, (byte) 0xE1, (byte) 0xFA, (byte) 0xFB, (byte) 0x7F, (byte) 0x80,
                        (byte) 0xFF, (byte) 0),
                Arbitraries.bytes().between((byte) 'a', (byte) 'z'),
                Arbitraries.bytes());
        return edgy.array(byte[].class).ofSize(8).map(b -> ByteBuffer.wrap(b).getLong());
    }

    @Provide
    Arbitrary<byte[]> text() {
        Arbitrary<Byte> mostlyLetters = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes().between((byte) 'a', (byte) 'z')),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes()));
        return mostlyLetters.array(byte[].class).ofMaxSize(200);
    }
}
