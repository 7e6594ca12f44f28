package nioreactor.bench.micro;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.Upper;
import nioreactor.server.BulkUpper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Upper-casing one read in the reactor's direct buffer, every way it can be done: one byte at a time, SWAR straight on
 * the buffer ({@link Upper#inPlace}) in either byte order, and {@link BulkUpper} (bulk copy to a long[], vectorizable
 * loop, copy back), which the echoes use from 256 bytes on. BulkUpper is public for this benchmark only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class BulkUpperBench {
    @Param({"64", "1024", "16384"})
    int size;

    ByteBuffer buf;
    final BulkUpper bulk = new BulkUpper();

    @Setup
    public void setup() {
        buf = ByteBuffer.allocateDirect(64 * 1024);
        byte[] text = "Hello, nioreactor! pack my box with five dozen liquor jugs. ".getBytes();
        for (int i = 0; i < size; i++) {
            buf.put(i, text[i % text.length]);
        }
    }

    @Benchmark
    public ByteBuffer onTheBuffer() {
        Upper.inPlace(buf, 0, size);
        return buf;
    }

    @Benchmark
    public ByteBuffer bulk() {
        bulk.inPlace(buf, 0, size);
        return buf;
    }

    /** The same SWAR with the buffer in native byte order: getLong/putLong then skip a byte swap each. */
    @Benchmark
    public ByteBuffer onTheBufferNativeOrder() {
        buf.order(ByteOrder.nativeOrder());
        Upper.inPlace(buf, 0, size);
        buf.order(ByteOrder.BIG_ENDIAN);
        return buf;
    }

    @Benchmark
    public ByteBuffer bytewise() {
        for (int i = 0; i < size; i++) {
            buf.put(i, Upper.upper(buf.get(i)));
        }
        return buf;
    }
}
