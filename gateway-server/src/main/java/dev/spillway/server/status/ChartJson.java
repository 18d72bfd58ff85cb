package dev.spillway.server.status;

import static dev.spillway.server.status.JsonBytes.doubles;
import static dev.spillway.server.status.JsonBytes.longs;

import java.util.List;

/**
 * Renders one component's {@link ChartSeries} as the JSON of {@code /api/charts}: raw per-second values (the
 * page averages them over a few seconds), with {@code start} (epoch seconds of the first point) and
 * {@code step} (one second) so the page can draw a time axis, and every chartable component id for its picker.
 */
final class ChartJson {
  private ChartJson() {}

  static byte[] render(String id, List<String> ids, double startEpochSeconds, ChartSeries s, boolean limits) {
    return JsonBytes.render(16 * 1024, g -> {
      g.writeStartObject();
      g.writeStringField("component", id);
      g.writeArrayFieldStart("components");
      for (String c : ids) {
        g.writeString(c);
      }
      g.writeEndArray();
      g.writeNumberField("start", startEpochSeconds);
      g.writeNumberField("step", 1);
      g.writeNumberField("points", s.length());
      longs(g, "admitted", s.count(ChartLane.Count.ADMITTED));
      longs(g, "shed", s.count(ChartLane.Count.SHED));
      longs(g, "rateLimited", s.count(ChartLane.Count.RATE_LIMITED));
      longs(g, "errors", s.count(ChartLane.Count.ERRORS));
      longs(g, "completionTokens", s.count(ChartLane.Count.TOKENS));
      longs(g, "queued", s.count(ChartLane.Count.QUEUED));
      if (limits) {
        longs(g, "inFlight", s.count(ChartLane.Count.IN_FLIGHT));
        longs(g, "limit", s.count(ChartLane.Count.LIMIT));
      }
      doubles(g, "latencyP50Millis", s.millis(ChartLane.Millis.LATENCY_P50));
      doubles(g, "latencyP90Millis", s.millis(ChartLane.Millis.LATENCY_P90));
      doubles(g, "latencyP99Millis", s.millis(ChartLane.Millis.LATENCY_P99));
      doubles(g, "ttftP50Millis", s.millis(ChartLane.Millis.TTFT_P50));
      doubles(g, "ttftP99Millis", s.millis(ChartLane.Millis.TTFT_P99));
      g.writeEndObject();
    });
  }
}
