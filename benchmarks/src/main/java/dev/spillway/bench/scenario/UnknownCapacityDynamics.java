package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Arrivals;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.Lengths;
import dev.spillway.bench.load.RequestMix;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The unknown-capacity scenario's parts about how the limit moves: a tenfold spike, convergence from a limit
 * started far too low and far too high, and a mix with long answers.
 */
final class UnknownCapacityDynamics {
  private final UnknownCapacityLoad load;
  private final ScenarioOptions o;
  private final UnknownCapacityResults res;
  private final CapacityBackend b;

  UnknownCapacityDynamics(UnknownCapacityLoad load) {
    this.load = load;
    this.o = load.o;
    this.res = load.res;
    this.b = load.b;
  }

  /**
   * 0.8× the calibrated capacity, then 10× for a while, then 0.8× again, through {@code target}: how shedding
   * holds the spike off and how fast the target recovers.
   */
  void spike(Target target, int admin, int enginePort) {
    int before = o.pick(5, 1);
    int spike = o.pick(10, 1);
    int after = o.pick(b.capacityKnown() ? 10 : 15, 2);
    double capacity = res.calibration.goodput();
    res.spikePhases = new int[] {before, spike, after};
    res.spikeRate = capacity;
    load.settle();
    double base = capacity * UnknownCapacityTargets.SPIKE_BASE_MULTIPLE;
    Schedule schedule = Schedule.of(List.of(new Schedule.Phase(base, Duration.ofSeconds(before)),
        new Schedule.Phase(capacity * 10, Duration.ofSeconds(spike)),
        new Schedule.Phase(base, Duration.ofSeconds(after))), Arrivals.poisson(CapacityBackend.SEED + 3));
    MetricsScraper spillway = admin == 0 ? null : new MetricsScraper(admin, "/metrics",
        List.of(AdaptiveConfig.LIMIT_GAUGE, AdaptiveConfig.IN_FLIGHT_GAUGE, AdaptiveConfig.QUEUE_GAUGE));
    List<MetricsScraper> engines = load.engineScrapers(List.of(enginePort));
    List<MetricsScraper> scrapers = new ArrayList<>(engines);
    if (spillway != null) {
      scrapers.add(spillway);
    }
    try {
      LoadResult r = load.runScraped(target, b.mix(), schedule, scrapers);
      RunStats stats = new RunStats(r, before + spike + after);
      List<MetricsScraper.Sample> none = List.of();
      res.spikes.put(target.name(), new UnknownCapacityResults.Traced(target.name(), stats,
          spillway == null ? none : spillway.samples(AdaptiveConfig.LIMIT_GAUGE),
          spillway == null ? none : spillway.samples(AdaptiveConfig.IN_FLIGHT_GAUGE), null,
          spillway == null ? Map.of() : Map.of(AdaptiveConfig.QUEUE_GAUGE, spillway.samples(AdaptiveConfig.QUEUE_GAUGE)),
          engines.stream().map(EngineTrace::of).toList()));
      System.out.printf(Locale.ROOT, "unknown-capacity %s spike %s: %s; %s%n", b.key(), target.name(), stats,
          stats.shedSplit());
      System.out.print(SpikeSeconds.table(res.spikes.get(target.name()), before + spike + after));
      int total = before + spike + after;
      SpikeRecovery.Result rec = SpikeRecovery.judge(res.spikes.get(target.name()), res.spikePhases, base);
      // For comparison, the rule before the queues: sheds and every second's TTFT p99, whatever the rate.
      int old = SpikeRecovery.seconds(stats.shedBins(total), stats.ttftP99Bins(total),
          rec.preSpikeTtftMs() * UnknownCapacityTargets.TTFT_RATIO_TARGET, List.of(), before + spike, total);
      System.out.printf(Locale.ROOT, "unknown-capacity %s spike %s: recovery %d s (TTFT judged: %s, queues %s); "
          + "by sheds and per-second TTFT p99 alone: %d s (-1: not within the run)%n", b.key(), target.name(),
          rec.seconds(), rec.ttftJudged(), rec.queues().stream().map(q -> q.name() + " pre-spike " + q.preSpike())
          .toList(), old);
    } finally {
      scrapers.forEach(MetricsScraper::close);
    }
  }

