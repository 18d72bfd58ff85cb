package dev.spillway.bench;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.ratelimit.RateLimitStatus;
import dev.spillway.core.admission.reject.RejectionResponses;
import dev.spillway.core.config.LimitUnit;
import dev.spillway.core.config.RejectionConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Rendering the "at capacity" answer as a shed request gets it: {@link RejectionResponses#build} (pre-encoded
 * bodies, rate-limit headers, jittered {@code Retry-After}) and its encoding to bytes by Netty's
 * {@link HttpResponseEncoder}, as the client connection's pipeline would do. The encoded bytes are released.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc RejectionBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RejectionBenchmark {

  /** Which answer: capacity shedding, a rate limit with its headers, or the browser page. */
  public enum Kind { OVERLOADED_503, RATE_LIMITED_429, BROWSER_PAGE }

  @Param
  public Kind kind;

  private RejectionResponses responses;
  private RateLimitStatus status;
  private EmbeddedChannel encoder;

  @Setup
  public void setUp() {
    responses = new RejectionResponses(RejectionConfig.DEFAULTS);
    status = new RateLimitStatus(new RateLimitStatus.UnitStatus(60, 0, 1_500_000_000L),
        new RateLimitStatus.UnitStatus(40_000, 1_200, 45_000_000_000L),
        List.of(new RateLimitStatus.Policy("rpm", LimitUnit.REQUESTS, 60, 60, 0, 1_500_000_000L),
            new RateLimitStatus.Policy("tpm", LimitUnit.TOKENS, 40_000, 60, 1_200, 45_000_000_000L)));
    encoder = new EmbeddedChannel(new HttpResponseEncoder());
    int bytes = render();
    if (bytes < 100) {
      throw new IllegalStateException("the answer encoded to only " + bytes + " bytes");
    }
  }

  @TearDown
  public void tearDown() {
    encoder.finishAndReleaseAll();
  }

  @Benchmark
  public int render() {
    FullHttpResponse response;
    switch (kind) {
      case RATE_LIMITED_429:
        response = responses.build(ShedReason.RATE_LIMITED_REQUESTS, status, 1_500_000_000L, false, false,
            HttpVersion.HTTP_1_1, "req-123", false);
        break;
      case BROWSER_PAGE:
        response = responses.build(ShedReason.QUEUE_FULL, RateLimitStatus.NONE, 2_000_000_000L, false, true,
            HttpVersion.HTTP_1_1, "req-123", false);
        break;
      default:
        response = responses.build(ShedReason.QUEUE_FULL, RateLimitStatus.NONE, 2_000_000_000L, false, false,
            HttpVersion.HTTP_1_1, "req-123", false);
        break;
    }
    encoder.writeOutbound(response);
    int total = 0;
    ByteBuf out;
    while ((out = encoder.readOutbound()) != null) {
      total += out.readableBytes();
      out.release();
    }
    return total;
  }
}
