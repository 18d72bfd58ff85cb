package dev.spillway.bench.scenario;

import dev.spillway.bench.load.RequestMix;
import dev.spillway.server.mock.engine.EngineCapacity;
import dev.spillway.server.mock.engine.EngineOptions;
import java.util.SplittableRandom;

/**
 * The LLM simulator's own capacity model (its documented step-time model, {@link EngineCapacity}) applied to
 * a request mix, with its default options: where the calibration starts looking.
 */
final class SimulatorModel {
  private SimulatorModel() {}

  /** The capacity of {@code mix} on a simulator with default options. */
  static EngineCapacity capacity(RequestMix mix) {
    SplittableRandom random = new SplittableRandom(1);
    int n = 100_000;
    double prompt = 0;
    double answer = 0;
    double answerSquared = 0;
    for (int i = 0; i < n; i++) {
      double u = random.nextDouble();
      int k = 0;
      double cumulative = mix.share(0);
      while (k < mix.kinds().size() - 1 && u >= cumulative) {
        k++;
        cumulative += mix.share(k);
      }
      RequestMix.Kind kind = mix.kinds().get(k);
      prompt += kind.prompt().sample(random);
      double a = kind.answer().sample(random);
      answer += a;
      answerSquared += a * a;
    }
    return EngineCapacity.estimate(EngineOptions.defaults(), prompt / n, answer / n, answerSquared / n);
  }

  /** The median prompt length of {@code kind}, from 10,001 seeded draws. */
  static int medianPrompt(RequestMix.Kind kind) {
    SplittableRandom random = new SplittableRandom(1);
    int[] draws = new int[10_001];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = kind.prompt().sample(random);
    }
    java.util.Arrays.sort(draws);
    return draws[draws.length / 2];
  }
}
