package nioreactor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import nioreactor.reactor.CloseReason;
import org.junit.jupiter.api.Test;

/** Each limit of the key-value service, and what a client sees at it. */
class KvLimitsTest {

    @Test
    void halfARequestCostsWhatWasSentNotWhatWasDeclared() {
        try (Session s = new Session()) {
            s.feed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$60000000\r\n"); // declares 60 MB
            byte[] some = new byte[100_000];
            s.feed(some);
            int sent = 100_000 + 40;
            s.onReactor(() -> assertThat(s.connection.bufferedCapacity()).isBetween(sent, sent * 3 / 2 + 8192));
            assertThat(s.connection.partialMessage()).contains("2 of 3 arguments");
            assertThat(s.take()).isEmpty();
            assertThat(s.closedFor).isNull();
        }
    }

    @Test
    void aConnectionBetweenRequestsHoldsNoBuffer() {
        try (Session s = new Session()) {
            s.feed("*1\r\n$4\r\nPI");
            s.onReactor(() -> assertThat(s.connection.bufferedCapacity()).isPositive());
            s.feed("NG\r\n");
            assertThat(s.take()).isEqualTo("+PONG\r\n");
            s.onReactor(() -> assertThat(s.connection.bufferedCapacity()).isZero());
        }
    }

    @Test
    void aBulkOverMaxBulkIsAProtocolError() {
        try (Session s = new Session(new KvSettings(KvSettings.DEFAULT_MAX_MEMORY, 1000, 1_000_000))) {
            s.feed("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1001\r\n");
            assertThat(s.take()).isEqualTo("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
            assertThat(s.closedFor).isEqualTo(CloseReason.PROTOCOL_ERROR);
        }
    }

    @Test
    void aRequestOverMaxRequestIsAProtocolError() {
        try (Session s = new Session(new KvSettings(KvSettings.DEFAULT_MAX_MEMORY, 1000, 10_000))) {
            StringBuilder mset = new StringBuilder("*2001\r\n$4\r\nMSET\r\n");
            for (int i = 0; i < 1000; i++) {
                mset.append("$3\r\nkey\r\n$5\r\nvalue\r\n");
            }
            s.feed(mset.toString());
            assertThat(s.take()).startsWith("-ERR Protocol error: request larger than the server's limit (10000 bytes)");
            assertThat(s.closedFor).isEqualTo(CloseReason.PROTOCOL_ERROR);
        }
    }

    @Test
    void anArrayOverAMillionElementsIsAProtocolError() {
        try (Session s = new Session()) {
            s.feed("*1048577\r\n");
            assertThat(s.take()).isEqualTo("-ERR Protocol error: invalid multibulk length\r\n");
            assertThat(s.closedFor).isEqualTo(CloseReason.PROTOCOL_ERROR);
        }
        try (Session s = new Session()) {
            s.feed("*1048576\r\n$4\r\nPING\r\n");
            assertThat(s.take()).isEmpty(); // allowed: waits for the other 1,048,575 arguments
            s.onReactor(() -> assertThat(s.connection.bufferedCapacity()).isLessThan(1024));
        }
    }

    @Test
    void aMissingCrlfIsAProtocolError() {
        try (Session s = new Session()) {
            s.feed("*1\r\n$4\r\nPINGxx");
            assertThat(s.take()).isEqualTo("-ERR Protocol error: expected CRLF after the bulk data\r\n");
            assertThat(s.closedFor).isEqualTo(CloseReason.PROTOCOL_ERROR);
        }
    }

    @Test
    void overMaxMemoryWritesAreRefusedButReadsAndDeletesWork() {
        try (Session s = new Session(new KvSettings(20_000, KvSettings.DEFAULT_MAX_BULK, KvSettings.DEFAULT_MAX_REQUEST))) {
            String oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
            int stored = 0;
            while (true) {
                s.feed(Session.command("SET", "key:" + stored, "x".repeat(100)));
                String reply = s.take();
                if (reply.equals(oom)) {
                    break;
                }
                assertThat(reply).isEqualTo("+OK\r\n");
                stored++;
                assertThat(stored).isLessThan(1000);
            }
            assertThat(stored).isPositive();
            s.feed(Session.command("INCR", "n"));
            assertThat(s.take()).isEqualTo(oom);
            s.feed(Session.command("GET", "key:0"));
            assertThat(s.take()).isEqualTo("$100\r\n" + "x".repeat(100) + "\r\n");
            s.feed(Session.command("EXPIRE", "key:1", "100"));
            assertThat(s.take()).isEqualTo(":1\r\n");
            s.feed(Session.command("FLUSHALL"));
            assertThat(s.take()).isEqualTo("+OK\r\n");
            s.feed(Session.command("SET", "again", "1"));
            assertThat(s.take()).isEqualTo("+OK\r\n");
        }
    }

    @Test
    void repliesOverTheHighWaterMarkStopParsingUntilTheyDrain() {
        try (Session s = new Session()) {
            byte[] big = new byte[100_000];
            Arrays.fill(big, (byte) 'v');
            s.feed(Session.command("SET".getBytes(), "k".getBytes(), big));
            assertThat(s.take()).isEqualTo("+OK\r\n");
            byte[] gets = RespProperties.concat(java.util.Collections.nCopies(10, Session.command("GET", "k")));
            s.writable = false;
            s.feed(gets);
            String first = s.take();
            assertThat(RespProperties.RespReplies.count(first)).isEqualTo(1);
            s.writable = true;
            s.onReactor(() -> s.connection.writable(true));
            s.runLater();
            assertThat(RespProperties.RespReplies.count(s.take())).isEqualTo(9);
        }
    }

    @Test
    void quitAnswersThenIgnoresTheRest() {
        try (Session s = new Session()) {
            s.feed("PING\r\nQUIT\r\nPING\r\n");
            assertThat(s.take()).isEqualTo("+PONG\r\n+OK\r\n");
            assertThat(s.closedFor).isEqualTo(CloseReason.LOCAL);
            s.feed("PING\r\n");
            assertThat(s.take()).isEmpty();
        }
    }
}
