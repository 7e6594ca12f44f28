package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import nioreactor.metrics.HttpRequestParser.Bad;
import nioreactor.metrics.HttpRequestParser.NeedMore;
import nioreactor.metrics.HttpRequestParser.Request;
import org.junit.jupiter.api.Test;

class HttpRequestParserTest {
    private final HttpRequestParser parser = new HttpRequestParser(256);

    private HttpRequestParser.Result feed(String s) {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        parser.feed(b);
        assertThat(b.hasRemaining()).isFalse();
        return parser.next();
    }

    @Test
    void aRequestSplitAnywhereIsParsedOnceComplete() {
        assertThat(feed("GET /metr")).isEqualTo(NeedMore.INSTANCE);
        assertThat(feed("ics?x=1 HTTP/1.1\r\nHost: a\r\n")).isEqualTo(NeedMore.INSTANCE);
        assertThat(feed("\r\n")).isEqualTo(new Request("GET", "/metrics", true, false));
        assertThat(parser.describePartial()).isNull();
    }

    @Test
    void pipelinedRequestsComeOutInOrder() {
        assertThat(feed("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.0\r\n\r\nGET /c"))
                .isEqualTo(new Request("GET", "/a", true, false));
        assertThat(parser.next()).isEqualTo(new Request("GET", "/b", false, false));
        assertThat(parser.next()).isEqualTo(NeedMore.INSTANCE);
        assertThat(parser.describePartial()).isEqualTo("partial HTTP request (6 bytes)");
    }

    @Test
    void connectionHeadersAndBodiesDecideKeepAlive() {
        assertThat(feed("GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, Close\r\n\r\n"))
                .isEqualTo(new Request("GET", "/", false, false));
        assertThat(feed("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).isEqualTo(new Request("GET", "/", true, false));
        assertThat(feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n")).isEqualTo(new Request("POST", "/", true, true));
        assertThat(feed("\r\nGET / HTTP/1.1\nHost: a\n\n")).isEqualTo(new Request("GET", "/", true, false));
    }

    @Test
    void brokenRequestsAreBad() {
        assertThat(feed("GET / HTTP/1.1\r\n\r\n")).isInstanceOf(Bad.class);
        assertThat(new HttpRequestParser(256).next()).isEqualTo(NeedMore.INSTANCE);
        HttpRequestParser p = new HttpRequestParser(256);
        p.feed(ByteBuffer.wrap("GET / HTTP/3\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(p.next()).isEqualTo(new Bad(400, "malformed request line"));
    }

    @Test
    void aHeadThatNeverEndsIsCutAtTheLimitWithoutTakingMoreBytes() {
        ByteBuffer flood = ByteBuffer.wrap(("GET / HTTP/1.1\r\nX: " + "a".repeat(1000)).getBytes(StandardCharsets.ISO_8859_1));
        parser.feed(flood);
        assertThat(flood.remaining()).isEqualTo(flood.capacity() - 256);
        assertThat(parser.next()).isEqualTo(new Bad(431, "request head over 256 bytes"));
    }
}
