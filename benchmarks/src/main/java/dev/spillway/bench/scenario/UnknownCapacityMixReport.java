package dev.spillway.bench.scenario;

import static dev.spillway.bench.scenario.EngineTrace.max;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.min;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.times;
import static dev.spillway.bench.scenario.UnknownCapacityReportSeries.values;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.freeSlotSheds;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ms;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.ratio;
import static dev.spillway.bench.scenario.UnknownCapacityTargets.verdict;

import java.util.Locale;

/**
 * One backend's long-answer mix on the unknown-capacity page: how its sheds are judged (by the engine's own room
 * where the backend reports it, else by Spillway's in-flight count against exact slots), the sheds with free
 * slots both ways, and the limit, in-flight count and engine gauges over the run.
 */
final class UnknownCapacityMixReport {
  private UnknownCapacityMixReport() {}

  /** The section of {@code res.mix}, which must have run (or failed). */
  static void write(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.mix;
    r.heading(4, "Long answers (" + res.backend.key() + "): a fifth of the requests are non-streamed answers of "
        + "30–60 s");
    boolean engineJudged = res.mixRoom != null && run.engine().present();
    r.text(judgement(res, engineJudged));
    if (run.failure() != null) {
      r.text("Not run: " + run.failure());
      return;
    }
    table(r, res, engineJudged);
    chart(r, res);
  }

  /** How a shed is judged to have come with free slots: by the engine's own room where it has one. */
  private static String judgement(UnknownCapacityResults res, boolean engineJudged) {
    EngineRoom room = res.mixRoom;
    return "Offered: " + res.mixDescription + ". Long answers must never cause a shed while the backend has free "
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
        + "backend (scraped just before) was below " + res.mixSlots + ".");
  }

  /** The sheds with free slots, judged both ways, beside the run's extremes. */
  private static void table(Report r, UnknownCapacityResults res, boolean engineJudged) {
    UnknownCapacityResults.Traced run = res.mix;
    EngineRoom room = res.mixRoom;
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
  }

  /** The limit and in-flight count over the run, and the engine's gauges where it has them. */
  private static void chart(Report r, UnknownCapacityResults res) {
    UnknownCapacityResults.Traced run = res.mix;
    RunStats s = run.stats();
    EngineTrace e = run.engine();
    String key = res.backend.key();
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
}
