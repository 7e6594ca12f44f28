package nioreactor.bench.micro;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.TimeUnit;
import nioreactor.protocol.TimeFormat;
import nioreactor.protocol.TimeFormatException;
import nioreactor.server.TimeReplies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The UDP time service's per-request work. {@code cachedReply} is the steady state (same format, same second): it
 * must show no allocation under {@code -prof gc}. {@code newSecond} re-renders every call (the once-a-second cost);
 * {@code parseEveryTime} is what the seed does per request (parse the format, render, encode). TimeReplies is public
 * for this benchmark only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class TimeRepliesBench {
    private final ZoneId zone = ZoneId.of("Europe/Berlin");
    private TimeReplies replies;
    private ByteBuffer request;
    private long second;

    @Setup
    public void setup() {
        replies = new TimeReplies(zone);
        request = ByteBuffer.allocateDirect(64);
        request.put("%Y-%m-%d-%X".getBytes(StandardCharsets.US_ASCII)).flip();
        second = 1_764_000_000L;
    }

    @Benchmark
    public ByteBuffer cachedReply() {
        return replies.replyFor(request, second);
    }

    @Benchmark
    public ByteBuffer newSecond() {
        return replies.replyFor(request, ++second);
    }

    @Benchmark
    public byte[] parseEveryTime() throws TimeFormatException {
        return TimeFormat.compile("%Y-%m-%d-%X").format(Instant.ofEpochSecond(second), zone)
                .getBytes(StandardCharsets.UTF_8);
    }
}
