package nioreactor.bench.micro;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.Upper;
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

/** Upper-casing in place in a direct buffer: eight bytes at a time (the server's path) against one at a time. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class UpperBench {
    @Param({"64", "16384"})
    int size;

    ByteBuffer buf;

    @Setup
    public void setup() {
        buf = ByteBuffer.allocateDirect(size);
        byte[] text = "Hello, nioreactor! pack my box with five dozen liquor jugs. ".getBytes();
        for (int i = 0; i < size; i++) {
            buf.put(i, text[i % text.length]);
        }
    }

    @Benchmark
    public ByteBuffer swar() {
        Upper.inPlace(buf, 0, size);
        return buf;
    }

    /** The same SWAR with the buffer in native byte order: getLong/putLong then skip a byte swap each. */
    @Benchmark
    public ByteBuffer swarNativeOrder() {
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
