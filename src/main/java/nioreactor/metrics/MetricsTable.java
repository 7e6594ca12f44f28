package nioreactor.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Map;

/**
 * What {@code stats} prints: the samples of a {@code /metrics} page as a two-column table a person can read, e.g.
 * {@code nioreactor_connections_closed_total{reason="idle"}} as "connections closed (idle)", and the loop-time
 * histogram as its buckets with their share of the iterations.
 */
public final class MetricsTable {
    private static final int WIDTH = 44;
    private static final Pattern REACTOR_LABEL = Pattern.compile("[{,]reactor=\"([^\"]*)\"");

    private MetricsTable() {
    }

    public static String format(Map<String, Double> samples) {
        return format(samples, null, 0);
    }

    /**
     * With a per-second column: each counter's ({@code _total}) growth since {@code earlier}, taken {@code seconds}
     * before {@code samples}.
     */
    public static String format(Map<String, Double> samples, Map<String, Double> earlier, double seconds) {
        StringBuilder sb = new StringBuilder();
        boolean rates = earlier != null && seconds > 0;
        // A server with several reactors labels each series with its reactor, next to the unlabelled total: one
        // column per reactor, after the total.
        List<String> reactors = new ArrayList<>();
        for (String key : samples.keySet()) {
            Matcher m = REACTOR_LABEL.matcher(key);
            if (m.find() && !reactors.contains(m.group(1))) {
                reactors.add(m.group(1));
            }
        }
        StringBuilder columns = new StringBuilder();
        for (String r : reactors) {
            columns.append(String.format(Locale.ROOT, " %14s", r.toUpperCase(Locale.ROOT)));
        }
        sb.append(String.format(Locale.ROOT, "%-" + WIDTH + "s %14s%s%s%n", "METRIC", reactors.isEmpty() ? "VALUE" : "TOTAL",
                columns, rates ? String.format(Locale.ROOT, " %14s", "PER SECOND") : ""));
        String histogram = PrometheusText.LOOP_HISTOGRAM;
        for (Map.Entry<String, Double> e : samples.entrySet()) {
            if (REACTOR_LABEL.matcher(e.getKey()).find()) {
                continue; // shown in its reactor's column
            }
            StringBuilder perReactor = new StringBuilder();
            for (String r : reactors) {
                Double v = samples.get(PrometheusText.withLabel(e.getKey(), "reactor", r));
                perReactor.append(String.format(Locale.ROOT, " %14s", v == null ? "" : number(v)));
            }
            if (!e.getKey().startsWith(histogram)) {
                String rate = "";
                if (rates) {
                    Double before = earlier.get(e.getKey());
                    boolean counter = e.getKey().replaceAll("\\{.*", "").endsWith("_total");
                    rate = String.format(Locale.ROOT, " %14s", counter && before != null
                            ? String.format(Locale.ROOT, "%,.1f", (e.getValue() - before) / seconds) : "");
                }
                sb.append(String.format(Locale.ROOT, "%-" + WIDTH + "s %14s%s%s%n", label(e.getKey()),
                        number(e.getValue()), perReactor, rate));
            }
        }
        Double count = samples.get(histogram + "_count");
        Double sum = samples.get(histogram + "_sum");
        if (count != null && sum != null) {
            sb.append(String.format(Locale.ROOT, "%nloop iteration work time: %s iterations, mean %.1f us%n",
                    number(count), count == 0 ? 0.0 : sum / count * 1e6));
            double below = 0;
            for (Map.Entry<String, Double> e : samples.entrySet()) {
                String key = e.getKey();
                if (!key.startsWith(histogram + "_bucket{le=\"") || REACTOR_LABEL.matcher(key).find()) {
                    continue;
                }
                String le = key.substring((histogram + "_bucket{le=\"").length(), key.length() - 2);
                double inBucket = e.getValue() - below;
                below = e.getValue();
                sb.append(String.format(Locale.ROOT, "  %-16s %14s  %5.1f%%%n", bucketLabel(le), number(inBucket),
                        count == 0 ? 0.0 : 100 * inBucket / count));
            }
        }
        return sb.toString();
    }

    /** nioreactor_bytes_read_total as "bytes read"; a label value goes in parentheses. */
    static String label(String sample) {
        String name = sample;
        String labels = "";
        int brace = sample.indexOf('{');
        if (brace >= 0) {
            name = sample.substring(0, brace);
            labels = sample.substring(brace + 1, sample.length() - 1).replaceAll("[a-z_]+=\"([^\"]*)\"", "$1");
        }
        if (name.startsWith(Metric.PREFIX)) {
            name = name.substring(Metric.PREFIX.length());
        }
        if (name.endsWith("_total")) {
            name = name.substring(0, name.length() - "_total".length());
        }
        return name.replace('_', ' ') + (labels.isEmpty() ? "" : " (" + labels + ")");
    }

    private static String bucketLabel(String le) {
        if (le.equals("+Inf")) {
            return "longer";
        }
        double micros = Double.parseDouble(le) * 1e6;
        return micros >= 1000 ? String.format(Locale.ROOT, "<= %.0f ms", micros / 1000)
                : String.format(Locale.ROOT, "<= %.0f us", micros);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%,d", (long) v)
                : String.format(Locale.ROOT, "%.3f", v);
    }
}
