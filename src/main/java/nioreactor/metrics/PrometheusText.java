package nioreactor.metrics;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import nioreactor.reactor.ReactorStats;

/**
 * The Prometheus text exposition format (version 0.0.4) of a {@link ReactorStats} snapshot (the reactor's own counters, then each service's), and a reader for it (used by the
 * {@code stats} command and the tests, so what is written is also what is checked).
 */
public final class PrometheusText {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String LOOP_HISTOGRAM = Metric.PREFIX + "loop_iteration_seconds";

    private PrometheusText() {
    }

    public static String render(ReactorStats stats) {
        StringBuilder sb = new StringBuilder(4096);
        String family = null;
        for (Metric m : Metric.all(stats)) {
            if (!m.name().equals(family)) {
                family = m.name();
                sb.append("# HELP ").append(Metric.PREFIX).append(family).append(' ').append(m.help()).append('\n');
                sb.append("# TYPE ").append(Metric.PREFIX).append(family).append(' ').append(m.type().text()).append('\n');
            }
            sb.append(m.sampleName()).append(' ').append(m.value().applyAsLong(stats)).append('\n');
        }
        renderLoopTime(stats, sb);
        return sb.toString();
    }

    /** Buckets are cumulative in Prometheus; the reactor keeps them per bucket, so they are summed here. */
    private static void renderLoopTime(ReactorStats h, StringBuilder sb) {
        sb.append("# HELP ").append(LOOP_HISTOGRAM)
                .append(" Work done per loop iteration (tasks, dispatch, timers; not time blocked in select)\n");
        sb.append("# TYPE ").append(LOOP_HISTOGRAM).append(" histogram\n");
        long cumulative = 0;
        int buckets = ReactorStats.LOOP_TIME_BOUNDS_MICROS.size();
        for (int i = 0; i < buckets; i++) {
            cumulative += h.loopTimeCount(i);
            sb.append(LOOP_HISTOGRAM).append("_bucket{le=\"").append(seconds(ReactorStats.LOOP_TIME_BOUNDS_MICROS.get(i)))
                    .append("\"} ").append(cumulative).append('\n');
        }
        cumulative += h.loopTimeCount(buckets);
        sb.append(LOOP_HISTOGRAM).append("_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        sb.append(LOOP_HISTOGRAM).append("_sum ").append(h.loopTimeSumNanos() / 1e9).append('\n');
        sb.append(LOOP_HISTOGRAM).append("_count ").append(cumulative).append('\n');
    }

    /** 50 µs as "0.00005", not "5.0E-5": both are valid, the plain one is readable. */
    static String seconds(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    /**
     * Reads samples, keyed by name plus labels exactly as written (e.g. {@code nioreactor_connections_closed_total{reason="idle"}}),
     * in order. Comments and blank lines are skipped; a line that is not {@code name[{labels}] value} is an error.
     */
    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf('}');
            split = line.indexOf(' ', split < 0 ? 0 : split);
            if (split < 0) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            String value = line.substring(split + 1).strip();
            int timestamp = value.indexOf(' ');
            if (timestamp >= 0) {
                value = value.substring(0, timestamp);
            }
            try {
                samples.put(line.substring(0, split), parseValue(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad value in: " + line, e);
            }
        }
        return samples;
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
