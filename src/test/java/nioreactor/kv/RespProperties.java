package nioreactor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import nioreactor.reactor.CloseReason;

/**
 * The parser and the commands behind it, fed as the network might deliver: a valid pipeline gets the same replies
 * however it is cut into reads, and random bytes get well-formed replies or one protocol error, never an exception
 * (which would reach the reactor's loop).
 */
class RespProperties {

    @Property(tries = 300)
    void aPipelineGetsTheSameRepliesHoweverItIsSplit(@ForAll("pipelines") List<byte[]> commands,
                                                      @ForAll @Size(max = 40) List<@IntRange(min = 1, max = 9000) Integer> cuts) {
        byte[] pipeline = concat(commands);
        try (Session whole = new Session(); Session split = new Session()) {
            whole.feed(pipeline);
            String expected = whole.take();

            int at = 0;
            for (int cut : cuts) {
                int n = Math.min(cut, pipeline.length - at);
                split.feed(Arrays.copyOfRange(pipeline, at, at + n));
                at += n;
            }
            split.feed(Arrays.copyOfRange(pipeline, at, pipeline.length));

            assertThat(split.take()).isEqualTo(expected);
            assertThat(split.closedFor).isEqualTo(whole.closedFor);
            assertThat(RespReplies.count(expected)).isEqualTo(commands.size());
        }
    }

    @Property(tries = 500)
    void randomBytesGetRepliesOrOneProtocolErrorNeverAnException(@ForAll("noise") byte[] noise,
                                                                  @ForAll @IntRange(min = 1, max = 300) int cut) {
        try (Session session = new Session()) {
            for (int at = 0; at < noise.length && session.closedFor == null; at += cut) {
                session.feed(Arrays.copyOfRange(noise, at, Math.min(noise.length, at + cut)));
            }
            List<String> replies = RespReplies.parse(session.take()); // fails on anything but whole RESP replies
            if (session.closedFor == CloseReason.PROTOCOL_ERROR) {
                assertThat(replies.get(replies.size() - 1)).startsWith("-ERR Protocol error: ");
            } else if (session.closedFor != null) {
                assertThat(session.closedFor).isEqualTo(CloseReason.LOCAL); // QUIT, typed by chance
            }
        }
    }

    @Provide
    Arbitrary<List<byte[]>> pipelines() {
        Arbitrary<byte[]> key = Arbitraries.of("k", "key:1", "n", "\u00e9t\u00e9", "a b")
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> binaryKey = Arbitraries.bytes().array(byte[].class).ofMaxSize(8);
        Arbitrary<byte[]> anyKey = Arbitraries.oneOf(key, binaryKey);
        Arbitrary<byte[]> value = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.integers().between(-5, 5).map(i -> Integer.toString(i).getBytes()),
                Arbitraries.bytes().array(byte[].class).ofMinSize(5000).ofMaxSize(20000));
        Arbitrary<byte[]> command = Arbitraries.oneOf(
                Combinators.combine(anyKey, value).as((k, v) -> Session.command(b("SET"), k, v)),
                anyKey.map(k -> Session.command(b("GET"), k)),
                anyKey.map(k -> Session.command(b("INCR"), k)),
                anyKey.map(k -> Session.command(b("DEL"), k)),
                Combinators.combine(anyKey, anyKey).as((a, c) -> Session.command(b("MGET"), a, c)),
                Combinators.combine(anyKey, value).as((k, v) -> Session.command(b("MSET"), k, v)),
                anyKey.map(k -> Session.command(b("EXPIRE"), k, b("100"))),
                anyKey.map(k -> Session.command(b("TTL"), k)),
                anyKey.map(k -> Session.command(b("EXISTS"), k, k)),
                Arbitraries.just(Session.command("PING")),
                Arbitraries.just(Reply.ascii("PING\r\n")),
                Arbitraries.just(Reply.ascii("ECHO \"a\\x41 b\"\r\n")),
                Arbitraries.just(Session.command("NOSUCH", "x")),
                Arbitraries.just(Session.command("GET")),
                Arbitraries.just(Session.command("DBSIZE")));
        return command.list().ofMinSize(1).ofMaxSize(30);
    }

    @Provide
    Arbitrary<byte[]> noise() {
        // Mostly protocol characters, so that the random bytes get deep into the parser, plus anything at all.
        Arbitrary<Byte> alphabet = Arbitraries.oneOf(
                Arbitraries.of((byte) '*', (byte) '$', (byte) '\r', (byte) '\n', (byte) '-', (byte) '0', (byte) '1',
                        (byte) '3', (byte) '9', (byte) ' ', (byte) '"', (byte) '\'', (byte) '\\', (byte) 'x', (byte) 0),
                Arbitraries.bytes());
        Arbitrary<byte[]> random = alphabet.array(byte[].class).ofMaxSize(2000);
        Arbitrary<byte[]> mutated = Combinators.combine(pipelines(), Arbitraries.integers().between(0, 1000),
                Arbitraries.bytes()).as((cmds, at, b) -> {
                    byte[] p = concat(cmds);
                    if (p.length > 0) {
                        p[at % p.length] = b;
                    }
                    return p;
                });
        return Arbitraries.oneOf(random, mutated);
    }

    static byte[] b(String s) {
        return Reply.ascii(s);
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /** A strict reader of RESP2 replies: throws on anything that is not a sequence of whole replies. */
    static final class RespReplies {
        static int count(String s) {
            return parse(s).size();
        }

        static List<String> parse(String s) {
            List<String> out = new ArrayList<>();
            int[] at = {0};
            while (at[0] < s.length()) {
                int start = at[0];
                one(s, at);
                out.add(s.substring(start, at[0]));
            }
            return out;
        }

        private static void one(String s, int[] at) {
            int nl = s.indexOf("\r\n", at[0]);
            if (nl < 0) {
                throw new AssertionError("unterminated reply at " + at[0] + ": " + s.substring(at[0]));
            }
            char type = s.charAt(at[0]);
            String line = s.substring(at[0] + 1, nl);
            at[0] = nl + 2;
            switch (type) {
                case '+', '-' -> {
                }
                case ':' -> Long.parseLong(line);
                case '$' -> {
                    int n = Integer.parseInt(line);
                    if (n >= 0) {
                        if (!s.startsWith("\r\n", at[0] + n)) {
                            throw new AssertionError("bulk of " + n + " not followed by CRLF");
                        }
                        at[0] += n + 2;
                    }
                }
                case '*' -> {
                    int n = Integer.parseInt(line);
                    for (int i = 0; i < n; i++) {
                        one(s, at);
                    }
                }
                default -> throw new AssertionError("not a RESP reply type: " + type);
            }
        }
    }
}
