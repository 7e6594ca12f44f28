package nioreactor.kv;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import nioreactor.reactor.Counter;
import nioreactor.reactor.Limits;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.StreamHandler;

/**
 * A Redis-protocol key-value service on one reactor: the keyspace, the buffers every connection of the reactor
 * shares (input, replies) and the active expiry timer, built on the library's public API only. Bind it with
 * {@code reactor.listen("kv", address, limits, KvService.start(reactor, settings, limits).handlers())}.
 *
 * <p>Data lives in memory only: there is no persistence, and a restart starts empty.
 *
 * <p>Its counters and gauges show in {@code /metrics}: {@code kv_commands_total}, {@code kv_keyspace_hits_total},
 * {@code kv_keyspace_misses_total}, {@code kv_oom_rejections_total}, {@code kv_protocol_errors_total},
 * {@code kv_keys}, {@code kv_keys_with_expiry}, {@code kv_expired_keys}, {@code kv_used_memory_bytes} and
 * {@code kv_connected_clients}.
 */
public final class KvService {
    private final KvSettings settings;
    private final KeyValueStore store = new KeyValueStore();
    private final Reply reply = new Reply();
    private final byte[] input;
    private final Commands commands;
    private final ActiveExpiry expiry;
    private final Counter protocolErrors;
    private long connected;
    private long received;

    private KvService(Reactor reactor, KvSettings settings, Limits limits, LongSupplier clockMillis) {
        this.settings = settings;
        // Twice the read buffer: a read plus a leftover request of up to a read's size, parsed in one place.
        this.input = new byte[reactor.readBufferSize() * 2];
        Counter commandsTotal = reactor.counter("kv_commands_total", "Commands the key-value service ran");
        Counter hits = reactor.counter("kv_keyspace_hits_total", "Key lookups that found a key");
        Counter misses = reactor.counter("kv_keyspace_misses_total", "Key lookups that found no key");
        Counter oom = reactor.counter("kv_oom_rejections_total", "Writes refused over --kv-max-memory");
        this.protocolErrors = reactor.counter("kv_protocol_errors_total",
                "Key-value connections closed for breaking the protocol");
        reactor.gauge("kv_keys", "Keys in the key-value store", store::size);
        reactor.gauge("kv_keys_with_expiry", "Keys with a time to live", store::volatileCount);
        reactor.gauge("kv_expired_keys", "Keys deleted because their time to live passed, since start",
                store::expiredKeys);
        reactor.gauge("kv_used_memory_bytes", "Estimated heap held by keys and values", store::usedMemory);
        reactor.gauge("kv_connected_clients", "Open key-value connections", () -> connected);
        KvInfo info = new KvInfo(store, settings, limits.maxConnections(), limits.idleTimeout().toSeconds(),
                () -> connected, () -> received, commandsTotal, hits, misses);
        this.commands = new Commands(store, reply, clockMillis, settings, info, commandsTotal, hits, misses, oom);
        this.expiry = new ActiveExpiry(reactor, store, clockMillis);
    }

    /** The service for {@code reactor}, with the wall clock; its expiry timer starts on the reactor thread. Any thread. */
    public static KvService start(Reactor reactor, KvSettings settings, Limits limits) {
        return start(reactor, settings, limits, System::currentTimeMillis);
    }

    /** With a clock of epoch milliseconds of the caller's choosing (tests move time). Any thread. */
    public static KvService start(Reactor reactor, KvSettings settings, Limits limits, LongSupplier clockMillis) {
        KvService service = new KvService(reactor, settings, limits, clockMillis);
        reactor.execute(service.expiry::start);
        return service;
    }

    /** A handler per connection, for {@link Reactor#listen}. */
    public Supplier<StreamHandler> handlers() {
        return () -> new KvConnection(this);
    }

    KvSettings settings() {
        return settings;
    }

    KeyValueStore store() {
        return store;
    }

    Reply reply() {
        return reply;
    }

    byte[] input() {
        return input;
    }

    Commands commands() {
        return commands;
    }

    void opened() {
        connected++;
        received++;
    }

    void closed() {
        connected--;
    }

    void protocolError() {
        protocolErrors.increment();
    }
}
