package nioreactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import nioreactor.reactor.SelectStrategy;
import org.junit.jupiter.api.Test;

class ConvertersTest {
    private final Converters.DurationConverter durations = new Converters.DurationConverter();

    @Test
    void durationsTakeMicrosecondsForTheSpinPhase() {
        assertThat(durations.convert("50us")).isEqualTo(Duration.ofNanos(50_000));
        assertThat(durations.convert("50µs")).isEqualTo(Duration.ofNanos(50_000));
        assertThat(durations.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(durations.convert("5")).isEqualTo(Duration.ofSeconds(5));
        assertThat(durations.convert("off")).isZero();
    }

    @Test
    void strategiesInAnyCase() {
        Converters.StrategyConverter strategies = new Converters.StrategyConverter();
        assertThat(strategies.convert("spin")).isEqualTo(SelectStrategy.SPIN);
        assertThat(strategies.convert("BackOff")).isEqualTo(SelectStrategy.BACKOFF);
        assertThat(strategies.convert("block")).isEqualTo(SelectStrategy.BLOCK);
    }
}
