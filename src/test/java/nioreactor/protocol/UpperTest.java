package nioreactor.protocol;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import nioreactor.testing.PythonUpper;
import org.junit.jupiter.api.Test;

class UpperTest {

    private static byte[] inPlace(byte[] bytes, boolean direct, ByteOrder order) {
        ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length)).order(order);
        buf.put(bytes).flip();
        Upper.inPlace(buf, 0, bytes.length);
        byte[] out = new byte[bytes.length];
        buf.get(out);
        return out;
    }

    @Test
    void seedExample() {
        assertThat(Upper.of("hello, World! 123 ~{}`@[".getBytes(US_ASCII)))
                .isEqualTo("HELLO, WORLD! 123 ~{}`@[".getBytes(US_ASCII));
    }

    @Test
    void onlyAsciiLowercaseLettersChangeLikePythonBytesUpper() {
        for (int b = 0; b < 256; b++) {
            byte expected = b >= 'a' && b <= 'z' ? (byte) (b - 32) : (byte) b;
            assertThat(Upper.upper((byte) b)).as("byte 0x%02x", b).isEqualTo(expected);
            assertThat(PythonUpper.upper((byte) b)).as("oracle, byte 0x%02x", b).isEqualTo(expected);
        }
    }

    @Test
    void multiByteUtf8IsLeftAlone() {
        // Python: "straße ñ é ſ".encode().upper() changes only the ASCII letters; Java's String.toUpperCase would not.
        byte[] in = "straße ñ é ſ ǆ".getBytes(UTF_8);
        byte[] expected = "STRAßE ñ é ſ ǆ".getBytes(UTF_8);
        assertThat(Upper.of(in)).isEqualTo(expected);
        assertThat(inPlace(in, true, ByteOrder.BIG_ENDIAN)).isEqualTo(expected);
        assertThat(inPlace(in, false, ByteOrder.LITTLE_ENDIAN)).isEqualTo(expected);
    }

    @Test
    void upper8TreatsEveryLaneAloneForEveryByteValue() {
        Random random = new Random(8);
        for (int lane = 0; lane < 8; lane++) {
            for (int b = 0; b < 256; b++) {
                long word = random.nextLong();
                word = word & ~(0xFFL << (8 * lane)) | ((long) b << (8 * lane));
                assertThat(Upper.upper8(word)).as("lane %d byte 0x%02x in %016x", lane, b, word).isEqualTo(perByte(word));
            }
        }
    }

    @Test
    void upper8OnAllLettersAndOnLookalikesWithTheHighBitSet() {
        assertThat(Upper.upper8(0x6162636465666768L)).isEqualTo(0x4142434445464748L); // "abcdefgh"
        assertThat(Upper.upper8(0x797A7B7C60404160L)).isEqualTo(0x595A7B7C60404160L); // "yz{|`@A`"
        // 0xE1 & 0x7F == 'a': a UTF-8 lead byte must not be taken for a letter.
        assertThat(Upper.upper8(0xE1FAC1DAE1FAC1DAL)).isEqualTo(0xE1FAC1DAE1FAC1DAL);
    }

    @Test
    void inPlaceTouchesOnlyTheRangeAndWorksAtEveryAlignment() {
        byte[] base = new byte[70];
        for (int i = 0; i < base.length; i++) {
            base[i] = (byte) ('a' + i % 26);
        }
        for (int from = 0; from < 20; from++) {
            for (int to = from; to <= base.length; to += 3) {
                ByteBuffer buf = ByteBuffer.wrap(base.clone());
                Upper.inPlace(buf, from, to);
                for (int i = 0; i < base.length; i++) {
                    byte expected = i >= from && i < to ? PythonUpper.upper(base[i]) : base[i];
                    assertThat(buf.get(i)).as("from %d to %d index %d", from, to, i).isEqualTo(expected);
                }
                assertThat(buf.position()).isZero();
            }
        }
    }

    @Test
    void copyUpperCasesAndAdvancesBothPositions() {
        byte[] text = "Mixed CASE text, with punctuation; and more than eight bytes.".getBytes(US_ASCII);
        for (int srcOffset = 0; srcOffset < 9; srcOffset++) {
            ByteBuffer src = ByteBuffer.allocateDirect(text.length + srcOffset);
            src.position(srcOffset);
            src.put(text).position(srcOffset);
            ByteBuffer dst = ByteBuffer.allocate(text.length + 10);
            dst.position(3);
            Upper.copy(src, text.length - 1, dst);
            assertThat(src.position()).isEqualTo(srcOffset + text.length - 1);
            assertThat(dst.position()).isEqualTo(3 + text.length - 1);
            byte[] got = new byte[text.length - 1];
            dst.get(3, got);
            assertThat(new String(got, US_ASCII))
                    .isEqualTo("MIXED CASE TEXT, WITH PUNCTUATION; AND MORE THAN EIGHT BYTES");
            assertThat(dst.get(3 + text.length - 1)).as("nothing written past the length").isZero();
        }
    }

    @Test
    void chunkingDoesNotChangeTheResultAtAnySplitPoint() {
        byte[] data = new byte[100];
        new Random(100).nextBytes(data);
        for (int i = 0; i < data.length; i += 3) {
            data[i] = (byte) ('a' + i % 26); // plenty of letters among the random bytes
        }
        byte[] whole = PythonUpper.of(data);
        for (int a = 0; a <= data.length; a++) {
            for (int b = a; b <= data.length; b += 7) {
                ByteBuffer buf = ByteBuffer.wrap(data.clone());
                Upper.inPlace(buf, 0, a);
                Upper.inPlace(buf, a, b);
                Upper.inPlace(buf, b, data.length);
                assertThat(buf.array()).as("split at %d and %d", a, b).isEqualTo(whole);
            }
        }
    }

    static long perByte(long word) {
        long out = 0;
        for (int lane = 0; lane < 8; lane++) {
            byte b = (byte) (word >>> (8 * lane));
            out |= (PythonUpper.upper(b) & 0xFFL) << (8 * lane);
        }
        return out;
    }
}
