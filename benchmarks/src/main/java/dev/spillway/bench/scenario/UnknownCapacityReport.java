package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.UnknownCapacityTargets.CONVERGENCE_TARGET_S;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.RECOVERY_TARGET_S;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.freeSlotSheds;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.goodputTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.mixVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ratio;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.recoveryVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.settleVerdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.shedTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ttftTarget;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.verdict;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.zeroShed;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The page of the unknown-capacity scenario ({@code unknown-capacity.md} and its charts): per backend, the
 * calibration, the load sweep side by side, the targets (met or missed, with the number), the spike, the
 * convergence of the limit, the long-answer mix and the overflow tier.
 */
final class UnknownCapacityReport {

  /** The engine-signal target's row in the summary. */
  private static final String ENGINE_ROW = "adaptive + engine signals"
      + ("override".equals(AdaptiveConfig.engineCombine()) ? " (combine: override)" : "");

  private final ScenarioOptions o;
  private final List<UnknownCapacityResults> all;

  UnknownCapacityReport(ScenarioOptions o, List<UnknownCapacityResults> all) {
    this.o = o;
    this.all = all;
  }

  Report write(String name) {
    Report r = new Report(name, o.outDir());
    r.heading(2, "Unknown capacity: does Spillway find a backend's capacity on its own?");
    r.text("Spillway's whole concurrency config is `concurrency: " + AdaptiveConfig.ADAPTIVE + "` with its defaults: "
        + "it is never told the backend's capacity. nginx is told it (`limit_conn` = the backend's best static "
        + "limit, 503 past it, no queue); \"Spillway, no limit\" is a plain proxy. Each backend's best goodput "
        + "and best static limit come from its model (the fixed mock: slots / latency; the simulator: its "
        + "documented step-time model for this request mix), cross-checked by a saturating run straight to it; "
        + "a run straight to it at half capacity gives the unloaded time to first token (TTFT). Between runs the "
        + "client closes what is left and waits until every backend is idle. Load is open-loop and seeded: "
        + "Poisson arrivals at 0.5× to 10× capacity, and bursty arrivals (hyperexponential gaps, coefficient of "
        + "variation 3) at 1×. "
        + "TTFT is measured from the intended start: the first content event of a stream, the response head of a "
        + "non-streamed answer. Requests still running " + "when a run's drain time is over are given up on and "
        + "counted apart (\"abandoned\"); one still waiting for its first token then counts as slower than every "
        + "measured one, so a percentile that lands among them reads \"> run\". Spillway's limit is scraped from "
        + "its admin `/metrics` (`" + AdaptiveConfig.LIMIT_GAUGE + "`) every 250 ms. " + Scenarios.machine(o));
    summary(r);
    for (UnknownCapacityResults res : all) {
      backend(r, res);
    }
    r.write();
    return r;
  }

  private void summary(Report r) {
    r.heading(3, "Targets at a glance (Spillway adaptive, never told the capacity)");
    MarkdownTable t = new MarkdownTable("backend", "Spillway", "zero sheds at 0.5×",
        "tokens delivered ≥ 95 % of best at 2–10×", "TTFT p99 ≤ 1.5× unloaded at 2–10×", "shed p99 ≤ 2 ms",
        "recovery ≤ 5 s", "converges ±10 % in ≤ 10 s", "no shed with free slots (long answers)");
    for (UnknownCapacityResults res : all) {
      List<UnknownCapacityResults.Cell> cells = res.sweep.get(UnknownCapacityScenario.ADAPTIVE_LABEL);
      if (cells == null || res.calibration == null) {
        t.row(res.backend.key(), "adaptive", "not run", "-", "-", "-", "-", "-", "-");
        continue;
      }
      UnknownCapacityResults.Traced spike = res.spikes.get(UnknownCapacityScenario.ADAPTIVE_LABEL);
      t.row(res.backend.key(), "adaptive", zeroShed(cells), goodputTarget(res, cells), ttftTarget(res, cells),
          shedTarget(cells), spike == null ? "not run" : recoveryVerdict(res, spike), convergence(res, false),
          mixVerdict(res));
      List<UnknownCapacityResults.Cell> engine = res.sweep.get(UnknownCapacityScenario.ENGINE_LABEL);
      if (engine != null) {
        UnknownCapacityResults.Traced engineSpike = res.spikes.get(UnknownCapacityScenario.ENGINE_LABEL);
        t.row(res.backend.key(), ENGINE_ROW, zeroShed(engine), goodputTarget(res, engine),
            ttftTarget(res, engine), shedTarget(engine), engineSpike == null ? "not run"
                : recoveryVerdict(res, engineSpike), convergence(res, true), "not run");
      }
    }
    r.table(t);
    if (all.stream().anyMatch(res -> res.sweep.containsKey(UnknownCapacityScenario.ENGINE_LABEL))) {
      boolean override = "override".equals(AdaptiveConfig.engineCombine());
      r.text("\"" + ENGINE_ROW + "\" is `concurrency: " + AdaptiveConfig.ENGINE_SIGNAL + "`, every other "
          + "setting its default: " + (override ? "an engine limit alone (the adaptive limit applies only while "
          + "the engine metrics are stale)" : "the adaptive limit, bounded by an engine limit") + " that keeps "
          + "the engine's own waiting queue (`vllm:num_requests_waiting`, scraped by Spillway every 500 ms) near 2 "
          + "([admission.md](../admission.md#engine-signals-admission-from-the-engines-own-queues)); it is run "
          + "on the backend that serves engine metrics, in the sweep, the spike and convergence (gateways of its "
          + "own), not in the long-answer mix.");
    }
  }

