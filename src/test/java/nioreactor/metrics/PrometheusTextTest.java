package nioreactor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import nioreactor.reactor.CloseReason;
import nioreactor.reactor.ReactorStats;
import nioreactor.reactor.StatsFixture;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void everyMetricIsRenderedOnceWithHelpAndTypeAndReadBack() {
        ReactorStats stats = StatsFixture.snapshot(v -> v.connectionsActive(3).bytesRead(1234).closed(CloseReason.IDLE, 7));
        String text = PrometheusText.render(stats);

        Map<String, Double> samples = PrometheusText.parse(text);
        assertThat(samples).containsEntry("nioreactor_connections_active", 3.0)
                .containsEntry("nioreactor_bytes_read_total", 1234.0)
                .containsEntry("nioreactor_connections_closed_total{reason=\"idle\"}", 7.0)
                .containsEntry("nioreactor_connections_closed_total{reason=\"peer-eof\"}", 0.0);
        for (Metric m : Metric.ALL) {
            assertThat(samples).containsKey(m.sampleName());
        }
        // one HELP and one TYPE per family, even for the labelled one
        assertThat(text.split("# TYPE nioreactor_connections_closed_total counter", -1)).hasSize(2);
        assertThat(text).contains("# TYPE nioreactor_connections_active gauge")
                .contains("# TYPE nioreactor_loop_iteration_seconds histogram")
                .endsWith("\n");
    }

    @Test
    void emptyHistogramIsStillComplete() {
        Map<String, Double> samples = PrometheusText.parse(PrometheusText.render(StatsFixture.empty()));
        assertThat(samples).containsEntry("nioreactor_loop_iteration_seconds_bucket{le=\"+Inf\"}", 0.0)
                .containsEntry("nioreactor_loop_iteration_seconds_count", 0.0)
                .containsEntry("nioreactor_loop_iteration_seconds_bucket{le=\"0.1\"}", 0.0);
    }

    @Test
    void boundsAreWrittenAsPlainSeconds() {
        assertThat(PrometheusText.seconds(10)).isEqualTo("0.00001");
        assertThat(PrometheusText.seconds(1_000)).isEqualTo("0.001");
        assertThat(PrometheusText.seconds(100_000)).isEqualTo("0.1");
    }

    @Test
    void parseSkipsCommentsAndTimestampsAndRejectsJunk() {
        assertThat(PrometheusText.parse("# HELP x y\n\nx 1 1700000000\ny{a=\"b c\"} +Inf\n"))
                .containsEntry("x", 1.0).containsEntry("y{a=\"b c\"}", Double.POSITIVE_INFINITY);
        assertThatThrownBy(() -> PrometheusText.parse("<html>")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusText.parse("x abc")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serviceCountersAndGaugesAreRenderedAfterTheReactorsOwn() {
        ReactorStats stats = StatsFixture.snapshot(v -> v.service("frames_total", false, 42)
                .service("chat_members", true, 5));
        String text = PrometheusText.render(stats);
        assertThat(PrometheusText.parse(text)).containsEntry("nioreactor_frames_total", 42.0)
                .containsEntry("nioreactor_chat_members", 5.0);
        assertThat(text).contains("# TYPE nioreactor_frames_total counter\n")
                .contains("# TYPE nioreactor_chat_members gauge\n")
                .contains("# HELP nioreactor_frames_total frames_total help\n");
        assertThat(text.indexOf("nioreactor_frames_total")).isGreaterThan(text.indexOf("nioreactor_handler_errors_total"));
    }

    @Test
    void jmxNamesFollowThePrometheusNames() {
        ReactorStats stats = StatsFixture.snapshot(v -> v.service("err_replies_total", false, 1));
        assertThat(Metric.all(stats)).extracting(Metric::attributeName)
                .contains("ConnectionsActive", "ConnectionsClosedPeerEof", "ConnectionsClosedProtocolError", "BytesRead",
                        "EmptySelects", "SelectorRebuilds", "ErrReplies")
                .doesNotHaveDuplicates();
    }

    @Test
    void tableNamesMetricsForPeople() {
        String table = MetricsTable.format(PrometheusText.parse(PrometheusText.render(StatsFixture.empty())));
        assertThat(table).contains("connections closed (peer-eof)").contains("bytes read").contains("loop iteration work time");
        assertThat(MetricsTable.label("nioreactor_connections_closed_total{reason=\"idle\"}")).isEqualTo("connections closed (idle)");
    }
}