  /** 2× capacity through two gateways whose limits start at 4 and at 1024; {@code best} is the static limit. */
  void convergence(Starts.Gateway low, Starts.Gateway high, int best) {
    res.convergenceMultiple = 2;
    res.convergenceSeconds = o.pick(20.0, 2.0);
    Schedule schedule = Schedule.constant(res.calibration.goodput() * res.convergenceMultiple,
        Duration.ofMillis((long) (res.convergenceSeconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 5));
    res.convergence.add(load.traced(low, "start at 4 (best static " + best + ")", b.mix(), schedule, b.timeout()));
    res.convergence.add(load.traced(high, "start at 1024 (best static " + best + ")", b.mix(), schedule, b.timeout()));
  }

  /**
   * A fifth of the requests are non-streamed answers of 30–60 s (1.5–3 s in quick mode), offered at 60 % of
   * the backend's slots; the run lasts longer than the longest answer, so the limit sees them complete.
   */
  void mix(Starts.Gateway gateway, int best, int enginePort) {
    double tokensPerSecond;
    double shortSeconds;
    if (b.mixOptions() != null) {
      tokensPerSecond = 50;
      // The fixed mock: its latency (slots / rate) to the first token, then 50 tokens/s.
      shortSeconds = b.slots() / b.modelRate() + (b.mixShort().answer().mean() - 1) / tokensPerSecond;
    } else {
      tokensPerSecond = res.calibration.decodeTokensPerSecond();
      shortSeconds = res.calibration.meanServiceSeconds();
    }
    double scale = o.pick(1.0, 0.05);
    int shortest = (int) Math.max(2, Math.round(30 * scale * tokensPerSecond));
    int longest = (int) Math.max(shortest, Math.round(60 * scale * tokensPerSecond));
    RequestMix.Kind longAnswers = new RequestMix.Kind("long answer", 0.2, 0, b.mixShort().prompt(),
        Lengths.uniform(shortest, longest));
    RequestMix.Kind chat = new RequestMix.Kind(b.mixShort().name(), 0.8, b.mixShort().streamFraction(),
        b.mixShort().prompt(), b.mixShort().answer());
    RequestMix mix = new RequestMix(List.of(chat, longAnswers), CapacityBackend.TENANTS, CapacityBackend.SEED + 11);
    double meanService = 0.8 * shortSeconds + 0.2 * 45 * scale;
    double rate = 0.6 * best / meanService;
    double seconds = o.pick(75.0, 4.0);
    res.mixSlots = best;
    res.mixRoom = b.runningGauge() == null ? null : EngineRoom.defaults(SimulatorModel.medianPrompt(chat));
    res.mixDescription = String.format(Locale.ROOT, "%.2f req/s for %.0f s (60 %% of %d slots at a mean service "
        + "time of %.2f s); %s; long answers %d–%d tokens at %.0f tokens/s", rate, seconds, best, meanService,
        mix.describe(), shortest, longest, tokensPerSecond);
    res.mix = load.traced(gateway, "long-answer mix", mix, Schedule.constant(rate, Duration.ofMillis((long) (seconds * 1000)), Arrivals.poisson(CapacityBackend.SEED + 13)),
        Duration.ofSeconds((long) (70 * scale) + 10), List.of(), List.of(enginePort));
    if (res.mix.stats() != null) {
      System.out.printf(Locale.ROOT, "unknown-capacity %s long-answer mix: sheds with free slots, in-flight < %d: %d;"
          + " engine-judged (%s): %s%n", b.key(), best, UnknownCapacityTargets.freeSlotSheds(res.mix, best),
          res.mixRoom, res.mixRoom == null ? "-" : UnknownCapacityTargets.engineFreeSlotSheds(res.mix, res.mixRoom));
    }
  }
}
