package nioreactor.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceTest {

    @Test
    void traceOffIsOneSharedConstant() {
        assertThat(Trace.of(false)).isSameAs(Trace.OFF);
        assertThat(Trace.OFF.on).isFalse();
        assertThat(Trace.of(true).on).isTrue();
    }

    @Test
    void traceToASinkFormatsLikeTheLogger() {
        StringBuilder got = new StringBuilder();
        Trace.to(got::append).event("read #{} {} bytes", 3, 42);
        assertThat(got.toString()).isEqualTo("read #3 42 bytes");
    }
}
