package dev.spillway.bench.scenario;

import dev.spillway.bench.load.ChatRequest;
import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadRunner;
import dev.spillway.bench.load.OpenLoopDispatcher;
import dev.spillway.bench.load.Schedule;
import dev.spillway.bench.load.Target;
import dev.spillway.core.time.Ticker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Limits shared by three gateways on one Redis. Part one, the acceptance run: one tenant limited to 600
 * requests a minute and one limited to 600 requests' worth of tokens a minute, each hammered at three times
 * its limit through all three gateways at once; admitted per minute against the limit plus one batch per
 * instance. Part two, the cost: the same three gateways and the same load under limits that admit everything,
 * once with the local store and once with Redis: admitted req/s, p50/p99, and Redis operations per admitted
 * request. Redis, the gateways and the mock backend are child processes; the scenario fails if none of
 * {@code redis-server} or {@code valkey-server} is installed.
 */
final class ClusterScenario implements Scenario {
  static final int INSTANCES = 3;
  static final double BATCH = 0.05;
  static final Duration REDIS_TIMEOUT = Duration.ofMillis(100);
  static final long REQUESTS_PER_MINUTE = 600;
  private static final int PROMPT_TOKENS = 10;
  private static final int MAX_TOKENS = 90;
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);

  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) throws Exception {
    java.util.Set<String> parts = java.util.Set.of(System.getProperty("cluster.parts", "shared,cost").split(","));
    Duration sharedRun = Duration.ofSeconds(o.pick(120, 6));
    // Each tenant is offered three times its limit, spread evenly over the three gateways.
    double sharedRate = 2 * 3 * REQUESTS_PER_MINUTE / 60.0;
    double costRate = o.pick(200.0, 40.0);
    Duration costRun = Duration.ofSeconds(o.pick(20, 3));
    int costRounds = o.pick(2, 1);
    Duration warmUp = Duration.ofSeconds(o.pick(10, 1));
    Results results = new Results(sharedRun, sharedRate, costRate, costRun, warmUp);
    try (RedisProcess redis = RedisProcess.start(o.workDir()); Launcher launcher = new Launcher(o, o.workDir())) {
      int mockPort = Proc.freePort();
      launcher.mock("mock-cluster", mockPort, 100_000, Duration.ofMillis(1), 100_000, 0);
      ChatRequest[] requests = requests(ClusterConfig.REQUEST_KEY, ClusterConfig.TOKEN_KEY);
      ChatRequest[] warm = requests(ClusterConfig.WARM_REQUEST_KEY, ClusterConfig.WARM_TOKEN_KEY);
      results.tokensPerRequest = ClusterProbe.totalTokens(mockPort, PROMPT_TOKENS, MAX_TOKENS);
      long tokensPerMinute = REQUESTS_PER_MINUTE * results.tokensPerRequest;
      System.out.printf("cluster: one request costs %d tokens; token limit %d/min%n", results.tokensPerRequest,
          tokensPerMinute);

      if (parts.contains("shared")) {
        try (Gateways gateways = Gateways.start(launcher, "shared", mockPort, redis.uri(), REQUESTS_PER_MINUTE,
            tokensPerMinute)) {
          // Warm the JIT on other tenants of the same tiers: the measured tenants' buckets start full.
          hammer(client, gateways.targets(), warm, sharedRate, warmUp);
          client.closeIdle();
          results.sharedLoad = Scenarios.loadAverage();
          long commandsBefore = redis.commands();
          ClusterProbe.Counters before = gateways.counters();
          results.shared = hammer(client, gateways.targets(), requests, sharedRate, sharedRun);
          results.sharedCommands = redis.commands() - commandsBefore;
          results.sharedCounters = gateways.counters().minus(before);
        }
      }

      if (parts.contains("cost")) {
        // Limits that admit everything; both stores' gateways run side by side, warmed alike, and take the load
        // in turns (local, redis, local, redis...) so that the machine's drifting noise hits both.
        long roomy = (long) Math.ceil(costRate * 60);
        try (Gateways local = Gateways.start(launcher, "cost-local", mockPort, null, roomy,
                roomy * results.tokensPerRequest);
            Gateways shared = Gateways.start(launcher, "cost-redis", mockPort, redis.uri(), roomy,
                roomy * results.tokensPerRequest)) {
          hammer(client, local.targets(), warm, costRate, warmUp);
          hammer(client, shared.targets(), warm, costRate, warmUp);
          for (int round = 0; round < costRounds; round++) {
            for (Gateways g : List.of(local, shared)) {
              client.closeIdle();
              String load = Scenarios.loadAverage();
              long commandsBefore = redis.commands();
              ClusterProbe.Counters before = g.counters();
              LoadResult[] r = hammer(client, g.targets(), requests, costRate, costRun);
              results.cost.add(new CostRow(g == local ? "local" : "redis", round + 1, load, r,
                  redis.commands() - commandsBefore, g.counters().minus(before)));
            }
          }
        }
      }
    }
    return ClusterReport.write(o, name(), results);
  }

  private static ChatRequest[] requests(String requestKey, String tokenKey) {
    return new ChatRequest[] {ChatRequest.of(false, PROMPT_TOKENS, MAX_TOKENS, requestKey, 0),
        ChatRequest.of(false, PROMPT_TOKENS, MAX_TOKENS, tokenKey, 1)};
  }

  /**
   * Sends {@code rate} requests a second for {@code duration}, alternating between the two tenants and going
   * round the gateways, and waits (bounded) for the answers. Result {@code i} holds tenant {@code i}'s.
   */
  static LoadResult[] hammer(LoadClient client, List<Target> targets, ChatRequest[] requests, double rate,
      Duration duration) {
    Ticker ticker = Ticker.system();
    long origin = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long timeout = CLIENT_TIMEOUT.toNanos();
    int seconds = (int) (duration.toSeconds() + CLIENT_TIMEOUT.toSeconds() + 3);
    LoadResult[] out = new LoadResult[requests.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = new LoadResult(origin, seconds, TimeUnit.SECONDS.toNanos(1));
    }
    OpenLoopDispatcher dispatcher = new OpenLoopDispatcher(Schedule.constant(rate, duration), origin,
        (i, intended) -> {
          int tenant = (int) (i % requests.length);
          Target target = targets.get((int) ((i / requests.length) % targets.size()));
          client.send(target, requests[tenant], intended, out[tenant], timeout);
        });
    long end = origin + duration.toNanos();
    dispatcher.run(ticker, end + TimeUnit.SECONDS.toNanos(2));
    long deadline = end + timeout + TimeUnit.SECONDS.toNanos(2);
    for (LoadResult r : out) {
      while (r.finishedCount() < r.sentCount() && ticker.nanoTime() - deadline < 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
    }
    return out;
  }

  /** Three gateways with the same config, and their admin ports. */
  static final class Gateways implements AutoCloseable {
    final List<ChildProcess> processes = new ArrayList<>();
    final List<Integer> ports = new ArrayList<>();
    final List<Integer> adminPorts = new ArrayList<>();

    static Gateways start(Launcher launcher, String name, int mockPort, String redisUri, long requestsPerMinute,
        long tokensPerMinute) throws IOException {
      Gateways g = new Gateways();
      for (int i = 0; i < INSTANCES; i++) {
        int port = Proc.freePort();
        int admin = Proc.freePort();
        g.processes.add(launcher.spillway("spillway-" + name + "-" + i, ClusterConfig.yaml(port, admin, mockPort,
            redisUri, requestsPerMinute, tokensPerMinute), port));
        g.ports.add(port);
        g.adminPorts.add(admin);
      }
      if (redisUri != null) {
        for (int admin : g.adminPorts) {
          ClusterProbe.awaitStoreUp(admin, Duration.ofSeconds(60));
        }
      }
      return g;
    }

    List<Target> targets() {
      List<Target> out = new ArrayList<>();
      for (int i = 0; i < ports.size(); i++) {
        out.add(new Target("spillway-" + i, ports.get(i)));
      }
      return out;
    }

    /** The limiter store's counters, summed over the gateways. */
    ClusterProbe.Counters counters() {
      ClusterProbe.Counters sum = ClusterProbe.Counters.ZERO;
      for (int admin : adminPorts) {
        sum = sum.plus(ClusterProbe.counters(admin));
      }
      return sum;
    }

    @Override
    public void close() {
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).stop();
      }
    }
  }

  /** One store's run of part two. */
  record CostRow(String store, int round, String loadAverage, LoadResult[] results, long redisCommands,
      ClusterProbe.Counters counters) {}

  /** Everything the report needs. */
  static final class Results {
    final Duration sharedRun;
    final double sharedRate;
    final double costRate;
    final Duration costRun;
    final Duration warmUp;
    long tokensPerRequest;
    String sharedLoad;
    LoadResult[] shared;
    long sharedCommands;
    ClusterProbe.Counters sharedCounters;
    final List<CostRow> cost = new ArrayList<>();

    Results(Duration sharedRun, double sharedRate, double costRate, Duration costRun, Duration warmUp) {
      this.sharedRun = sharedRun;
      this.sharedRate = sharedRate;
      this.costRate = costRate;
      this.costRun = costRun;
      this.warmUp = warmUp;
    }
  }
}
