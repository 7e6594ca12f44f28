package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SseTest {

    @Test
    void aMessageIsItsEventLineItsDataLinesAndABlankLine() {
        assertThat(Sse.frame("snapshot", "{\"a\":1}")).isEqualTo("event: snapshot\ndata: {\"a\":1}\n\n");
    }

    @Test
    void withoutAnEventNameTheBrowserCallsItMessage() {
        assertThat(Sse.frame(null, "x")).isEqualTo("data: x\n\n");
    }

    @Test
    void everyKindOfLineBreakInTheDataStartsANewDataLine() {
        assertThat(Sse.frame("e", "a\nb\r\nc\rd")).isEqualTo("event: e\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
        assertThat(Sse.frame("e", "")).isEqualTo("event: e\ndata: \n\n");
        assertThat(Sse.frame("e", "end\n")).isEqualTo("event: e\ndata: end\ndata: \n\n");
    }

    @Test
    void anEventNameCannotSmuggleALineBreak() {
        assertThatThrownBy(() -> Sse.frame("a\ndata: x", "y")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theResponseHeadIsAStreamWithoutALength() {
        assertThat(Sse.HEAD).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Type: text/event-stream")
                .contains("Cache-Control: no-store").doesNotContain("Content-Length")
                .doesNotContainIgnoringCase("Access-Control").endsWith("\r\n\r\n");
        assertThat(Sse.retry(2000)).isEqualTo("retry: 2000\n\n");
    }
}
