package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import java.util.ArrayList;
import java.util.List;

/**
 * How long after a spike a target served the offered load in full again: the first whole second after the
 * spike from which, to the end of the run, every second is calm. A second is calm when
 * <ol>
 *   <li>no answer completed in it was shed or failed;</li>
 *   <li>nothing queued for good: each queue in front of the backend's compute (Spillway's waiting room, the
 *       engine's waiting queue; whichever the target and backend have) emptied at least once in the second,
 *       or more exactly its least scraped value in the second (the last one before it when a scrape is
 *       missing) is no more than the most such value of any second before the spike. A queue that fills and
 *       drains within a second is the engine's step boundary, not a backlog; one that never empties is;</li>
 *   <li>where the offered load brings at least {@link #MIN_TTFT_ANSWERS_PER_SECOND} requests a second, the
 *       TTFT p99 (streams and non-streams, by intended start) of the second is within
 *       {@link UnknownCapacityTargets#TTFT_RATIO_TARGET} times the pre-spike p99. Below that a second's p99 is
 *       the slowest of a handful of answers: on the LLM backend it measures prompt length (16–8,192 tokens)
 *       and, for non-streamed answers whose head comes with the whole answer, answer length, not a backlog;
 *       the queues of (2), scraped four times a second whatever the rate, show the backlog there.</li>
 * </ol>
 * The same rule applies to every proxy; the pre-spike window starts at its second second (the first holds
 * the run's cold start).
 */
final class SpikeRecovery {
  /** Below this many requests a second, a one-second TTFT p99 is not judged (see the class comment). */
  static final double MIN_TTFT_ANSWERS_PER_SECOND = 50;

  /** A queue's least value per second, and its pre-spike level. */
  record Queue(String name, double[] perSecondMin, double preSpike) {}

  /**
   * The verdict's parts: {@code seconds} after the spike (-1: not within the run), whether TTFT was judged,
   * the pre-spike TTFT p99 (ms) and the queues judged.
   */
  record Result(int seconds, boolean ttftJudged, double preSpikeTtftMs, List<Queue> queues) {}

  private SpikeRecovery() {}

  /**
   * Judges one spike run: {@code phases} are the seconds before, during and after the spike and
   * {@code offeredAfter} the request rate after it.
   */
  static Result judge(UnknownCapacityResults.Traced run, int[] phases, double offeredAfter) {
    int start = phases[0];
    int end = phases[0] + phases[1];
    int total = end + phases[2];
    RunStats s = run.stats();
    double pre = UnknownCapacityTargets.preSpikeP99(s, start);
    boolean ttftJudged = offeredAfter >= MIN_TTFT_ANSWERS_PER_SECOND;
    List<Queue> queues = new ArrayList<>();
    List<MetricsScraper.Sample> room = run.extra().getOrDefault(AdaptiveConfig.QUEUE_GAUGE, List.of());
    if (!room.isEmpty()) {
      queues.add(queue("Spillway waiting room", room, start, total));
    }
    if (run.engine().present()) {
      queues.add(queue("engine waiting", run.engine().waiting(), start, total));
    }
    int seconds = seconds(refusedBins(s, total), ttftJudged ? s.ttftP99Bins(total) : null,
        pre * UnknownCapacityTargets.TTFT_RATIO_TARGET, queues, end, total);
    return new Result(seconds, ttftJudged, pre, queues);
  }

  /**
   * Seconds after {@code spikeEnd} (a bin) from which every bin up to {@code end} is calm: no refused answer,
   * every queue at or below its pre-spike level, and, unless {@code ttftP99} is null, a TTFT p99 no more than
   * {@code ttftLimit}. 0 when the first bin after the spike is already calm, -1 when the last bin is not.
   */
  static int seconds(double[] refused, double[] ttftP99, double ttftLimit, List<Queue> queues, int spikeEnd,
      int end) {
    int recovered = -1;
    for (int b = end - 1; b >= spikeEnd; b--) {
      boolean calm = refused[b] == 0 && (ttftP99 == null || !(ttftP99[b] > ttftLimit));
      for (Queue q : queues) {
        calm &= !(q.perSecondMin()[b] > q.preSpike());
      }
      if (!calm) {
        break;
      }
      recovered = b;
    }
    return recovered < 0 ? -1 : recovered - spikeEnd;
  }

  /** A queue's per-second least values and its pre-spike level: the most of them in {@code [1, spikeStart)}. */
  static Queue queue(String name, List<MetricsScraper.Sample> samples, int spikeStart, int bins) {
    double[] mins = perSecondMin(samples, bins);
    double pre = 0;
    for (int b = spikeStart > 1 ? 1 : 0; b < spikeStart; b++) {
      if (mins[b] > pre) {
        pre = mins[b];
      }
    }
    return new Queue(name, mins, pre);
  }

  /**
   * The least sample in each one-second bin; a bin without a sample takes the last one before it (the state
   * last seen), NaN before the first.
   */
  static double[] perSecondMin(List<MetricsScraper.Sample> samples, int bins) {
    double[] out = new double[bins];
    double last = Double.NaN;
    int i = 0;
    for (int b = 0; b < bins; b++) {
      double min = Double.NaN;
      while (i < samples.size() && samples.get(i).seconds() < b + 1) {
        MetricsScraper.Sample s = samples.get(i++);
        if (s.seconds() >= b) {
          min = Double.isNaN(min) ? s.value() : Math.min(min, s.value());
        }
        last = s.value();
      }
      out[b] = Double.isNaN(min) ? last : min;
    }
    return out;
  }

  /** Answers shed or failed (not 2xx, not given up on by the generator) per one-second bin of completion. */
  static double[] refusedBins(RunStats s, int bins) {
    double[] out = new double[bins];
    for (LoadResult.Record r : s.records()) {
      if (!r.ok() && r.status() != LoadResult.ABANDONED) {
        int b = (int) (r.endNanos() / 1_000_000_000L);
        if (b >= 0 && b < bins) {
          out[b]++;
        }
      }
    }
    return out;
  }
}
