package nioreactor.metrics;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Several reactors of one server ({@code serve --reactors N}): every series once without a {@code reactor} label,
     * the total of all reactors, then once per reactor with {@code reactor="<name>"}. (Sum either the unlabelled
     * series or the labelled ones, not both.) A service metric a reactor does not have (the chat room lives on
     * reactor-0) has no series for that reactor.
     */
    public static String render(List<String> names, List<ReactorStats> perReactor) {
        if (perReactor.size() == 1) {
            return render(perReactor.get(0));
        }
        ReactorStats total = ReactorStats.total(perReactor);
        StringBuilder sb = new StringBuilder(4096 * (1 + perReactor.size()));
        String family = null;
        for (Metric m : Metric.all(total)) {
            if (!m.name().equals(family)) {
                family = m.name();
                sb.append("# HELP ").append(Metric.PREFIX).append(family).append(' ').append(m.help()).append('\n');
                sb.append("# TYPE ").append(Metric.PREFIX).append(family).append(' ').append(m.type().text()).append('\n');
            }
            sb.append(m.sampleName()).append(' ').append(m.value().applyAsLong(total)).append('\n');
            boolean service = Metric.ALL.stream().noneMatch(own -> own.sampleName().equals(m.sampleName()));
            for (int r = 0; r < perReactor.size(); r++) {
                ReactorStats s = perReactor.get(r);
                if (service && s.services().stream().noneMatch(x -> x.name().equals(m.name()))) {
                    continue;
                }
                sb.append(withLabel(m.sampleName(), "reactor", names.get(r))).append(' ')
                        .append(m.value().applyAsLong(s)).append('\n');
            }
        }
        renderLoopTime(total, sb, null);
        for (int r = 0; r < perReactor.size(); r++) {
            renderLoopTime(perReactor.get(r), sb, names.get(r));
        }
        return sb.toString();
    }

    /** {@code x} or {@code x{a="b"}} with one more label. */
    static String withLabel(String sample, String label, String value) {
        String pair = label + "=\"" + value + "\"";
        return sample.endsWith("}") ? sample.substring(0, sample.length() - 1) + "," + pair + "}"
                : sample + "{" + pair + "}";
    }

    private static void renderLoopTime(ReactorStats h, StringBuilder sb) {
        renderLoopTime(h, sb, null);
    }

    /**
     * Buckets are cumulative in Prometheus; the reactor keeps them per bucket, so they are summed here. With a
     * {@code reactor} name, the series carry its label and the HELP/TYPE lines (already written) are not repeated.
     */
    private static void renderLoopTime(ReactorStats h, StringBuilder sb, String reactor) {
        if (reactor == null) {
            sb.append("# HELP ").append(LOOP_HISTOGRAM)
                    .append(" Work done per loop iteration (tasks, dispatch, timers; not time blocked in select)\n");
            sb.append("# TYPE ").append(LOOP_HISTOGRAM).append(" histogram\n");
        }
        String label = reactor == null ? "" : ",reactor=\"" + reactor + "\"";
        String only = reactor == null ? "" : "{reactor=\"" + reactor + "\"}";
        long cumulative = 0;
        int buckets = ReactorStats.LOOP_TIME_BOUNDS_MICROS.size();
        for (int i = 0; i < buckets; i++) {
            cumulative += h.loopTimeCount(i);
            sb.append(LOOP_HISTOGRAM).append("_bucket{le=\"").append(seconds(ReactorStats.LOOP_TIME_BOUNDS_MICROS.get(i)))
                    .append('"').append(label).append("} ").append(cumulative).append('\n');
        }
        cumulative += h.loopTimeCount(buckets);
        sb.append(LOOP_HISTOGRAM).append("_bucket{le=\"+Inf\"").append(label).append("} ").append(cumulative).append('\n');
        sb.append(LOOP_HISTOGRAM).append("_sum").append(only).append(' ').append(h.loopTimeSumNanos() / 1e9).append('\n');
        sb.append(LOOP_HISTOGRAM).append("_count").append(only).append(' ').append(cumulative).append('\n');
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
