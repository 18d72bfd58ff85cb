package dev.spillway.bench;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.identity.TenantResolver;
import dev.spillway.core.admission.ratelimit.LocalBucketStore;
import dev.spillway.core.admission.ratelimit.RateDecision;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.admission.ratelimit.RouteRateLimiter;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.time.Ticker;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The admission decision of a known tenant: find the tenant by key, take one request and a token estimate
 * from its tier's limits and the route's, then settle the reservation. Keys are Zipf-distributed over
 * {@value #TENANTS} tenants (precomputed, indexed {@code & MASK}, so the loop itself allocates nothing).
 *
 * <ul>
 *   <li>{@link #admit}: tenant lookup by precomputed key hash, {@code acquire}, {@code settle};
 *   <li>{@link #sha256}: hashing one API key alone (what {@code resolve} adds per request);
 *   <li>{@link #resolveAndAdmit}: the whole path from an {@code Authorization} header, SHA-256 included.
 * </ul>
 *
 * <p>{@code cacheSize} below the tenant count makes Caffeine evict, as a real gateway would under a long tail.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc AdmissionBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AdmissionBenchmark {
  static final int TENANTS = 1_000_000;
  private static final int SAMPLES = 1 << 20;
  private static final int MASK = SAMPLES - 1;
  /** Headers for the full path are built for the hottest keys only: a million header maps would dwarf the rest. */
  private static final int HEADER_KEYS = 1 << 12;

  @Param({"100000", "1100000"})
  public long cacheSize;

  private TenantResolver resolver;
  private RouteRateLimiter limiter;
  private String[] keys;
  private String[] keyHashes;
  private HttpHeaders[] headers;
  private int[] zipf;
  private InetAddress peer;
  private int index;

  @Setup
  public void setUp() throws Exception {
    keys = new String[TENANTS];
    keyHashes = new String[TENANTS];
    List<TenantConfig> tenants = new ArrayList<>(TENANTS);
    for (int i = 0; i < TENANTS; i++) {
      keys[i] = "sk-bench-" + i;
      keyHashes[i] = ApiKeys.sha256Hex(keys[i]);
      tenants.add(new TenantConfig("tenant-" + i, "pro", List.of(keyHashes[i])));
    }
    TierConfig pro = new TierConfig("pro", PriorityClass.STANDARD, List.of(
        limit("rpm", LimitUnit.REQUESTS, "1000000/1s", "100000000/1m"),
        limit("tpm", LimitUnit.TOKENS, "1000000000/1m")));
    AdmissionConfig admission = new AdmissionConfig(IdentityConfig.DEFAULTS, true, "pro",
        List.of(limit("route-tpm", LimitUnit.TOKENS, "1000000000/1s")), TokenEstimationConfig.DEFAULTS,
        RejectionConfig.DEFAULTS);
    Map<String, TierConfig> tiers = Map.of("pro", pro);
    resolver = new TenantResolver(admission, tiers, tenants);
    RateLimitStats stats = new RateLimitStats();
    limiter = new RouteRateLimiter(admission, tiers, new LocalBucketStore(new LimiterCacheConfig(cacheSize,
        Duration.ofHours(1)), Ticker.system(), stats), stats);
    zipf = zipfIndexes(new Random(7), TENANTS, SAMPLES);
    headers = new HttpHeaders[HEADER_KEYS];
    for (int i = 0; i < HEADER_KEYS; i++) {
      headers[i] = new DefaultHttpHeaders().add(HttpHeaderNames.AUTHORIZATION, "Bearer " + keys[i]);
    }
    peer = InetAddress.getByName("203.0.113.9");
    if (!admit().admitted() || !resolveAndAdmit().admitted()) {
      throw new IllegalStateException("the benchmark's limits should admit");
    }
  }

  @Benchmark
  public RateDecision admit() {
    Tenant tenant = resolver.byKeyHash(keyHashes[zipf[index++ & MASK]]);
    RateDecision decision = limiter.acquire(tenant, 500);
    decision.reservation().settle(420);
    return decision;
  }

  @Benchmark
  public String sha256() {
    return ApiKeys.sha256Hex(keys[zipf[index++ & MASK]]);
  }

  @Benchmark
  public RateDecision resolveAndAdmit() {
    Tenant tenant = resolver.resolve(headers[zipf[index++ & MASK] & (HEADER_KEYS - 1)], peer);
    RateDecision decision = limiter.acquire(tenant, 500);
    decision.reservation().settle(420);
    return decision;
  }

  private static LimitConfig limit(String name, LimitUnit unit, String... bandwidths) {
    return new LimitConfig(name, unit, Arrays.stream(bandwidths).map(BandwidthConfig::parse).toList(), true);
  }

  /** Samples of a Zipf(1) distribution over {@code [0, n)}: rank 0 is the hottest. */
  static int[] zipfIndexes(Random random, int n, int samples) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1.0 / (i + 1);
      cdf[i] = sum;
    }
    int[] out = new int[samples];
    for (int s = 0; s < samples; s++) {
      int found = Arrays.binarySearch(cdf, random.nextDouble() * sum);
      out[s] = Math.min(n - 1, found >= 0 ? found : -found - 1);
    }
    return out;
  }
}
