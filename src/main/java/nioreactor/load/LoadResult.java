package nioreactor.load;

import org.HdrHistogram.Histogram;

/**
 * What one load run measured, warm-up excluded. Latencies are in microseconds, from a request's first byte handed to
 * the kernel (for churn: from the connect) to its reply's last byte read. {@code errors} are requests that failed
 * without a wrong byte (refused or reset connections, lost datagrams); a wrong byte fails the run instead.
 */
public record LoadResult(long requests, double seconds, double p50Micros, double p99Micros, double p999Micros,
                         double maxMicros, long errors) {

    static LoadResult of(long requests, double seconds, Histogram latencyNanos, long errors) {
        return new LoadResult(requests, seconds,
                micros(latencyNanos, 50), micros(latencyNanos, 99), micros(latencyNanos, 99.9),
                latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getMaxValue() / 1_000.0, errors);
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1_000.0;
    }

    public double requestsPerSecond() {
        return seconds <= 0 ? 0 : requests / seconds;
    }

    /** One line, e.g. "123,456 req/s  p50 81 us  p99 160 us  p99.9 410 us  max 2,100 us  errors 0". */
    public String summary() {
        return String.format("%,.0f req/s  p50 %,.0f us  p99 %,.0f us  p99.9 %,.0f us  max %,.0f us  errors %d",
                requestsPerSecond(), p50Micros, p99Micros, p999Micros, maxMicros, errors);
    }
}
