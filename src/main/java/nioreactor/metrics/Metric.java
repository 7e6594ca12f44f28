package nioreactor.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.Stats;

/**
 * One number of the reactor's {@link Stats}, named once so that {@code /metrics}, JMX and {@code stats} show the same
 * counters under matching names ({@code connections_closed_total{reason="idle"}} is the JMX attribute
 * {@code ConnectionsClosedIdle}).
 *
 * @param name   the Prometheus name without the {@code nioreactor_} prefix
 * @param reason the value of the {@code reason} label, or null for an unlabelled metric
 */
public record Metric(String name, String help, Type type, String reason, ToLongFunction<Stats> value) {

    /** Prometheus metric types used here; the loop-time histogram is rendered separately. */
    public enum Type {
        COUNTER, GAUGE;

        String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String PREFIX = "nioreactor_";

    /** Every counter and gauge, in the order they are rendered; metrics sharing a name are one labelled family. */
    public static final List<Metric> ALL = catalog();

    private static List<Metric> catalog() {
        List<Metric> m = new ArrayList<>();
        m.add(gauge("connections_active", "Open TCP connections, every service (metrics included)", s -> s.connectionsActive));
        m.add(counter("connections_accepted_total", "TCP connections accepted", s -> s.connectionsAccepted));
        for (CloseReason r : CloseReason.values()) {
            m.add(new Metric("connections_closed_total", "TCP connections closed, by reason", Type.COUNTER, r.label(),
                    s -> s.closed(r)));
        }
        m.add(counter("connections_rejected_total", "Connections refused over --max-connections", s -> s.connectionsRejected));
        m.add(counter("accept_pauses_total", "Times accepting paused because accept failed (e.g. out of file descriptors)", s -> s.acceptPauses));
        m.add(counter("bytes_read_total", "Bytes read from TCP connections", s -> s.bytesRead));
        m.add(counter("bytes_written_total", "Bytes written to TCP connections", s -> s.bytesWritten));
        m.add(gauge("bytes_pending", "Reply bytes queued because a socket's send buffer was full", s -> s.bytesPending));
        m.add(counter("bytes_abandoned_total", "Queued reply bytes dropped because their connection closed", s -> s.bytesAbandoned));
        m.add(counter("backpressure_pauses_total", "Times a connection stopped being read above the high water mark", s -> s.backpressurePauses));
        m.add(counter("frames_total", "Frames answered by the framed upper-echo", s -> s.frames));
        m.add(counter("datagrams_in_total", "UDP datagrams received by the time service", s -> s.datagramsIn));
        m.add(counter("datagrams_out_total", "UDP replies sent by the time service", s -> s.datagramsOut));
        m.add(counter("datagrams_dropped_total", "UDP replies dropped (send failed or reply queue full)", s -> s.datagramsDropped));
        m.add(counter("err_replies_total", "Time service replies starting with ERR", s -> s.errReplies));
        m.add(counter("loop_iterations_total", "Iterations of the event loop", s -> s.loops));
        m.add(counter("selects_total", "Calls to select", s -> s.selects));
        m.add(counter("empty_selects_total", "Selects that returned no ready channel (timer due, woken up, timeout)", s -> s.emptySelects));
        m.add(counter("selector_rebuilds_total", "Selectors replaced by the spin guard (epoll bug workaround)", s -> s.selectorRebuilds));
        m.add(counter("tasks_run_total", "Tasks other threads handed to the reactor", s -> s.tasksRun));
        m.add(counter("timers_fired_total", "Timers fired (idle checks, linger deadlines, accept back-off)", s -> s.timersFired));
        m.add(counter("handler_errors_total", "Unexpected exceptions caught by the loop", s -> s.handlerErrors));
        return List.copyOf(m);
    }

    private static Metric counter(String name, String help, ToLongFunction<Stats> value) {
        return new Metric(name, help, Type.COUNTER, null, value);
    }

    private static Metric gauge(String name, String help, ToLongFunction<Stats> value) {
        return new Metric(name, help, Type.GAUGE, null, value);
    }

    /** The full Prometheus sample name, e.g. {@code nioreactor_connections_closed_total{reason="idle"}}. */
    public String sampleName() {
        return PREFIX + name + (reason == null ? "" : "{reason=\"" + reason + "\"}");
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
