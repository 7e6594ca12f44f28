package nioreactor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.Upper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bulk path gives byte for byte what the plain one gives, for any stretch, alignment and buffer. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BulkUpperTest {

    @Test
    void sameBytesAsUpperForRandomStretches() {
        Random random = new Random(42);
        ByteBuffer direct = ByteBuffer.allocateDirect(64 * 1024);
        ByteBuffer other = ByteBuffer.allocateDirect(4 * 1024); // a second buffer: the cached view must follow
        BulkUpper bulk = new BulkUpper();
        for (int round = 0; round < 2_000; round++) {
            ByteBuffer buf = round % 5 == 0 ? other : direct;
            byte[] bytes = new byte[buf.capacity()];
            random.nextBytes(bytes);
            buf.clear().put(bytes).clear();
            int from = random.nextInt(buf.capacity());
            int to = from + random.nextInt(buf.capacity() - from + 1);
            bulk.inPlace(buf, from, to);
            byte[] expected = bytes.clone();
            for (int i = from; i < to; i++) {
                expected[i] = Upper.upper(bytes[i]);
            }
            byte[] got = new byte[buf.capacity()];
            buf.get(0, got);
            assertThat(got).as("round %d, bytes %d to %d", round, from, to).isEqualTo(expected);
        }
    }

    @Test
    void heapBuffersAndSmallStretchesTakeThePlainPath() {
        ByteBuffer heap = ByteBuffer.wrap("hello, world; pack my box with five dozen liquor jugs".repeat(20).getBytes());
        new BulkUpper().inPlace(heap, 3, heap.capacity() - 3);
        assertThat(new String(heap.array())).startsWith("helLO, WORLD").endsWith("LIQUOR Jugs");
    }
}