  /** The convergence verdicts of the engine-signal gateways' runs, or of the others'. */
  private static String convergence(UnknownCapacityResults res, boolean engine) {
    List<String> parts = res.convergence.stream()
        .filter(run -> run.label().startsWith(UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX) == engine)
        .map(run -> run.failure() != null ? "not run" : settleVerdict(run, res.calibration.bestLimit()))
        .toList();
    return parts.isEmpty() ? "not run" : String.join("; ", parts);
  }

  private void backend(Report r, UnknownCapacityResults res) {
    CapacityBackend b = res.backend;
    r.heading(3, "Backend: " + b.label());
    for (String note : res.notes) {
      r.text("**Note:** " + note);
    }
    UnknownCapacityResults.Calibration c = res.calibration;
    if (c == null) {
      r.text("Not measured: the backend did not start or its calibration failed.");
      return;
    }
    r.text(String.format(Locale.ROOT, "Requests: %s. Client timeout %d s. The backend's best: **%s req/s, %s "
        + "answer tokens/s**, best static limit **%s** (%s). Unloaded (straight, at half capacity): stream TTFT p99 "
        + "%s, non-streamed response head p99 %s, %s tokens/s per stream, mean answer time %.2f s.",
        b.mix().describe(), b.timeout().toSeconds(), Fmt.num(c.goodput()), Fmt.num(c.tokenGoodput()),
        Fmt.num(c.bestLimit()), c.method(), withUnit(c.unloadedStreamP99()), withUnit(c.unloadedJsonP99()),
        Fmt.num(c.decodeTokensPerSecond()), c.meanServiceSeconds()));
    sweep(r, res);
    spike(r, res);
    convergence(r, res);
    mix(r, res);
    overflow(r, res);
  }

  /** Milliseconds with their unit, or why there is no number. */
  private static String withUnit(double millis) {
    String text = ms(millis);
    return Double.isInfinite(millis) ? "longer than the run allowed" : text + " ms";
  }

