package dev.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.server.admin.RecordQueue;
import org.junit.jupiter.api.Test;

/** The shed-time histogram: one series per reason, buckets fine around a millisecond, in the Prometheus text. */
class ShedMetersTest {
  @Test
  void recordsEachShedUnderItsReasonInTheRightBucket() {
    try (GatewayMetrics metrics = new GatewayMetrics()) {
      RecordQueue observer = new RecordQueue(16, metrics.sheds());
      observer.onShedAnswered(ShedReason.QUEUE_FULL, 1_400_000);
      observer.onShedAnswered(ShedReason.QUEUE_FULL, 200_000);
      observer.onShedAnswered(ShedReason.RATE_LIMITED_REQUESTS, 12_000_000);

      String text = metrics.scrape();
      assertThat(text)
          .contains("spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"2.0E-4\"} 1")
          .contains("spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"0.001\"} 1")
          .contains("spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"0.0015\"} 2")
          .contains("spillway_shed_duration_seconds_count{reason=\"queue_full\"} 2")
          .contains("spillway_shed_duration_seconds_bucket{reason=\"rate_limited_requests\",le=\"0.01\"} 0")
          .contains("spillway_shed_duration_seconds_bucket{reason=\"rate_limited_requests\",le=\"0.025\"} 1")
          .contains("spillway_shed_duration_seconds_count{reason=\"queue_timeout\"} 0");
      assertThat(metrics.registry().get("spillway_shed_duration").tag("reason", "queue_full").timer()
          .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isEqualTo(1_600_000);
      assertThat(observer.drain(r -> {})).as("shed times bypass the record queue").isZero();
    }
  }
}
