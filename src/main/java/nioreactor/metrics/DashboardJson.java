package nioreactor.metrics;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Comparator;
import java.util.List;
import nioreactor.reactor.ConnectionInfo;
import nioreactor.reactor.ReactorStats;

/**
 * The dashboard's messages as JSON: the snapshot (the loop, the services, the connections) and the trace events. Pure
 * functions of their arguments, so they are tested without a reactor; the names here are what the page reads.
 */
final class DashboardJson {
    /** A snapshot lists at most this many connections (the ones with most pending output first, then by id). */
    static final int MAX_ROWS = 200;

    private DashboardJson() {
    }

    /** What the page needs to know once, when it subscribes: who it is and the feed's own limits. */
    record Hello(long you, String reactor, int maxClients, long maxPendingBytes, int maxEventsPerSecond,
                 long snapshotMillis) {
    }

    static String hello(Hello h) {
        StringBuilder sb = new StringBuilder(160).append('{');
        Json.key(sb, "you").append(h.you()).append(',');
        Json.key(sb, "reactor");
        Json.string(sb, h.reactor()).append(',');
        Json.key(sb, "maxClients").append(h.maxClients()).append(',');
        Json.key(sb, "maxPendingBytes").append(h.maxPendingBytes()).append(',');
        Json.key(sb, "maxEventsPerSecond").append(h.maxEventsPerSecond()).append(',');
        Json.key(sb, "snapshotMillis").append(h.snapshotMillis());
        return sb.append('}').toString();
    }

    /** The feed's own numbers, shown under the event stream. */
    record Feed(int subscribers, long eventsSkipped, long eventsDropped) {
    }

    static String snapshot(long wallMillis, String reactor, ReactorStats s, List<ConnectionInfo> connections,
                           Feed feed, long heapUsed, long heapMax) {
        StringBuilder sb = new StringBuilder(1024 + Math.min(connections.size(), MAX_ROWS) * 240).append('{');
        Json.key(sb, "t").append(wallMillis).append(',');
        Json.key(sb, "reactor");
        Json.string(sb, reactor).append(',');

        sb.append("\"loop\":{");
        number(sb, "loops", s.loops());
        number(sb, "selects", s.selects());
        number(sb, "emptySelects", s.emptySelects());
        number(sb, "selectBlocks", s.selectBlocks());
        number(sb, "selectSpins", s.selectSpins());
        number(sb, "selectYields", s.selectYields());
        number(sb, "tasks", s.tasksRun());
        number(sb, "timersFired", s.timersFired());
        number(sb, "selectorRebuilds", s.selectorRebuilds());
        number(sb, "selectorRebuildFailures", s.selectorRebuildFailures());
        number(sb, "handlerErrors", s.handlerErrors());
        sb.append("\"loopTime\":{\"boundsMicros\":");
        longs(sb, ReactorStats.LOOP_TIME_BOUNDS_MICROS.stream().mapToLong(Long::longValue).toArray());
        sb.append(",\"counts\":");
        long[] loopCounts = new long[ReactorStats.LOOP_TIME_BOUNDS_MICROS.size() + 1];
        for (int i = 0; i < loopCounts.length; i++) {
            loopCounts[i] = s.loopTimeCount(i);
        }
        longs(sb, loopCounts);
        sb.append(",\"sumNanos\":").append(s.loopTimeSumNanos()).append("},");
        sb.append("\"keysReady\":{\"bounds\":");
        longs(sb, ReactorStats.KEYS_READY_BOUNDS.stream().mapToLong(Integer::longValue).toArray());
        sb.append(",\"counts\":");
        long[] readyCounts = new long[ReactorStats.KEYS_READY_BOUNDS.size() + 1];
        for (int i = 0; i < readyCounts.length; i++) {
            readyCounts[i] = s.keysReadyCount(i);
        }
        longs(sb, readyCounts);
        sb.append(",\"sum\":").append(s.keysReadySum()).append("}},");

        sb.append("\"totals\":{");
        number(sb, "connectionsActive", s.connectionsActive());
        number(sb, "connectionsAccepted", s.connectionsAccepted());
        number(sb, "connectionsRejected", s.connectionsRejected());
        number(sb, "bytesRead", s.bytesRead());
        number(sb, "bytesWritten", s.bytesWritten());
        number(sb, "bytesPending", s.bytesPending());
        number(sb, "bytesAbandoned", s.bytesAbandoned());
        number(sb, "backpressurePauses", s.backpressurePauses());
        number(sb, "datagramsIn", s.datagramsIn());
        number(sb, "datagramsOut", s.datagramsOut());
        number(sb, "datagramsDropped", s.datagramsDropped());
        number(sb, "heapUsed", heapUsed);
        sb.append("\"heapMax\":").append(heapMax).append("},");

        sb.append("\"services\":[");
        String sep = "";
        for (ReactorStats.Sample m : s.services()) {
            sb.append(sep).append('{');
            Json.key(sb, "name");
            Json.string(sb, m.name()).append(',');
            Json.key(sb, "help");
            Json.string(sb, m.help()).append(',');
            Json.key(sb, "gauge").append(m.gauge()).append(',');
            Json.key(sb, "value").append(m.value()).append('}');
            sep = ",";
        }
        sb.append("],");

        List<ConnectionInfo> rows = connections;
        if (rows.size() > MAX_ROWS) {
            rows = rows.stream().sorted(Comparator.comparingLong(ConnectionInfo::pendingBytes).reversed()
                    .thenComparingLong(ConnectionInfo::id)).limit(MAX_ROWS).toList();
        }
        rows = rows.stream().sorted(Comparator.comparingLong(ConnectionInfo::id)).toList();
        Json.key(sb, "connectionsTotal").append(connections.size()).append(',');
        sb.append("\"connections\":[");
        sep = "";
        for (ConnectionInfo c : rows) {
            sb.append(sep);
            connection(sb, c);
            sep = ",";
        }
        sb.append("],");

        sb.append("\"feed\":{");
        number(sb, "subscribers", feed.subscribers());
        number(sb, "eventsSkipped", feed.eventsSkipped());
        sb.append("\"eventsDropped\":").append(feed.eventsDropped()).append('}');
        return sb.append('}').toString();
    }

