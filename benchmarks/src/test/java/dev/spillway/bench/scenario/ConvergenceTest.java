package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConvergenceTest {
  private static List<MetricsScraper.Sample> series(double... values) {
    return java.util.stream.IntStream.range(0, values.length)
        .mapToObj(i -> new MetricsScraper.Sample(i * 0.25, values[i])).toList();
  }

  @Test
  void settlesWhenTheSeriesEntersTheBandForGood() {
    // Best 64, ±10 %: 57.6..70.4. Enters at 0.5 s, leaves at 1.0 s, back for good at 1.5 s.
    List<MetricsScraper.Sample> s = series(4, 20, 60, 66, 80, 70, 64, 63, 65);
    assertThat(Convergence.settleSeconds(s, 64, 0.1, 0)).isEqualTo(1.25);
  }

  @Test
  void neverSettledWhenTheLastSampleIsOutside() {
    assertThat(Convergence.settleSeconds(series(64, 64, 90), 64, 0.1, 0)).isEqualTo(-1);
    assertThat(Convergence.settleSeconds(List.of(), 64, 0.1, 0)).isNaN();
  }

  @Test
  void meanOfTheSamplesInAWindow() {
    assertThat(Convergence.mean(series(1, 2, 3, 4), 0.25, 0.75)).isEqualTo(2.5);
    assertThat(Convergence.mean(series(1), 5, 6)).isNaN();
  }

  @Test
  void readsAGaugeFromPrometheusText() {
    String text = """
        # HELP spillway_backend_concurrency_limit The backend's current concurrency limit
        # TYPE spillway_backend_concurrency_limit gauge
        spillway_backend_concurrency_limit{backend="overflow"} 12.0
        spillway_backend_concurrency_limit{backend="mock"} 37.0
        spillway_backend_concurrency_limit_other{backend="mock"} 1.0
        vllm:num_requests_running{model_name="mock-gpt"} 41
        """;
    assertThat(MetricsScraper.value(text, "spillway_backend_concurrency_limit{backend=\"mock\"}")).isEqualTo(37.0);
    assertThat(MetricsScraper.value(text, "vllm:num_requests_running")).isEqualTo(41.0);
    assertThat(MetricsScraper.value(text, "spillway_backend_in_flight")).isNaN();
  }
}
