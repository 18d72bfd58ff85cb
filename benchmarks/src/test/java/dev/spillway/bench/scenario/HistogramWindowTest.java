package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A window's quantile comes from the bucket deltas between two scrapes, summed over the label sets. */
class HistogramWindowTest {
  private static String scrape(long queueFullUnder1ms, long queueFullUnder2ms, long queueFullAll, long other) {
    return "# TYPE spillway_shed_duration_seconds histogram\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"5.0E-4\"} 0\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"0.001\"} " + queueFullUnder1ms + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"0.002\"} " + queueFullUnder2ms + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"queue_full\",le=\"+Inf\"} " + queueFullAll + "\n"
        + "spillway_shed_duration_seconds_count{reason=\"queue_full\"} " + queueFullAll + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"deadline\",le=\"5.0E-4\"} " + other + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"deadline\",le=\"0.001\"} " + other + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"deadline\",le=\"0.002\"} " + other + "\n"
        + "spillway_shed_duration_seconds_bucket{reason=\"deadline\",le=\"+Inf\"} " + other + "\n";
  }

  private static HistogramWindow.Buckets at(double seconds, String text) {
    return new HistogramWindow.Buckets(seconds, HistogramWindow.parse(text, "spillway_shed_duration_seconds"));
  }

  @Test
  void takesTheQuantileOfTheWindowOnlyInterpolatedInItsBucket() {
    List<HistogramWindow.Buckets> scrapes = List.of(
        at(0.0, ""),
        // Before the window: 1000 slow sheds that must not count.
        at(1.0, scrape(0, 0, 1000, 0)),
        // In the window: 100 more, 50 under 1 ms, 50 between 1 and 2 ms.
        at(2.0, scrape(50, 100, 1100, 0)));
    assertThat(HistogramWindow.quantileMs(scrapes, 1.2, 2.1, 0.99)).isCloseTo(1.98, within(1e-9));
    assertThat(HistogramWindow.quantileMs(scrapes, 1.2, 2.1, 0.5)).isCloseTo(1.0, within(1e-9));
    assertThat(HistogramWindow.quantileMs(scrapes, 0.5, 2.1, 0.99)).as("the slow ones count from 0.5 s")
        .isEqualTo(2.0);
    assertThat(HistogramWindow.quantileMs(scrapes, 2.0, 3.0, 0.99)).as("nothing after the last scrape").isNaN();
  }

  @Test
  void sumsTheReasonsAndStartsFromZeroBeforeTheFirstScrape() {
    List<HistogramWindow.Buckets> scrapes = List.of(at(1.0, scrape(0, 0, 0, 99)), at(2.0, scrape(0, 1, 1, 99)));
    assertThat(HistogramWindow.quantileMs(scrapes, 0.0, 2.0, 0.5)).as("50 of the 99 deadline sheds under 0.5 ms").isCloseTo(0.5 * 50 / 99, within(1e-9));
    assertThat(HistogramWindow.quantileMs(scrapes, 1.0, 2.0, 0.5)).as("only the queue_full one, 1-2 ms")
        .isCloseTo(1.5, within(1e-9));
  }
}
