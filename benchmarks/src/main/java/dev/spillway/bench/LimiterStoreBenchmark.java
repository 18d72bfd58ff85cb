package dev.spillway.bench;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.config.LimiterStoreType;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.time.Ticker;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of keeping rate limits on Redis: one admission decision (request and token limits of one of 1,000
 * tenants, then the reservation settled) with buckets in this process ({@code local}) or leased from a real
 * {@code redis-server} that the benchmark starts on a free port ({@code redis}). One thread: on a small
 * machine a second would starve the Redis client's and server's threads, and the benchmark would measure
 * missed deadlines (the store's counters printed at the end say whether any happened). Limits are high enough that
 * every request is admitted, so the decisions measured are admissions. At the end of each trial the benchmark
 * prints Redis's command count ({@code INFO commandstats}) per admitted request.
 *
 * <p>Run with (throughput, then the latency distribution):
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar LimiterStoreBenchmark
 *   java -jar benchmarks/target/benchmarks.jar -bm sample -tu us LimiterStoreBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Threads(1)
public class LimiterStoreBenchmark {
  private static final int TENANTS = 1000;
  /**
   * Longer than the default 30 ms: on a shared, overloaded machine every call would miss 30 ms and the
   * benchmark would measure the local fallback, not the shared path.
   */
  private static final Duration DEADLINE = Duration.ofSeconds(1);

  @Param({"local", "redis"})
  public String store;

  /** The share of a limit's capacity leased at a time: 5% (the default) and 0.1%. */
  @Param({"0.05", "0.001"})
  public double batch;

  private Process redis;
  private int port;
  private BucketStores stores;
  private RouteRateLimiter limiter;
  private RateLimitStats stats;
  private Tenant[] tenants;
  private long commandsBefore;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    TierConfig tier = new TierConfig("pro", PriorityClass.STANDARD, List.of(
        new LimitConfig("rpm", LimitUnit.REQUESTS, List.of(BandwidthConfig.parse("100000/1s")), true),
        new LimitConfig("tpm", LimitUnit.TOKENS, List.of(BandwidthConfig.parse("50000000/1s")), true)));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, false, "pro", List.of(),
        TokenEstimationConfig.DEFAULTS, RejectionConfig.DEFAULTS);
    if (store.equals("redis")) {
      startRedis();
      RedisLimiterStore redisStore = RedisLimiterStore.open(new LimiterStoreConfig(LimiterStoreType.REDIS,
          "redis://127.0.0.1:" + port, null, DEADLINE, batch, 1, FailurePolicy.LOCAL),
          Ticker.system());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (redisStore.state() != LimiterStoreState.UP && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      stores = redisStore;
    } else {
      stores = BucketStores.LOCAL;
    }
    stats = new RateLimitStats();
    limiter = new RouteRateLimiter(admission, Map.of("pro", tier),
        stores.forRoute("bench", LimiterCacheConfig.DEFAULTS, Ticker.system(), stats), stats);
    tenants = new Tenant[TENANTS];
    for (int i = 0; i < TENANTS; i++) {
      tenants[i] = new Tenant("t:" + i, "tenant-" + i, tier, true);
    }
    commandsBefore = redis == null ? 0 : commands();
  }

  @State(Scope.Thread)
  public static class Cursor {
    int index;
  }

  @Benchmark
  public RateDecision admit(Cursor cursor) {
    RateDecision decision = limiter.acquire(tenants[cursor.index++ % TENANTS], 500);
    decision.reservation().settle(420);
    return decision;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    if (redis != null) {
      long commands = commands() - commandsBefore;
      var s = ((RedisLimiterStore) stores).stats();
      System.out.printf("%nstore=%s batch=%s: admitted %d, rejected %d, redis commands %d (%.5f per admitted);"
              + " store operations %d, errors %d, timeouts %d, breaker rejections %d, fallback decisions %d,"
              + " mean operation %d us, max %d us%n",
          store, batch, stats.admitted(), stats.rejected(), commands, (double) commands / stats.admitted(),
          s.operations(), s.errors(), s.timeouts(), s.rejectedByBreaker(), s.fallbackDecisions(),
          s.operations() == 0 ? 0 : s.latencyNanos() / s.operations() / 1000, s.maxLatencyNanos() / 1000);
    } else {
      System.out.printf("%nstore=local: admitted %d, rejected %d%n", stats.admitted(), stats.rejected());
    }
    stores.close();
    if (redis != null) {
      redis.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void startRedis() throws Exception {
    String binary = List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/valkey-server")
        .stream().filter(p -> new File(p).canExecute()).findFirst()
        .orElseThrow(() -> new IllegalStateException("no redis-server: apt-get install -y redis-server"));
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    redis = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (java.io.IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(20);
      }
    }
  }

  /** Every command Redis has run but INFO, from {@code INFO commandstats}. */
  private long commands() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write("*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder header = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        header.append((char) c);
      }
      String body = new String(in.readNBytes(Integer.parseInt(header.substring(1).trim())), StandardCharsets.UTF_8);
      long total = 0;
      for (String line : body.split("\r\n")) {
        int i = line.indexOf("calls=");
        if (line.startsWith("cmdstat_") && i >= 0 && !line.startsWith("cmdstat_info")) {
          total += Long.parseLong(line.substring(i + 6, line.indexOf(',', i)));
        }
      }
      return total;
    }
  }
}
