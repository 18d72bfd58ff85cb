package dev.spillway.core.proxy;

import static dev.spillway.core.proxy.TwoTierSimulation.MS;
import static dev.spillway.core.proxy.TwoTierSimulation.SECOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The unknown-capacity benchmark's two-tier run on fake time: two identical fixed backends (64 slots x 500 ms,
 * a 1,024-deep queue of their own, 128 req/s each; half the requests streamed, 16 answer tokens, the first
 * 31 ms after the start), the second taking overflow of every class, both under the default
 * {@code concurrency: {mode: adaptive}} and waiting room, offered 5x one backend's capacity. Each run prints
 * what it measured, the first 10 s from a cold start too (both limits start pinned at their minimum, then
 * overshoot and settle: that part is the limit's convergence, not overflow, and is not judged here).
 */
class OverflowSimulationTest {
  static final int SLOTS = 64;
  static final long SERVICE = 500 * MS;
  static final double CAPACITY = SLOTS * (double) SECOND / SERVICE;
  static final long END = 30 * SECOND;
  /** Both limits have settled by then (the cold start's transient lasts about 12 s here). */
  static final long STEADY_FROM = 15 * SECOND;

  /**
   * The second tier serves what the first cannot: goodput is at least 0.9 of both capacities together, no
   * request is shed while either tier's limit had room for it, and admitted streams' first tokens stay within
   * 1.5x of the unloaded p99 on each tier.
   */
  @Test
  void atFiveTimesOneBackendTheSecondTierServesWhatTheFirstCannot() {
    TwoTierSimulation unloaded = run(1, 0.5, 1);
    double unloadedTtft = p99FirstToken(unloaded, 0, STEADY_FROM, END);
    TwoTierSimulation sim = run(2, 5, 3);
    String summary = summary(sim, STEADY_FROM, END) + String.format(" (unloaded TTFT p99 %.1f ms)", unloadedTtft / 1e6);
    System.out.println("two tiers at 5x, steady: " + summary);
    System.out.println("two tiers at 5x, first 10 s: " + summary(sim, 0, 10 * SECOND));

    assertThat(goodput(sim, -1, STEADY_FROM, END)).as(summary).isGreaterThanOrEqualTo(0.9 * 2 * CAPACITY);
    assertThat(goodput(sim, 1, STEADY_FROM, END)).as("the second tier serves: %s", summary)
        .isGreaterThanOrEqualTo(0.9 * CAPACITY);
    assertThat(steady(sim, STEADY_FROM, END).stream().filter(r -> r.shedWithFreePermit).count())
        .as("shed while a tier's limit had room: %s", summary).isZero();
    for (int tier = 0; tier < 2; tier++) {
      assertThat(p99FirstToken(sim, tier, STEADY_FROM, END)).as("tier %d TTFT p99: %s", tier, summary)
          .isLessThanOrEqualTo(1.5 * unloadedTtft);
    }
  }

  /**
   * Just past the primary's capacity the overflow tier has room: a request the primary's room could not serve
   * soon goes there at once instead of waiting in that room first, so first tokens stay near the unloaded
   * ones on both tiers and nothing is shed.
   */
  @ParameterizedTest(name = "{0}x one backend")
  @ValueSource(doubles = {1.2, 1.5})
  void justPastThePrimarysCapacityTheOverflowTierTakesTheRestWithoutWaiting(double load) {
    TwoTierSimulation unloaded = run(1, 0.5, 1);
    double unloadedTtft = p99FirstToken(unloaded, 0, STEADY_FROM, END);
    TwoTierSimulation sim = run(2, load, 3);
    String summary = summary(sim, STEADY_FROM, END) + String.format(" (unloaded TTFT p99 %.1f ms)", unloadedTtft / 1e6);
    System.out.printf("two tiers at %.1fx, steady: %s%n", load, summary);

    assertThat(goodput(sim, -1, STEADY_FROM, END)).as(summary).isGreaterThanOrEqualTo(0.95 * load * CAPACITY);
    assertThat(steady(sim, STEADY_FROM, END)).as("nothing waits in the primary's room: %s", summary)
        .allSatisfy(r -> assertThat(r.sentAt).isEqualTo(r.arrivedAt));
    for (int tier = 0; tier < 2; tier++) {
      assertThat(p99FirstToken(sim, tier, STEADY_FROM, END)).as("tier %d TTFT p99: %s", tier, summary)
          .isLessThanOrEqualTo(1.5 * unloadedTtft);
    }
  }

  /**
   * The benchmark's requests carry their chat body's size, and the fixed mock's first token does not grow with
   * it: the two tiers at 5x must run as without sizes. (Measured: read as an LLM engine's prompts, the
   * primary's limit went to 125 with about 60 requests in the mock's queue, and stayed.)
   */
  @Test
  void atFiveTimesChatSizedRequestsRunAsUnsizedOnes() {
    TwoTierSimulation plain = run(2, 5, 3);
    TwoTierSimulation sized = new TwoTierSimulation(2, SLOTS, SERVICE, 1024,
        ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), WaitingRoomConfig.DEFAULTS)
        .withChatSizes(new Random(4));
    sized.poisson(new Random(3), 0, END, 5 * CAPACITY, 16);
    sized.run(END + 20 * SECOND);
    String summary = summary(sized, STEADY_FROM, END) + " (without sizes: " + summary(plain, STEADY_FROM, END) + ")";
    System.out.println("two tiers at 5x with sizes, steady: " + summary);

    int from = (int) (STEADY_FROM / (TwoTierSimulation.TRACE_STEP_MS * MS));
    int to = (int) (END / (TwoTierSimulation.TRACE_STEP_MS * MS));
    for (int tier = 0; tier < 2; tier++) {
      int t = tier;
      int plainMax = plain.limitTrace.subList(from, to).stream().mapToInt(l -> l[t]).max().orElseThrow();
      int sizedMax = sized.limitTrace.subList(from, to).stream().mapToInt(l -> l[t]).max().orElseThrow();
      assertThat(sizedMax).as("tier %d's steady limit with sizes vs %d without: %s", tier, plainMax, summary)
          .isLessThanOrEqualTo(plainMax);
      assertThat(p99FirstToken(sized, tier, STEADY_FROM, END)).as("tier %d TTFT p99: %s", tier, summary)
          .isLessThanOrEqualTo(1.1 * p99FirstToken(plain, tier, STEADY_FROM, END));
    }
  }

  /** Below the primary's capacity nothing overflows and nothing is shed. */
  @Test
  void belowThePrimarysCapacityNothingOverflows() {
    TwoTierSimulation sim = run(2, 0.5, 5);
    assertThat(steady(sim, STEADY_FROM, END)).as(summary(sim, STEADY_FROM, END))
        .allSatisfy(r -> assertThat(r.tier).isZero()).noneMatch(r -> r.shedAt >= 0);
  }

  static TwoTierSimulation run(int tiers, double load, long seed) {
    TwoTierSimulation sim = new TwoTierSimulation(tiers, SLOTS, SERVICE, 1024,
        ConcurrencyConfig.adaptive(ConcurrencyConfig.DEFAULT_LIMIT), WaitingRoomConfig.DEFAULTS);
    sim.poisson(new Random(seed), 0, END, load * CAPACITY, 16);
    sim.run(END + 20 * SECOND);
    return sim;
  }

  /** Requests that arrived in [from, to). */
  static List<TwoTierSimulation.Req> steady(TwoTierSimulation sim, long from, long to) {
    return sim.requests.stream().filter(r -> r.arrivedAt >= from && r.arrivedAt < to).toList();
  }

  static double percentile(double[] v, double q) {
    return v.length == 0 ? 0 : v[Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1)];
  }

  /** Answers completed in [from, to) per second, on {@code tier} (all with -1). */
  static double goodput(TwoTierSimulation sim, int tier, long from, long to) {
    long done = sim.requests.stream().filter(r -> r.finishedAt >= from && r.finishedAt < to && !r.rejectedByBackend
        && (tier < 0 || r.tier == tier)).count();
    return done / ((to - from) / (double) SECOND);
  }

  /** p99 of the first token (from arrival) of the streams that arrived in [from, to) and ran on {@code tier}. */
  static double p99FirstToken(TwoTierSimulation sim, int tier, long from, long to) {
    double[] v = steady(sim, from, to).stream().filter(r -> r.stream && r.tier == tier && r.firstTokenAt >= 0)
        .mapToDouble(r -> r.firstTokenAt - r.arrivedAt).sorted().toArray();
    return v.length == 0 ? 0 : v[Math.min(v.length - 1, (int) Math.ceil(0.99 * v.length) - 1)];
  }

  static String summary(TwoTierSimulation sim, long from, long to) {
    List<TwoTierSimulation.Req> in = steady(sim, from, to);
    StringBuilder sb = new StringBuilder(String.format("goodput %.1f/s", goodput(sim, -1, from, to)));
    for (int t = 0; t < sim.tiers.size(); t++) {
      int tier = t;
      List<int[]> trace = sim.limitTrace.subList((int) (from / (10 * MS)), (int) Math.min(sim.limitTrace.size(),
          to / (10 * MS)));
      sb.append(String.format("; tier %d: %.1f/s, TTFT p99 %.1f ms, limit mean %.1f [%d..%d]", t,
          goodput(sim, t, from, to), p99FirstToken(sim, t, from, to) / 1e6,
          trace.stream().mapToInt(l -> l[tier]).average().orElse(0),
          trace.stream().mapToInt(l -> l[tier]).min().orElse(0), trace.stream().mapToInt(l -> l[tier]).max().orElse(0)));
    }
    return sb.append(String.format("; shed %d (with a free permit %d, with a free backend slot %d)",
        in.stream().filter(r -> r.shedAt >= 0).count(), in.stream().filter(r -> r.shedWithFreePermit).count(),
        in.stream().filter(r -> r.shedWithFreeSlot).count())).toString();
  }
}