  private void sweep(Report r, UnknownCapacityResults res) {
    if (res.sweep.isEmpty()) {
      return;
    }
    UnknownCapacityResults.Calibration c = res.calibration;
    String key = res.backend.key();
    r.heading(4, "Load sweep (" + key + ")");
    MarkdownTable t = new MarkdownTable("target", ">offered", ">offered req/s", ">goodput req/s", ">of best",
        ">tokens/s delivered", ">tokens of best", ">shed", ">shed p99 ms", ">shed p99 from send ms",
        ">Spillway shed p99 ms (gateway)", ">stream TTFT p50 ms", ">stream TTFT p99 ms",
        ">stream p99 / unloaded", ">JSON head p99 ms", ">JSON p99 / unloaded", ">errors", ">abandoned",
        ">Spillway limit");
    SvgChart goodput = SvgChart.lines("Goodput against offered load (" + key + ", best " + Fmt.num(c.goodput())
        + " req/s)", "offered load (× measured capacity)", "successful answers / s");
    SvgChart ttft = SvgChart.lines("Admitted stream TTFT p99 against offered load (" + key + ")",
        "offered load (× measured capacity)", "TTFT p99 (ms)");
    double[] xs = UnknownCapacityScenario.MULTIPLES;
    goodput.line("backend's best", xs, constant(xs.length, c.goodput()));
    for (Map.Entry<String, List<UnknownCapacityResults.Cell>> e : res.sweep.entrySet()) {
      double[] g = new double[xs.length];
      double[] p = new double[xs.length];
      int i = 0;
      for (UnknownCapacityResults.Cell cell : e.getValue()) {
        RunStats s = cell.stats();
        double offered = c.goodput() * cell.point().multiple();
        double streamP99 = s.ttftMs(true, 99);
        double jsonP99 = s.ttftMs(false, 99);
        t.row(e.getKey(), cell.point().label(), Fmt.num(offered), Fmt.num(s.goodput()),
            Fmt.pct(s.goodput() / c.goodput()), Fmt.num(s.deliveredTokensPerSecond()),
            Fmt.pct(s.deliveredTokensPerSecond() / c.tokenGoodput()),
            s.shed(), ms(s.shedMs(99)), ms(s.shedFromSentMs(99)), ms(cell.gatewayShedP99Ms()),
            ms(s.ttftMs(true, 50)), ms(streamP99),
            ratio(streamP99, c.unloadedStreamP99()), ms(jsonP99), ratio(jsonP99, c.unloadedJsonP99()),
            s.errors(), s.abandoned(), Double.isNaN(cell.meanLimit()) ? "-" : Fmt.num(cell.meanLimit()));
        if (cell.point().arrivals().kind() == dev.spillway.bench.load.Arrivals.Kind.POISSON && i < xs.length) {
          g[i] = s.goodput();
          p[i] = Double.isInfinite(streamP99) ? Double.NaN : streamP99;
          i++;
        }
      }
      goodput.line(e.getKey(), xs, g);
      ttft.line(e.getKey(), xs, p);
    }
    r.table(t);
    r.text("The Poisson levels run as one staircase per target, without a pause between levels; each level is "
        + "measured over its last " + Fmt.num(res.sweep.values().iterator().next().get(0).stats().windowSeconds())
        + " s (the first seconds of a level let the backend settle): requests by intended start, goodput as 2xx "
        + "answers completed in that time, per second; \"tokens/s delivered\" counts each streamed token when it "
        + "arrived and a non-streamed answer's tokens when it completed (the decode throughput clients got; the "
        + "goodput target is judged on it). The bursty level is a run of its own, "
        + "measured the same way. \"Spillway "
        + "limit\" is the mean of the scraped limit over the second half of each level. Ratios compare with the "
        + "unloaded p99 above: streams' TTFT, and non-streamed answers' response head. Shed answers are timed "
        + "three ways, so that a reader sees where the time goes: \"shed p99\" from the intended start (what the "
        + "target judges: it includes the load generator's own lateness in sending), \"from send\" from when the "
        + "generator wrote the request (kernel, scheduling and the proxy), and \"Spillway shed p99 (gateway)\", "
        + "Spillway's own time from the request head to the answer written and flushed (`"
        + UnknownCapacitySweep.SHED_TIME + "`, scraped every 250 ms; the p99 of the bucket deltas over the "
        + "measured window, interpolated within its bucket; \"-\" for nginx, which has no such histogram, and "
        + "for a Spillway that shed nothing itself). The load generator, the proxies and the backend share the "
        + "machine's cores: nginx's client-side columns beside Spillway's show what the machine and the "
        + "generator add to any proxy's shed answer.");
    r.chart(key + "-goodput", "Goodput against offered load (" + key + ")", goodput);
    r.chart(key + "-ttft", "Stream TTFT p99 against offered load (" + key + ")", ttft);

    r.heading(4, "Targets (" + key + ")");
    MarkdownTable targets = new MarkdownTable("target", "zero sheds at 0.5×", "tokens delivered ≥ 95 % of best at 2–10×",
        "stream TTFT p99 ≤ 1.5× unloaded at 2–10×", "shed p99 ≤ 2 ms");
    for (Map.Entry<String, List<UnknownCapacityResults.Cell>> e : res.sweep.entrySet()) {
      targets.row(e.getKey(), zeroShed(e.getValue()), goodputTarget(res, e.getValue()), ttftTarget(res, e.getValue()),
          shedTarget(e.getValue()));
    }
    r.table(targets);
  }

