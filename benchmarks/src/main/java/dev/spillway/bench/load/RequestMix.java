package dev.spillway.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded mix of requests: one or more kinds, each with a weight, a share of streams and prompt and answer
 * length distributions, sent by many tenants whose API keys ({@code sk-tenant-<rank>}) are drawn from a Zipf
 * distribution. Request {@code i} depends only on the seed and {@code i}, so every target of a comparison gets
 * the same requests in the same order.
 */
public final class RequestMix implements RequestSource {
  /**
   * One kind of request.
   *
   * @param name what the kind is, for reports
   * @param weight its share of requests, relative to the other kinds
   * @param streamFraction the fraction of its requests that stream (0..1)
   * @param prompt prompt lengths in tokens
   * @param answer answer lengths in tokens (sent as {@code max_tokens})
   */
  public record Kind(String name, double weight, double streamFraction, Lengths prompt, Lengths answer) {
    /** Validates the weight and fraction. */
    public Kind {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight: " + weight + " (expected: > 0 and finite)");
      }
      if (!(streamFraction >= 0 && streamFraction <= 1)) {
        throw new IllegalArgumentException("streamFraction: " + streamFraction + " (expected: 0..1)");
      }
    }
  }

  private final List<Kind> kinds;
  private final double[] cumulative;
  private final Zipf tenants;
  private final long seed;

  /** A mix of {@code kinds} sent by {@code tenants} (Zipf-distributed ranks), seeded with {@code seed}. */
  public RequestMix(List<Kind> kinds, Zipf tenants, long seed) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("kinds: [] (expected: at least one)");
    }
    this.kinds = List.copyOf(kinds);
    this.tenants = tenants;
    this.seed = seed;
    cumulative = new double[kinds.size()];
    double sum = 0;
    for (int k = 0; k < kinds.size(); k++) {
      sum += kinds.get(k).weight();
      cumulative[k] = sum;
    }
    for (int k = 0; k < kinds.size(); k++) {
      cumulative[k] /= sum;
    }
  }

  /** One kind only. */
  public static RequestMix of(Kind kind, Zipf tenants, long seed) {
    return new RequestMix(List.of(kind), tenants, seed);
  }

  public List<Kind> kinds() {
    return kinds;
  }

  /** The share of requests of kind {@code k}. */
  public double share(int k) {
    return cumulative[k] - (k == 0 ? 0 : cumulative[k - 1]);
  }

  /** The mean answer length over all kinds, in tokens. */
  public double meanAnswerTokens() {
    double mean = 0;
    for (int k = 0; k < kinds.size(); k++) {
      mean += share(k) * kinds.get(k).answer().mean();
    }
    return mean;
  }

  /** The same kinds with every weight, stream share and length kept, and another kind added. */
  public RequestMix with(Kind extra) {
    List<Kind> all = new ArrayList<>(kinds);
    all.add(extra);
    return new RequestMix(all, tenants, seed);
  }

  @Override
  public ChatRequest request(long index) {
    // A generator per request, split from the seed by index: the same request whatever order they are made in.
    SplittableRandom random = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
    double u = random.nextDouble();
    int k = 0;
    while (k < cumulative.length - 1 && u >= cumulative[k]) {
      k++;
    }
    Kind kind = kinds.get(k);
    boolean stream = random.nextDouble() < kind.streamFraction();
    int prompt = kind.prompt().sample(random);
    int answer = kind.answer().sample(random);
    String key = "sk-tenant-" + tenants.sample(random);
    return ChatRequest.of(stream, prompt, answer, key, k);
  }

  /** A sentence for reports. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < kinds.size(); k++) {
      Kind kind = kinds.get(k);
      if (k > 0) {
        sb.append("; ");
      }
      sb.append(String.format(java.util.Locale.ROOT, "%s %.0f %%: %.0f %% streamed, prompt %s tokens, answer %s tokens",
          kind.name(), share(k) * 100, kind.streamFraction() * 100, kind.prompt().describe(),
          kind.answer().describe()));
    }
    sb.append("; ").append(tenants.size()).append(" tenants (API keys), Zipf s = ").append(tenants.exponent());
    return sb.toString();
  }
}