    static void connection(StringBuilder sb, ConnectionInfo c) {
        sb.append('{');
        number(sb, "id", c.id());
        Json.key(sb, "service");
        Json.string(sb, c.service()).append(',');
        Json.key(sb, "reactor");
        Json.string(sb, c.reactor()).append(',');
        // The family, and where: host:port for TCP; an AF_UNIX peer has no port and usually no name, so the socket file.
        boolean unix = c.peer() != null && c.peer().startsWith("unix ");
        Json.key(sb, "family");
        Json.string(sb, unix ? "unix" : "tcp").append(',');
        Json.key(sb, "remote");
        Json.string(sb, unix ? c.peer().substring("unix ".length()) : address(c.remoteAddress())).append(',');
        Json.key(sb, "state");
        Json.string(sb, c.state().name()).append(',');
        Json.key(sb, "r").append(c.readInterest()).append(',');
        Json.key(sb, "w").append(c.writeInterest()).append(',');
        number(sb, "pending", c.pendingBytes());
        number(sb, "high", c.highWater());
        number(sb, "low", c.lowWater());
        number(sb, "in", c.bytesRead());
        number(sb, "out", c.bytesWritten());
        number(sb, "ageMs", c.ageNanos() / 1_000_000);
        sb.append("\"quietMs\":").append(c.sinceProgressNanos() / 1_000_000).append('}');
    }

    /** One trace event as the page shows it: wall-clock millis, kind, connection id (-1: none), the line. */
    static void event(StringBuilder sb, long wallMillis, String kind, long connectionId, String text) {
        sb.append("{\"t\":").append(wallMillis).append(",\"kind\":");
        Json.string(sb, kind).append(",\"id\":").append(connectionId).append(",\"text\":");
        Json.string(sb, text).append('}');
    }

    /** {@code 127.0.0.1:5000} or {@code [::1]:5000}; any other address as its toString. */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress inet && inet.getAddress() != null) {
            String host = inet.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(a);
    }

    private static void number(StringBuilder sb, String name, long value) {
        Json.key(sb, name).append(value).append(',');
    }

    private static void longs(StringBuilder sb, long[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(values[i]);
        }
        sb.append(']');
    }
}