  private void spike(Report r, UnknownCapacityResults res) {
    if (res.spikes.isEmpty()) {
      return;
    }
    String key = res.backend.key();
    int[] ph = res.spikePhases;
    int total = ph[0] + ph[1] + ph[2];
    double base = res.spikeRate * UnknownCapacityTargets.SPIKE_BASE_MULTIPLE;
    boolean ttftJudged = base >= SpikeRecovery.MIN_TTFT_ANSWERS_PER_SECOND;
    r.heading(4, "Spike (" + key + "): 0.8×, then 10× for " + ph[1] + " s, then 0.8×");
    r.text(ph[0] + " s at 0.8× capacity (" + Fmt.num(base) + " req/s), " + ph[1] + " s at 10×, " + ph[2]
        + " s at 0.8× (Poisson). Recovery, the issue's \"full goodput again\": the seconds after the spike until "
        + "every later second is calm, with the same rule for every target. A second is calm when (1) no answer "
        + "completed in it was shed or failed; (2) nothing is queued for good: each queue in front of the "
        + "backend's compute that the target and backend have (Spillway's waiting room `"
        + AdaptiveConfig.QUEUE_GAUGE + "`; the LLM engine's `" + EngineTrace.WAITING + "`), scraped every 250 ms, "
        + "has a least value in the second (the last one before it when a scrape is missing) no higher than in "
        + "any second before the spike: a queue that fills and drains within a second is a step boundary, one "
        + "that never empties is a backlog; (3) when 0.8× brings at least "
        + Math.round(SpikeRecovery.MIN_TTFT_ANSWERS_PER_SECOND) + " requests a second, the second's TTFT p99 (streams "
        + "and non-streams, by intended start) is within 1.5× of the pre-spike p99 (from the second second to the "
        + "spike). " + (ttftJudged ? "Here it does, so (3) applies." : "Here it does not (" + Fmt.num(base)
        + " req/s): a one-second p99 would be the slowest of about " + Math.round(base) + " answers, which on "
        + "this backend measures their prompt length (16–8,192 tokens) and, for non-streamed answers whose head "
        + "comes with the whole answer, their answer length, not a backlog; (2) sees the backlog four times a "
        + "second whatever the rate.") + " Target ≤ " + RECOVERY_TARGET_S + " s.");
    MarkdownTable t = new MarkdownTable("target", ttftJudged ? ">pre-spike TTFT p99 ms" : ">pre-spike TTFT p99 ms (not judged)",
        ">goodput in spike req/s", ">of best", ">shed in spike", ">errors", ">shed or failed after the spike",
        "queued after the spike (most of the per-second least; pre-spike)", ">recovery");
    double[] xs = new double[total];
    for (int i = 0; i < total; i++) {
      xs[i] = i;
    }
    SvgChart chart = SvgChart.lines("Goodput over time, 1 s buckets (" + key + ", spike " + ph[0] + "–"
        + (ph[0] + ph[1]) + " s)", "time (s)", "successful answers / s");
    chart.line("backend's best", xs, constant(total, res.calibration.goodput()));
    SvgChart queued = SvgChart.lines("Requests queued, least per second (" + key + ", spike " + ph[0] + "–"
        + (ph[0] + ph[1]) + " s)", "time (s)", "requests waiting");
    boolean anyQueue = false;
    for (Map.Entry<String, UnknownCapacityResults.Traced> e : res.spikes.entrySet()) {
      RunStats s = e.getValue().stats();
      double[] g = s.goodputBins(total);
      double[] shed = s.shedBins(total);
      double[] refused = SpikeRecovery.refusedBins(s, total);
      long shedInSpike = 0;
      double okInSpike = 0;
      long refusedAfter = 0;
      for (int b = ph[0]; b < ph[0] + ph[1]; b++) {
        shedInSpike += (long) shed[b];
        okInSpike += g[b];
      }
      for (int b = ph[0] + ph[1]; b < total; b++) {
        refusedAfter += (long) refused[b];
      }
      SpikeRecovery.Result rec = SpikeRecovery.judge(e.getValue(), ph, base);
      java.util.List<String> queues = new java.util.ArrayList<>();
      for (SpikeRecovery.Queue q : rec.queues()) {
        double most = 0;
        for (int b = ph[0] + ph[1]; b < total; b++) {
          most = Math.max(most, q.perSecondMin()[b]);
        }
        queues.add(q.name() + " " + Fmt.num(most) + " (" + Fmt.num(q.preSpike()) + ")");
        queued.line(e.getKey() + ": " + q.name(), xs, q.perSecondMin());
        anyQueue = true;
      }
      t.row(e.getKey(), ms(rec.preSpikeTtftMs()), Fmt.num(okInSpike / ph[1]),
          Fmt.pct(okInSpike / ph[1] / res.calibration.goodput()), shedInSpike, s.errors(), refusedAfter,
          queues.isEmpty() ? "none" : String.join("; ", queues), recoveryVerdict(res, e.getValue()));
      chart.line(e.getKey(), xs, g);
    }
    r.table(t);
    r.chart(key + "-spike", "Goodput over time during the spike (" + key + ")", chart);
    if (anyQueue) {
      r.chart(key + "-spike-queued", "Requests queued during the spike (" + key + ")", queued);
    }
  }

