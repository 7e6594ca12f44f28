package nioreactor.kv;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import nioreactor.reactor.Counter;

/**
 * What INFO and CONFIG GET tell about one reactor's key-value service, in Redis's field names so that tools which
 * read them (redis-cli, redis-benchmark, dashboards) find what they expect. Built on demand: neither is on a hot path.
 */
final class KvInfo {
    /** The Redis version whose protocol and replies this service follows; clients read it to pick features. */
    static final String REDIS_VERSION = "7.0.0";
    private static final String[] ALL = {"server", "clients", "memory", "stats", "keyspace"};

    private final KeyValueStore store;
    private final KvSettings settings;
    private final int maxClients;
    private final long idleTimeoutSeconds;
    private final LongSupplier connectedClients;
    private final LongSupplier connectionsReceived;
    private final Counter commands;
    private final Counter hits;
    private final Counter misses;
    private final long startedNanos = System.nanoTime();

    KvInfo(KeyValueStore store, KvSettings settings, int maxClients, long idleTimeoutSeconds,
           LongSupplier connectedClients, LongSupplier connectionsReceived, Counter commands, Counter hits,
           Counter misses) {
        this.store = store;
        this.settings = settings;
        this.maxClients = maxClients;
        this.idleTimeoutSeconds = idleTimeoutSeconds;
        this.connectedClients = connectedClients;
        this.connectionsReceived = connectionsReceived;
        this.commands = commands;
        this.hits = hits;
        this.misses = misses;
    }

    /** The CONFIG GET answers: settings this service has, and the fixed ones clients ask for (save, appendonly). */
    Map<String, String> config() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("maxmemory", Long.toString(settings.maxMemory()));
        c.put("maxmemory-policy", "noeviction");
        c.put("proto-max-bulk-len", Long.toString(settings.maxBulk()));
        c.put("client-query-buffer-limit", Long.toString(settings.maxRequest()));
        c.put("maxclients", Integer.toString(maxClients));
        c.put("timeout", Long.toString(idleTimeoutSeconds));
        c.put("databases", "1");
        c.put("save", "");
        c.put("appendonly", "no");
        return c;
    }

    /** INFO's text for {@code sections} (none, "default", "all" or "everything": every section; unknown: nothing). */
    String text(String[] sections) {
        boolean all = sections.length == 0;
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (String s : sections) {
            String name = s.toLowerCase(Locale.ROOT);
            if (name.equals("default") || name.equals("all") || name.equals("everything")) {
                all = true;
            }
            wanted.add(name);
        }
        StringBuilder out = new StringBuilder();
        for (String section : ALL) {
            if (all || wanted.contains(section)) {
                if (out.length() > 0) {
                    out.append("\r\n");
                }
                append(out, section);
            }
        }
        return out.toString();
    }

    private void append(StringBuilder out, String section) {
        switch (section) {
            case "server" -> {
                long uptime = (System.nanoTime() - startedNanos) / 1_000_000_000L;
                out.append("# Server\r\n")
                        .append("redis_version:").append(REDIS_VERSION).append("\r\n")
                        .append("redis_mode:standalone\r\n")
                        .append("server_name:nioreactor\r\n")
                        .append("os:").append(System.getProperty("os.name")).append(' ')
                        .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
                        .append("\r\n")
                        .append("arch_bits:64\r\n")
                        .append("multiplexing_api:java.nio\r\n")
                        .append("java_version:").append(System.getProperty("java.version")).append("\r\n")
                        .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                        .append("uptime_in_seconds:").append(uptime).append("\r\n")
                        .append("uptime_in_days:").append(uptime / 86_400).append("\r\n")
                        .append("persistence:none\r\n");
            }
            case "clients" -> out.append("# Clients\r\n")
                    .append("connected_clients:").append(connectedClients.getAsLong()).append("\r\n")
                    .append("maxclients:").append(maxClients).append("\r\n");
            case "memory" -> {
                long used = store.usedMemory();
                long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                out.append("# Memory\r\n")
                        .append("used_memory:").append(used).append("\r\n")
                        .append("used_memory_human:").append(human(used)).append("\r\n")
                        .append("used_memory_jvm_heap:").append(heap).append("\r\n")
                        .append("maxmemory:").append(settings.maxMemory()).append("\r\n")
                        .append("maxmemory_human:").append(human(settings.maxMemory())).append("\r\n")
                        .append("maxmemory_policy:noeviction\r\n");
            }
            case "stats" -> out.append("# Stats\r\n")
                    .append("total_connections_received:").append(connectionsReceived.getAsLong()).append("\r\n")
                    .append("total_commands_processed:").append(commands.value()).append("\r\n")
                    .append("expired_keys:").append(store.expiredKeys()).append("\r\n")
                    .append("keyspace_hits:").append(hits.value()).append("\r\n")
                    .append("keyspace_misses:").append(misses.value()).append("\r\n");
            case "keyspace" -> {
                out.append("# Keyspace\r\n");
                if (store.size() > 0) {
                    out.append("db0:keys=").append(store.size()).append(",expires=").append(store.volatileCount())
                            .append(",avg_ttl=0\r\n");
                }
            }
            default -> throw new IllegalArgumentException(section);
        }
    }

    /** Redis's used_memory_human: two decimals and B, K, M or G. */
    static String human(long bytes) {
        String[] units = {"B", "K", "M", "G", "T"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }
}
