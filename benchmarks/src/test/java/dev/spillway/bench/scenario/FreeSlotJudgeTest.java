package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.bench.load.LoadResult.Record;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The long-answer judge: sheds while the backend had free room, by the engine's gauges or by in-flight. */
class FreeSlotJudgeTest {
  private static final long MS = 1_000_000L;
  /** 65,536 tokens of cache, 256 slots, a 1,024-token prompt must fit: full above 1 - 1/64 = 0.984375. */
  private static final EngineRoom ROOM = new EngineRoom(256, 65_536, 1_024);

  private static Record shedAt(long ms) {
    return new Record(ms * MS, ms * MS + MS, 503, false, -1, 0, 1);
  }

  private static Record okAt(long ms) {
    return new Record(ms * MS, ms * MS + 500 * MS, 200, true, ms * MS + 100 * MS, 10, 0);
  }

  private static List<MetricsScraper.Sample> series(double... values) {
    return java.util.stream.IntStream.range(0, values.length)
        .mapToObj(i -> new MetricsScraper.Sample(i * 0.25, values[i])).toList();
  }

  private static UnknownCapacityResults.Traced run(List<Record> records, List<MetricsScraper.Sample> inFlight,
      EngineTrace engine) {
    return new UnknownCapacityResults.Traced("mix", new RunStats(records, 0, 2), series(40, 40, 40, 40, 40, 40, 40, 40),
        inFlight, null, Map.of(), List.of(engine));
  }

  @Test
  void roomMeansNobodyWaitsASlotIsFreeAndTheMedianPromptFits() {
    assertThat(ROOM.kvLimit()).isEqualTo(0.984375);
    assertThat(ROOM.hadRoom(20, 0, 0.90)).isTrue();
    assertThat(ROOM.hadRoom(20, 0, 0.984375)).isTrue();
    assertThat(ROOM.hadRoom(20, 0, 0.99)).isFalse();   // less free cache than one prompt
    assertThat(ROOM.hadRoom(20, 1, 0.10)).isFalse();   // someone waits ahead of it
    assertThat(ROOM.hadRoom(256, 0, 0.10)).isFalse();  // every slot taken
    assertThatThrownBy(() -> new EngineRoom(0, 65_536, 1_024)).hasMessageContaining("expected: all > 0");
  }

  @Test
  void theEngineJudgesWhereInFlightBelowTheStaticLimitWouldMislead() {
    // In flight to the backend stays at 20, below the chat mix's 40: by in-flight, every shed had a free slot.
    // The engine says otherwise from 0.5 s on: its KV cache is full (long answers) and requests wait.
    EngineTrace engine = new EngineTrace(series(20, 20, 20, 20, 20, 20, 20, 20), series(0, 0, 0, 3, 3, 3, 0, 0),
        series(0.5, 0.6, 0.99, 1.0, 1.0, 1.0, 0.7, 0.7));
    List<Record> records = List.of(okAt(10), shedAt(100), shedAt(600), shedAt(800), shedAt(1_000), shedAt(1_600));
    UnknownCapacityResults.Traced run = run(records, series(20, 20, 20, 20, 20, 20, 20, 20), engine);
    assertThat(UnknownCapacityTargets.freeSlotSheds(run, 40)).isEqualTo(5);
    // 0.1 s: cache half full, nobody waits: room (counts against the target). 0.6 s: cache 99 %, no room.
    // 0.8 s and 1.0 s: requests waiting. 1.6 s: cache 70 %, nobody waits: room.
    assertThat(UnknownCapacityTargets.engineFreeSlotSheds(run, ROOM))
        .isEqualTo(new UnknownCapacityTargets.EngineSheds(2, 0));
  }

  @Test
  void aShedWithoutARecentEngineSampleIsUnjudgedNotFree() {
    // The engine's samples stop at 0.25 s (scrapes failed): a shed at 1.0 s has no sample within 0.5 s.
    EngineTrace engine = new EngineTrace(series(1, 1), series(0, 0), series(0.1, 0.1));
    UnknownCapacityResults.Traced run = run(List.of(shedAt(100), shedAt(1_000)), series(1, 1, 1, 1, 1), engine);
    assertThat(UnknownCapacityTargets.engineFreeSlotSheds(run, ROOM))
        .isEqualTo(new UnknownCapacityTargets.EngineSheds(1, 1));
  }

  @Test
  void theFixedMockIsJudgedByInFlightAgainstItsSlots() {
    UnknownCapacityResults.Traced run = run(List.of(shedAt(100), shedAt(700)), series(63, 63, 64, 64), EngineTrace.NONE);
    // 0.1 s: 63 in flight, a slot of 64 was free; 0.7 s: 64, none.
    assertThat(UnknownCapacityTargets.freeSlotSheds(run, 64)).isEqualTo(1);
  }

  @Test
  void theVerdictUsesTheEngineWhereThereIsOne() {
    EngineTrace full = new EngineTrace(series(20, 20, 20, 20), series(2, 2, 2, 2), series(1.0, 1.0, 1.0, 1.0));
    UnknownCapacityResults res = new UnknownCapacityResults(CapacityBackend.llm(CapacityBackend.LLM_STREAM_SHARE));
    res.mixSlots = 40;
    res.mixRoom = ROOM;
    res.mix = run(List.of(shedAt(100), shedAt(600)), series(20, 20, 20, 20), full);
    assertThat(UnknownCapacityTargets.mixVerdict(res)).isEqualTo("met: 0 of 2 sheds");
    EngineTrace idle = new EngineTrace(series(20, 20, 20, 20), series(0, 0, 0, 0), series(0.3, 0.3, 0.3, 0.3));
    res.mix = run(List.of(shedAt(100), shedAt(600)), series(20, 20, 20, 20), idle);
    assertThat(UnknownCapacityTargets.mixVerdict(res)).isEqualTo("MISSED: 2 of 2 sheds");
    // Without engine gauges (the fixed mock), in flight against the slots.
    res.mixRoom = null;
    res.mix = run(List.of(shedAt(100), shedAt(600)), series(20, 20, 20, 20), EngineTrace.NONE);
    assertThat(UnknownCapacityTargets.mixVerdict(res)).isEqualTo("MISSED: 2 of 2 sheds");
  }
}