  private void convergence(Report r, UnknownCapacityResults res) {
    if (res.convergence.isEmpty()) {
      return;
    }
    String key = res.backend.key();
    double best = res.calibration.bestLimit();
    r.heading(4, "Convergence of the limit (" + key + ")");
    r.text(String.format(Locale.ROOT, "Spillway started with `concurrency: {mode: adaptive, limit: N}` for N = 4 and "
        + "N = 1024, at %s× capacity for %s s. Settled: the time after which every scraped value stays within "
        + "±10 %% of the best static limit (%s); target ≤ %s s.", Fmt.num(res.convergenceMultiple),
        Fmt.num(res.convergenceSeconds), Fmt.num(best), Fmt.num(CONVERGENCE_TARGET_S))
        + (res.convergence.stream().anyMatch(run -> run.label().startsWith(UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX))
        ? " The \"" + UnknownCapacityScenario.ENGINE_CONVERGENCE_PREFIX + "\" runs add `engineSignal: "
        + AdaptiveConfig.engineSignal() + "`"
        + " (gateways of their own; the latency limit and the engine limit both start at N)." : ""));
    MarkdownTable t = new MarkdownTable("run", "settled within ±10 %", ">limit, last quarter (mean)", ">goodput of best",
        ">stream TTFT p99 / unloaded", ">shed");
    SvgChart chart = SvgChart.lines("Spillway's limit over time (" + key + ", " + Fmt.num(res.convergenceMultiple)
        + "× capacity)", "time (s)", "concurrency limit");
    double end = res.convergenceSeconds;
    chart.line("best static limit", new double[] {0, end}, new double[] {best, best});
    for (UnknownCapacityResults.Traced run : res.convergence) {
      if (run.failure() != null) {
        t.row(run.label(), "not run: " + run.failure(), "-", "-", "-", "-");
        continue;
      }
      t.row(run.label(), settleVerdict(run, best), Fmt.num(Convergence.mean(run.limit(), end * 0.75, end)),
          Fmt.pct(run.stats().goodput() / res.calibration.goodput()),
          ratio(run.stats().ttftMs(true, 99), res.calibration.unloadedStreamP99()), run.stats().shed());
      chart.line(run.label(), times(run.limit()), values(run.limit()));
    }
    r.table(t);
    r.chart(key + "-limit", "Spillway's limit over time from far below and far above (" + key + ")", chart);
  }

