package nioreactor.bench.micro;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.FrameDecoder;
import nioreactor.protocol.FrameTooLargeException;
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

/**
 * One read's worth of pipelined frames (16 frames of {@code size} bytes) decoded and answered the way
 * FramedUpperEcho does: reply header and upper-cased payload assembled into a scratch buffer. No allocation expected
 * (check with {@code -prof gc}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FrameDecodeBench {
    @Param({"64"})
    int size;

    ByteBuffer input;
    ByteBuffer scratch;
    FrameDecoder decoder;
    final Sink sink = new Sink();

    final class Sink implements FrameDecoder.Sink {
        int frames;

        @Override
        public void frameStart(int length) {
            scratch.putInt(length);
        }

        @Override
        public void payload(ByteBuffer src, int length) {
            Upper.copy(src, length, scratch);
        }

        @Override
        public void frameEnd() {
            frames++;
        }
    }

    @Setup
    public void setup() {
        input = ByteBuffer.allocateDirect(16 * (4 + size));
        for (int f = 0; f < 16; f++) {
            input.putInt(size);
            for (int i = 0; i < size; i++) {
                input.put((byte) ('a' + i % 26));
            }
        }
        scratch = ByteBuffer.allocateDirect(input.capacity() + 64);
        decoder = new FrameDecoder(1024 * 1024);
    }

    @Benchmark
    public int decodeSixteenFrames() throws FrameTooLargeException {
        input.clear();
        scratch.clear();
        decoder.decode(input, sink);
        return scratch.position();
    }
}
