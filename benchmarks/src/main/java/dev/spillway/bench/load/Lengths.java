package dev.spillway.bench.load;

import java.util.SplittableRandom;

/**
 * A distribution of token counts (a prompt's or an answer's length): fixed, uniform, or log-normal clipped to
 * a range. The log-normal presets are shaped like Azure's public LLM inference traces (2023 conversation
 * trace: prompts around a median of 1,020 tokens, answers around a median of 129, both right-skewed with
 * long tails); they are fits by median and spread, not a replay of the trace.
 */
public interface Lengths {
  /** Draws one length, at least 1. */
  int sample(SplittableRandom random);

  /** The distribution's mean, for sizing a run (estimated by sampling when there is no closed form). */
  double mean();

  /** A short description for reports. */
  String describe();

  /** Always {@code tokens}. */
  static Lengths fixed(int tokens) {
    if (tokens < 1) {
      throw new IllegalArgumentException("tokens: " + tokens + " (expected: >= 1)");
    }
    return new Lengths() {
      @Override
      public int sample(SplittableRandom random) {
        return tokens;
      }

      @Override
      public double mean() {
        return tokens;
      }

      @Override
      public String describe() {
        return Integer.toString(tokens);
      }
    };
  }

  /** Uniform over {@code min..max} inclusive. */
  static Lengths uniform(int min, int max) {
    if (min < 1 || max < min) {
      throw new IllegalArgumentException("range: " + min + ".." + max + " (expected: 1 <= min <= max)");
    }
    return new Lengths() {
      @Override
      public int sample(SplittableRandom random) {
        return min + random.nextInt(max - min + 1);
      }

      @Override
      public double mean() {
        return (min + max) / 2.0;
      }

      @Override
      public String describe() {
        return "uniform " + min + "–" + max;
      }
    };
  }

  /** Log-normal with this median and log-space standard deviation, clipped to {@code min..max}. */
  static Lengths logNormal(double median, double sigma, int min, int max) {
    if (!(median >= 1) || !(sigma > 0) || min < 1 || max < min) {
      throw new IllegalArgumentException("logNormal(" + median + ", " + sigma + ", " + min + ", " + max
          + ") (expected: median >= 1, sigma > 0, 1 <= min <= max)");
    }
    double mu = Math.log(median);
    return new Lengths() {
      /** Estimated on first use: clipping leaves no closed form. */
      private double mean = Double.NaN;

      @Override
      public int sample(SplittableRandom random) {
        return clip(Math.exp(mu + sigma * random.nextGaussian()), min, max);
      }

      @Override
      public double mean() {
        if (Double.isNaN(mean)) {
          mean = sampledMean(this::sample);
        }
        return mean;
      }

      @Override
      public String describe() {
        return "log-normal, median " + Math.round(median) + ", σ " + sigma + ", " + min + "–" + max;
      }
    };
  }

  /** Prompt lengths shaped like Azure's 2023 conversation trace: median 1,020 tokens, 16–8,192. */
  static Lengths azurePrompt() {
    return logNormal(1020, 0.9, 16, 8192);
  }

  /** Answer lengths shaped like Azure's 2023 conversation trace: median 129 tokens, 1–2,048. */
  static Lengths azureAnswer() {
    return logNormal(129, 1.0, 1, 2048);
  }

  private static int clip(double v, int min, int max) {
    return (int) Math.max(min, Math.min(max, Math.round(v)));
  }

  private static double sampledMean(java.util.function.ToIntFunction<SplittableRandom> draw) {
    SplittableRandom random = new SplittableRandom(1);
    long sum = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      sum += draw.applyAsInt(random);
    }
    return sum / (double) n;
  }
}