  private void mix(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.mix;
    if (run == null) {
      return;
    }
    String key = res.backend.key();
    r.heading(4, "Long answers (" + key + "): a fifth of the requests are non-streamed answers of 30–60 s");
    EngineRoom room = res.mixRoom;
    boolean engineJudged = room != null && run.engine().present();
    r.text("Offered: " + res.mixDescription + ". Long answers must never cause a shed while the backend has free "
        + "slots. " + (engineJudged ? String.format(Locale.ROOT, "The engine itself says when it had room: a shed "
        + "answer counts against the target when the engine's last scrape before it (at most %s s old; "
        + "`%s`, `%s`, `%s`) showed no request waiting, fewer than %d running and the KV cache at most %s "
        + "full, that is room for the mix's median prompt (%d of %d tokens): a request arriving then would have "
        + "joined the batch at once. Sheds without such a scrape are counted apart (unjudged). The batch is bound "
        + "by the KV cache, so how many sequences fit depends on their lengths; for comparison the table also "
        + "counts the sheds while Spillway's in-flight count to the backend (scraped just before) was below %d, "
        + "the best static limit of the chat mix, which is not the engine's room once long answers fill the cache.",
        Fmt.num(UnknownCapacityTargets.ENGINE_SAMPLE_MAX_AGE_S), EngineTrace.WAITING, EngineTrace.RUNNING,
        EngineTrace.KV_USAGE, room.maxRunning(), Fmt.pct(room.kvLimit()), room.promptTokens(), room.kvCacheTokens(),
        res.mixSlots)
        : "Its slots are exact: a shed answer counts against the target when Spillway's in-flight count to the "
        + "backend (scraped just before) was below " + res.mixSlots + "."));
    if (run.failure() != null) {
      r.text("Not run: " + run.failure());
      return;
    }
    RunStats s = run.stats();
    long inFlightSheds = freeSlotSheds(run, res.mixSlots);
    UnknownCapacityTargets.EngineSheds engine = engineJudged ? UnknownCapacityTargets.engineFreeSlotSheds(run, room)
        : null;
    long judged = engine == null ? inFlightSheds : engine.withRoom();
    EngineTrace e = run.engine();
    MarkdownTable t = new MarkdownTable(">sent", ">ok", ">shed", "sheds with free slots (the target)",
        ">by the engine's room", ">by in-flight < " + res.mixSlots, ">chat stream TTFT p99 ms", ">p99 / unloaded",
        ">limit min", ">limit max", ">in-flight max", ">engine running max", ">engine waiting max",
        ">engine KV cache max", ">abandoned (still running at the end)");
    t.row(s.sent(), s.ok(), s.shed(), verdict(judged == 0, Long.toString(judged)),
        engine == null ? "-" : engine.withRoom() + (engine.unjudged() > 0 ? " (" + engine.unjudged() + " unjudged)" : ""),
        inFlightSheds, ms(s.ttftMs(true, 99)), ratio(s.ttftMs(true, 99), res.calibration.unloadedStreamP99()),
        Fmt.num(min(run.limit())), Fmt.num(max(run.limit())), Fmt.num(max(run.inFlight())),
        e.present() ? Fmt.num(max(e.running())) : "-", e.present() ? Fmt.num(max(e.waiting())) : "-",
        e.present() ? Fmt.pct(max(e.kvUsage())) : "-", s.abandoned());
    r.table(t);
    SvgChart chart = SvgChart.lines("Limit and in-flight with long answers (" + key + ")", "time (s)", "requests");
    chart.line("best static limit (chat)", new double[] {0, s.windowSeconds()}, new double[] {res.mixSlots, res.mixSlots});
    chart.line("Spillway limit", times(run.limit()), values(run.limit()));
    chart.line("in flight to the backend", times(run.inFlight()), values(run.inFlight()));
    if (e.present()) {
      chart.line("engine running", times(e.running()), values(e.running()));
      chart.line("engine waiting", times(e.waiting()), values(e.waiting()));
      chart.line("engine KV cache (% full)", times(e.kvUsage()),
          e.kvUsage().stream().mapToDouble(x -> 100 * x.value()).toArray());
    }
    r.chart(key + "-long", "Spillway's limit and in-flight count with long answers (" + key + ")", chart);
  }

