package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.time.FakeTicker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine limit alone (the latency limit far above it) in front of a batching engine in fake time: the
 * engine runs up to {@link #BATCH} requests for 2–4 s each (seeded) and queues the rest, and its waiting
 * queue is read every scrape interval, as Spillway's scraper would. Unlike the unit tests, the queue lags:
 * requests admitted too many stay queued until running ones finish, seconds later.
 */
class EngineSignalSimulationTest {
  private static final int BATCH = 40;
  /** The mean service time: capacity is {@link #BATCH} / 3 s. */
  private static final Duration SERVICE = Duration.ofSeconds(3);
  private static final Duration STEP = Duration.ofMillis(10);
  private static final Duration SCRAPE = Duration.ofMillis(500);

  /** What one run saw, per scrape. */
  record Trace(List<Integer> limits, List<Integer> running, List<Integer> waiting) {
    double meanRunning(int fromScrape) {
      return running.subList(fromScrape, running.size()).stream().mapToInt(i -> i).average().orElse(0);
    }
  }

  private final FakeTicker ticker = new FakeTicker();
  private final Random random = new Random(7);
  private double scrapedWaiting = Double.NaN;

  private Trace run(int start, double multiple, Duration length) {
    ConcurrencyConfig config = new ConcurrencyConfig(ConcurrencyConfig.Mode.STATIC, start, 4, 1024,
        EngineSignalConfig.of(EnginePreset.VLLM));
    EngineSignalLimit limit = new EngineSignalLimit(new FixedLimit(1024), now -> scrapedWaiting, config, ticker);
    double rate = multiple * BATCH / (SERVICE.toNanos() / 1e9);
    long gap = (long) (1e9 / rate);
    long end = ticker.nanoTime() + length.toNanos();
    long nextArrival = ticker.nanoTime();
    long nextScrape = ticker.nanoTime();
    ArrayDeque<Long> waiting = new ArrayDeque<>(); // admission times
    PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> Long.compare(a[0] - b[0], 0)); // {done, inFlight}
    int inFlight = 0;
    Trace trace = new Trace(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    while (ticker.nanoTime() - end < 0) {
      long now = ticker.nanoTime();
      while (!running.isEmpty() && running.peek()[0] - now <= 0) {
        long[] done = running.poll();
        inFlight--;
        limit.onSample(LatencySample.firstToken(1), (int) done[1], limit.window(), now);
        limit.onRelease(now);
      }
      while (running.size() < BATCH && !waiting.isEmpty()) {
        running.add(new long[] {now + service(), waiting.poll()});
      }
      while (nextArrival - now <= 0) {
        if (inFlight < limit.limit()) {
          inFlight++;
          waiting.add((long) inFlight);
          if (running.size() < BATCH) {
            running.add(new long[] {now + service(), waiting.poll()});
          }
        }
        nextArrival += gap;
      }
      if (now - nextScrape >= 0) {
        scrapedWaiting = waiting.size();
        limit.onRefresh(inFlight, 0);
        trace.limits().add(limit.limit());
        trace.running().add(running.size());
        trace.waiting().add(waiting.size());
        nextScrape += SCRAPE.toNanos();
      }
      ticker.advance(STEP);
    }
    return trace;
  }

  private long service() {
    return (long) ((2 + 2 * random.nextDouble()) * 1e9);
  }

  /**
   * At twice the engine's capacity, from far below, the default and far above: within 10 s the limit stays
   * within 10 % of what keeps the queue at its target (the batch plus 2), the engine's batch stays full and its
   * queue short. A shrink that ignored the queue's lag (cutting again each interval while requests admitted
   * before the cut still wait) or growth while requests already wait would saw the limit up and down instead.
   */
  @Test
  void settlesWhereTheEnginesQueueStaysAtItsTarget() {
    for (int start : new int[] {4, 64, 1024}) {
      Trace t = run(start, 2, Duration.ofSeconds(40));
      List<Integer> settled = t.limits().subList(20, t.limits().size()); // from 10 s on

      assertThat(settled).as("limits from %d: %s", start, t.limits()).allSatisfy(l -> assertThat(l)
          .isBetween((int) Math.floor(0.9 * (BATCH + 2)), (int) Math.ceil(1.1 * (BATCH + 2))));
      assertThat(t.meanRunning(20)).as("running from %d: %s", start, t.running()).isGreaterThan(0.95 * BATCH);
      assertThat(t.waiting().subList(20, t.waiting().size()).stream().mapToInt(i -> i).average().orElse(99))
          .as("waiting from %d: %s", start, t.waiting()).isLessThanOrEqualTo(4);
    }
  }
}
