package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import java.util.List;
import java.util.Locale;

/**
 * The spike run second by second, for the console: requests by intended start, answers and sheds by
 * completion, TTFT of the admitted requests by intended start, and the scraped series (Spillway's limit,
 * in-flight count and waiting room; the engine's running, waiting and KV cache), each its most in the second.
 * What the recovery judgment rests on, laid out so a reader can check it.
 */
final class SpikeSeconds {
  private SpikeSeconds() {}

  static String table(UnknownCapacityResults.Traced run, int seconds) {
    RunStats s = run.stats();
    double[] ok = s.goodputBins(seconds);
    double[] shed = s.shedBins(seconds);
    EngineTrace e = run.engine();
    List<MetricsScraper.Sample> queue = run.extra().getOrDefault(AdaptiveConfig.QUEUE_GAUGE, List.of());
    double[] waitingMin = SpikeRecovery.perSecondMin(e.waiting(), seconds);
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
        "  %-28s  s  sent   ok shed  ttftN strP50 strP99 jsnP99 | limit infl queue | run wait wmin  kv%n", run.label()));
    for (int b = 0; b < seconds; b++) {
      long from = b * 1_000_000_000L;
      long to = from + 1_000_000_000L;
      long sent = 0;
      long measured = 0;
      for (LoadResult.Record r : s.records()) {
        if (r.intendedNanos() >= from && r.intendedNanos() < to) {
          sent++;
          if (r.firstTokenNanos() >= 0 && (r.ok() || r.status() == LoadResult.ABANDONED)) {
            measured++;
          }
        }
      }
      sb.append(String.format(Locale.ROOT, "  %-28s %2d %5d %4.0f %4.0f %6d %6.0f %6.0f %6.0f | %5.0f %4.0f %5.0f | %3.0f "
          + "%4.0f %4.0f %3.0f%n", "", b, sent, ok[b], shed[b], measured, s.ttftMs(true, 50, from, to), s.ttftMs(true, 99, from, to),
          s.ttftMs(false, 99, from, to), EngineTrace.max(run.limit(), b, b + 1), EngineTrace.max(run.inFlight(), b, b + 1),
          EngineTrace.max(queue, b, b + 1), EngineTrace.max(e.running(), b, b + 1), EngineTrace.max(e.waiting(), b, b + 1),
          waitingMin[b], 100 * EngineTrace.max(e.kvUsage(), b, b + 1)));
    }
    return sb.toString();
  }
}