  private void overflow(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.overflow;
    if (run == null) {
      return;
    }
    String key = res.backend.key();
    r.heading(4, "Two tiers at " + Fmt.num(res.overflowMultiple) + "× (" + key + ")");
    r.text("A second, identical backend as the route's second tier, configured for overflow:\n\n```yaml\n"
        + AdaptiveConfig.OVERFLOW_ROUTE + "```\n\nBoth backends have `concurrency: " + AdaptiveConfig.ADAPTIVE
        + "`. With overflow, goodput can reach twice one backend's best. The run lasts "
        + Fmt.num(res.overflowSeconds) + " s from a cold start (a fresh Spillway: both limits start unknown); "
        + "its first seconds show the limits' start, its second half the steady state.");
    if (run.failure() != null) {
      r.text("Not run: " + run.failure());
      return;
    }
    double seconds = res.overflowSeconds;
    double coldEnd = Math.min(10, seconds / 2);
    boolean engines = run.engines().size() == 2 && run.engines().get(0).present();
    List<String> columns = new java.util.ArrayList<>(List.of("window", ">offered req/s", ">goodput req/s",
        ">of one backend's best", ">of two backends' best", ">shed", ">stream TTFT p99 ms", ">p99 / unloaded",
        ">errors", ">limits (primary / overflow)"));
    if (engines) {
      columns.addAll(List.of(">engine waiting, mean (primary / overflow)", ">engine waiting, max (primary / overflow)",
          ">engine running, mean (primary / overflow)"));
    }
    MarkdownTable t = new MarkdownTable(columns.toArray(String[]::new));
    double best = res.calibration.goodput();
    for (double[] w : new double[][] {{0, coldEnd}, {seconds / 2, seconds}, {0, seconds}}) {
      RunStats s = run.stats().window(w[0], w[1]);
      String label = w[0] == 0 && w[1] == seconds ? "whole run" : Fmt.num(w[0]) + "–" + Fmt.num(w[1]) + " s";
      List<Object> row = new java.util.ArrayList<>(List.of(label, Fmt.num(best * res.overflowMultiple),
          Fmt.num(s.goodput()), Fmt.pct(s.goodput() / best), Fmt.pct(s.goodput() / (2 * best)), s.shed(),
          ms(s.ttftMs(true, 99)), ratio(s.ttftMs(true, 99), res.calibration.unloadedStreamP99()), s.errors(),
          Fmt.num(mean(run.limit(), w[0], w[1])) + " / " + Fmt.num(mean(res.overflowLimit, w[0], w[1]))));
      if (engines) {
        EngineTrace p = run.engines().get(0);
        EngineTrace o = run.engines().get(1);
        row.add(Fmt.num(mean(p.waiting(), w[0], w[1])) + " / " + Fmt.num(mean(o.waiting(), w[0], w[1])));
        row.add(Fmt.num(EngineTrace.max(p.waiting(), w[0], w[1])) + " / "
            + Fmt.num(EngineTrace.max(o.waiting(), w[0], w[1])));
        row.add(Fmt.num(mean(p.running(), w[0], w[1])) + " / " + Fmt.num(mean(o.running(), w[0], w[1])));
      }
      t.row(row.toArray());
    }
    r.table(t);
    r.text("\"limits\" are the means of each backend's scraped limit in the window." + (engines ? " The engines' "
        + "own gauges (`" + EngineTrace.WAITING + "`, `" + EngineTrace.RUNNING + "`, scraped every 250 ms) show "
        + "whether a tier queued: requests waiting in an engine wait behind its KV-cache-bound batch, where "
        + "Spillway's limit does not see them." : ""));
    SvgChart chart = SvgChart.lines("Both tiers' limits and in-flight counts at " + Fmt.num(res.overflowMultiple)
        + "× (" + key + ")", "time (s)", "requests");
    chart.line("primary limit", times(run.limit()), values(run.limit()));
    chart.line("primary in flight", times(run.inFlight()), values(run.inFlight()));
    chart.line("overflow tier limit", times(res.overflowLimit), values(res.overflowLimit));
    chart.line("overflow tier in flight", times(res.overflowInFlight), values(res.overflowInFlight));
    if (engines) {
      chart.line("primary engine waiting", times(run.engines().get(0).waiting()), values(run.engines().get(0).waiting()));
      chart.line("overflow engine waiting", times(run.engines().get(1).waiting()),
          values(run.engines().get(1).waiting()));
    }
    r.chart(key + "-overflow", "Both tiers' limits and in-flight counts in the two-tier run (" + key + ")", chart);
  }

  /** The mean of the samples taken in [from, to), or NaN. */
  private static double mean(List<MetricsScraper.Sample> samples, double from, double to) {
    return samples.stream().filter(x -> x.seconds() >= from && x.seconds() < to)
        .mapToDouble(MetricsScraper.Sample::value).average().orElse(Double.NaN);
  }

  private static double[] constant(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private static double[] times(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::seconds).toArray();
  }

  private static double[] values(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).toArray();
  }

  private static double min(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).min().orElse(Double.NaN);
  }

  private static double max(List<MetricsScraper.Sample> samples) {
    return samples.stream().mapToDouble(MetricsScraper.Sample::value).max().orElse(Double.NaN);
  }
}
