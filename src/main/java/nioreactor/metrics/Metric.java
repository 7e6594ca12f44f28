package nioreactor.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.ReactorStats;

/**
 * One number of the reactor's {@link ReactorStats}, named once so that {@code /metrics}, JMX and {@code stats} show the same
 * counters under matching names ({@code connections_closed_total{reason="idle"}} is the JMX attribute
 * {@code ConnectionsClosedIdle}).
 *
 * @param name   the Prometheus name without the {@code nioreactor_} prefix
 * @param reason the value of the {@code reason} label, or null for an unlabelled metric
 */
public record Metric(String name, String help, Type type, String reason, ToLongFunction<ReactorStats> value) {

    /** Prometheus metric types used here; the loop-time histogram is rendered separately. */
    public enum Type {
        COUNTER, GAUGE;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String PREFIX = "nioreactor_";

    /**
     * The reactor's own counters and gauges, in the order they are rendered; metrics sharing a name are one labelled
     * family. Services' counters (frames, ERR replies, chat members) come after these, from
     * {@link ReactorStats#services()}.
     */
    public static final List<Metric> ALL = catalog();

    private static List<Metric> catalog() {
        List<Metric> m = new ArrayList<>();
        m.add(gauge("connections_active", "Open TCP connections, every listener (metrics included) and outbound", ReactorStats::connectionsActive));
        m.add(counter("connections_accepted_total", "TCP connections accepted", ReactorStats::connectionsAccepted));
        m.add(counter("connections_handed_off_total", "TCP connections accepted here and handed to another reactor (--accept-mode handoff)", ReactorStats::connectionsHandedOff));
        m.add(gauge("connections_active_unix", "The AF_UNIX connections among connections_active", ReactorStats::connectionsActiveUnix));
        m.add(counter("connections_accepted_unix_total", "The connections among connections_accepted_total that came in on AF_UNIX listeners", ReactorStats::connectionsAcceptedUnix));
        m.add(counter("connections_connected_total", "Outbound TCP connections made", ReactorStats::connectionsConnected));
        m.add(counter("connect_failures_total", "Outbound connects that failed (refused, unreachable, timed out)", ReactorStats::connectFailures));
        for (CloseReason r : CloseReason.values()) {
            m.add(new Metric("connections_closed_total", "TCP connections closed, by reason", Type.COUNTER, r.label(),
                    s -> s.closed(r)));
        }
        m.add(counter("connections_rejected_total", "Connections refused because their listener was at its maximum", ReactorStats::connectionsRejected));
        m.add(counter("accept_pauses_total", "Times accepting paused because accept failed (e.g. out of file descriptors)", ReactorStats::acceptPauses));
        m.add(counter("bytes_read_total", "Bytes read from TCP connections", ReactorStats::bytesRead));
        m.add(counter("bytes_written_total", "Bytes written to TCP connections", ReactorStats::bytesWritten));
        m.add(gauge("bytes_pending", "Reply bytes queued because a socket's send buffer was full", ReactorStats::bytesPending));
        m.add(counter("bytes_abandoned_total", "Queued reply bytes dropped because their connection closed", ReactorStats::bytesAbandoned));
        m.add(counter("backpressure_pauses_total", "Times a connection stopped being read above the high water mark", ReactorStats::backpressurePauses));
        m.add(counter("datagrams_in_total", "UDP datagrams received", ReactorStats::datagramsIn));
        m.add(counter("datagrams_out_total", "UDP datagrams sent", ReactorStats::datagramsOut));
        m.add(counter("datagrams_dropped_total", "UDP datagrams dropped (send failed, reply queue full, handler failed)", ReactorStats::datagramsDropped));
        m.add(counter("loop_iterations_total", "Iterations of the event loop", ReactorStats::loops));
        m.add(counter("selects_total", "Calls to select", ReactorStats::selects));
        m.add(counter("select_spins_total", "Idle waits that polled with selectNow instead of blocking (--select-strategy spin, backoff)", ReactorStats::selectSpins));
        m.add(counter("select_yields_total", "Idle waits that yielded the thread before polling (--select-strategy backoff)", ReactorStats::selectYields));
        m.add(counter("select_blocks_total", "Idle waits that blocked in select", ReactorStats::selectBlocks));
        m.add(counter("empty_selects_total", "Selects that returned no ready channel (timer due, woken up, timeout)", ReactorStats::emptySelects));
        m.add(counter("selector_rebuilds_total", "Selectors replaced by the spin guard (epoll bug workaround)", ReactorStats::selectorRebuilds));
        m.add(counter("selector_rebuild_failures_total", "Spin-guard rebuilds that could not open a new selector and kept the old one", ReactorStats::selectorRebuildFailures));
        m.add(counter("tasks_run_total", "Tasks other threads handed to the reactor", ReactorStats::tasksRun));
        m.add(counter("timers_fired_total", "Timers fired (idle checks, linger deadlines, accept back-off)", ReactorStats::timersFired));
        m.add(counter("handler_errors_total", "Unexpected exceptions caught by the loop", ReactorStats::handlerErrors));
        return List.copyOf(m);
    }

    private static Metric counter(String name, String help, ToLongFunction<ReactorStats> value) {
        return new Metric(name, help, Type.COUNTER, null, value);
    }

    private static Metric gauge(String name, String help, ToLongFunction<ReactorStats> value) {
        return new Metric(name, help, Type.GAUGE, null, value);
    }

    /** The full Prometheus sample name, e.g. {@code nioreactor_connections_closed_total{reason="idle"}}. */
    public String sampleName() {
        return PREFIX + name + (reason == null ? "" : "{reason=\"" + reason + "\"}");
    }

    /** The reactor's metrics, then the services' registered in {@code stats}, in rendering order. */
    public static List<Metric> all(ReactorStats stats) {
        if (stats.services().isEmpty()) {
            return ALL;
        }
        List<Metric> all = new ArrayList<>(ALL);
        for (ReactorStats.Sample sample : stats.services()) {
            all.add(of(sample));
        }
        return all;
    }

    /** A service's counter or gauge from a snapshot, as a metric of the same shape as the reactor's own. */
    public static Metric of(ReactorStats.Sample sample) {
        String name = sample.name();
        return new Metric(name, sample.help(), sample.gauge() ? Type.GAUGE : Type.COUNTER, null,
                s -> s.service(name));
    }

    /** The JMX attribute name: {@code connections_closed_total} + {@code peer-eof} gives ConnectionsClosedPeerEof. */
    public String attributeName() {
        String base = name.endsWith("_total") ? name.substring(0, name.length() - "_total".length()) : name;
        return camel(base) + (reason == null ? "" : camel(reason));
    }

    private static String camel(String words) {
        StringBuilder sb = new StringBuilder();
        for (String w : words.split("[_-]")) {
            if (!w.isEmpty()) {
                sb.append(Character.toUpperCase(w.charAt(0))).append(w, 1, w.length());
            }
        }
        return sb.toString();
    }
}
