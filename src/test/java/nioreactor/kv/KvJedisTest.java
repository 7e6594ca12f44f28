package nioreactor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nioreactor.server.Server;
import nioreactor.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.SetParams;

/** Jedis, a Redis client nobody here wrote, against {@code serve --kv}: every command, pipelining, binary data, TTLs, errors. */
class KvJedisTest {
    private static Server server;
    private Jedis jedis;

    @BeforeAll
    static void start() throws Exception {
        server = Server.start(ServerConfig.builder().tcpPort(ServerConfig.DISABLED).framedPort(ServerConfig.DISABLED)
                .udpPort(ServerConfig.DISABLED).kvPort(0).build());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connect() {
        jedis = new Jedis("127.0.0.1", server.kvAddress().getPort(), 30_000);
        jedis.flushAll();
    }

    @org.junit.jupiter.api.AfterEach
    void disconnect() {
        jedis.close();
    }

    @Test
    void pingAndEcho() {
        assertThat(jedis.ping()).isEqualTo("PONG");
        assertThat(jedis.ping("hello")).isEqualTo("hello");
        assertThat(jedis.echo("a b\r\nc")).isEqualTo("a b\r\nc");
    }

    @Test
    void setAndGetWithOptions() {
        assertThat(jedis.set("k", "v")).isEqualTo("OK");
        assertThat(jedis.get("k")).isEqualTo("v");
        assertThat(jedis.get("missing")).isNull();
        assertThat(jedis.set("k", "w", SetParams.setParams().nx())).isNull();
        assertThat(jedis.set("k", "w", SetParams.setParams().xx())).isEqualTo("OK");
        assertThat(jedis.set("new", "x", SetParams.setParams().xx())).isNull();
        assertThat(jedis.get("k")).isEqualTo("w");
        assertThat(jedis.set("t", "1", SetParams.setParams().ex(100))).isEqualTo("OK");
        assertThat(jedis.ttl("t")).isBetween(99L, 100L);
        assertThat(jedis.set("t", "1", SetParams.setParams().px(5000))).isEqualTo("OK");
        assertThat(jedis.pttl("t")).isBetween(4000L, 5000L);
        assertThat(jedis.set("t", "2")).isEqualTo("OK");
        assertThat(jedis.ttl("t")).isEqualTo(-1); // a plain SET clears the time to live
    }

    @Test
    void deleteAndExists() {
        jedis.mset("a", "1", "b", "2");
        assertThat(jedis.exists("a", "a", "b", "c")).isEqualTo(3);
        assertThat(jedis.del("a", "c")).isEqualTo(1);
        assertThat(jedis.exists("a")).isFalse();
        assertThat(jedis.dbSize()).isEqualTo(1);
    }

    @Test
    void counters() {
        assertThat(jedis.incr("n")).isEqualTo(1);
        assertThat(jedis.incrBy("n", 41)).isEqualTo(42);
        assertThat(jedis.decr("n")).isEqualTo(41);
        assertThat(jedis.decrBy("n", 50)).isEqualTo(-9);
        assertThat(jedis.get("n")).isEqualTo("-9");
        jedis.set("max", Long.toString(Long.MAX_VALUE));
        assertThatThrownBy(() -> jedis.incr("max")).isInstanceOf(JedisDataException.class)
                .hasMessage("ERR increment or decrement would overflow");
        jedis.set("s", "abc");
        assertThatThrownBy(() -> jedis.incr("s")).hasMessage("ERR value is not an integer or out of range");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.INCRBY, "n", "x"))
                .hasMessage("ERR value is not an integer or out of range");
    }

    @Test
    void multiGetAndSet() {
        assertThat(jedis.mset("a", "1", "b", "2")).isEqualTo("OK");
        assertThat(jedis.mget("a", "nope", "b")).containsExactly("1", null, "2");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.MSET, "a", "1", "b"))
                .hasMessage("ERR wrong number of arguments for 'mset' command");
    }

    @Test
    void expiry() throws InterruptedException {
        jedis.set("k", "v");
        assertThat(jedis.ttl("k")).isEqualTo(-1);
        assertThat(jedis.ttl("missing")).isEqualTo(-2);
        assertThat(jedis.expire("k", 100)).isEqualTo(1);
        assertThat(jedis.ttl("k")).isBetween(99L, 100L);
        assertThat(jedis.expire("missing", 100)).isEqualTo(0);
        assertThat(jedis.persist("k")).isEqualTo(1);
        assertThat(jedis.persist("k")).isEqualTo(0);
        assertThat(jedis.pexpire("k", 50)).isEqualTo(1);
        Thread.sleep(120);
        assertThat(jedis.get("k")).isNull(); // lazily expired on access
        jedis.set("gone", "v");
        assertThat(jedis.expire("gone", -1)).isEqualTo(1); // a time in the past deletes
        assertThat(jedis.exists("gone")).isFalse();
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "EX", "0"))
                .hasMessage("ERR invalid expire time in 'set' command");
    }

    @Test
    void expiredKeysAreReclaimedWithoutBeingAskedFor() throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            jedis.set("k" + i, "v", SetParams.setParams().px(20));
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (jedis.dbSize() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(jedis.dbSize()).isZero(); // DBSIZE counts keys not yet reclaimed, as Redis's does
    }

    @Test
    void pipelining() {
        Pipeline p = jedis.pipelined();
        List<Response<String>> sets = new ArrayList<>();
        List<Response<Long>> incrs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            sets.add(p.set("key:" + i, "value:" + i));
            incrs.add(p.incr("counter"));
        }
        Response<List<String>> got = p.mget("key:0", "key:999", "key:1000");
        p.sync();
        assertThat(sets).allSatisfy(r -> assertThat(r.get()).isEqualTo("OK"));
        for (int i = 0; i < 1000; i++) {
            assertThat(incrs.get(i).get()).isEqualTo(i + 1);
        }
        assertThat(got.get()).containsExactly("value:0", "value:999", null);
    }

    @Test
    void binaryKeysAndValues() {
        byte[] key = {0, (byte) 0xff, '\r', '\n', ' ', '"'};
        byte[] value = new byte[256 * 1024];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        assertThat(jedis.set(key, value)).isEqualTo("OK");
        assertThat(jedis.get(key)).isEqualTo(value);
        assertThat(jedis.exists(key)).isTrue();
        assertThat(jedis.get(new byte[] {0})).isNull();
    }

    @Test
    void serverCommands() {
        assertThat(jedis.select(0)).isEqualTo("OK");
        assertThatThrownBy(() -> jedis.select(1)).hasMessage("ERR DB index is out of range");
        jedis.set("a", "1");
        jedis.set("b", "1");
        jedis.expire("b", 100);
        String info = jedis.info();
        assertThat(info).contains("# Server\r\n", "redis_version:", "connected_clients:", "used_memory:",
                "total_commands_processed:", "keyspace_hits:", "keyspace_misses:", "db0:keys=2,expires=1,avg_ttl=0");
        assertThat(jedis.info("memory")).startsWith("# Memory\r\n").doesNotContain("# Server");
        assertThat(jedis.configGet("maxmemory")).isEqualTo(Map.of("maxmemory", Long.toString(KvSettings.DEFAULT_MAX_MEMORY)));
        assertThat(jedis.configGet("save")).isEqualTo(Map.of("save", ""));
        assertThat(jedis.configGet("appendonly")).isEqualTo(Map.of("appendonly", "no"));
        assertThat(jedis.configGet("no-such-setting")).isEmpty();
        assertThat(jedis.sendCommand(Protocol.Command.COMMAND)).isEqualTo(List.of());
        assertThat(jedis.sendCommand(Protocol.Command.COMMAND, "DOCS")).isEqualTo(List.of());
        assertThat(jedis.flushDB()).isEqualTo("OK");
        assertThat(jedis.dbSize()).isZero();
    }

    @Test
    void errorsInRedisWords() {
        ProtocolCommand unknown = () -> "FOOBAR".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> jedis.sendCommand(unknown, "a", "b"))
                .hasMessage("ERR unknown command 'FOOBAR', with args beginning with: 'a' 'b' ");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.GET))
                .hasMessage("ERR wrong number of arguments for 'get' command");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "BOGUS"))
                .hasMessage("ERR syntax error");
        assertThatThrownBy(() -> jedis.sendCommand(Protocol.Command.SET, "k", "v", "EX", "x"))
                .hasMessage("ERR value is not an integer or out of range");
        assertThat(jedis.ping()).isEqualTo("PONG"); // errors leave the connection usable
    }

    @Test
    void quitClosesAfterTheReply() {
        ProtocolCommand quit = () -> "QUIT".getBytes(StandardCharsets.US_ASCII);
        assertThat(jedis.sendCommand(quit)).isEqualTo("OK".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> jedis.ping()).isInstanceOf(redis.clients.jedis.exceptions.JedisConnectionException.class);
    }

    @Test
    void countersShowInTheReactorsStats() {
        jedis.set("a", "1");
        jedis.get("a");
        jedis.get("b");
        var stats = server.stats();
        assertThat(stats.service("kv_commands_total")).isPositive();
        assertThat(stats.service("kv_keyspace_hits_total")).isPositive();
        assertThat(stats.service("kv_keyspace_misses_total")).isPositive();
        assertThat(stats.service("kv_keys")).isEqualTo(1);
        assertThat(stats.service("kv_used_memory_bytes")).isPositive();
        assertThat(stats.service("kv_connected_clients")).isEqualTo(1);
    }
}
