package dev.spillway.server.mock.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LengthSamplerTest {
  private static final LengthSampler.Asked NOTHING = new LengthSampler.Asked(-1, -1);

  @Test
  void requestModeTakesPromptAndMaxTokensFromTheRequest() {
    LengthSampler s = new LengthSampler(EngineOptions.defaults());

    assertThat(s.resolve(new LengthSampler.Asked(100, 7))).isEqualTo(new LengthSampler.Lengths(100, 7, true));
  }

  @Test
  void traceModeDrawsTheSameLengthsForTheSameSeed() {
    EngineOptions trace = EngineOptions.defaults().withLengths(LengthMode.TRACE).withSeed(42);
    LengthSampler a = new LengthSampler(trace);
    LengthSampler b = new LengthSampler(trace);

    for (int i = 0; i < 100; i++) {
      assertThat(a.resolve(NOTHING)).isEqualTo(b.resolve(NOTHING));
    }
  }

  @Test
  void traceDrawsHaveTheDocumentedMediansAndCaps() {
    LengthSampler s = new LengthSampler(EngineOptions.defaults().withLengths(LengthMode.TRACE));
    int n = 20_001;
    int[] prompts = new int[n];
    int[] answers = new int[n];
    for (int i = 0; i < n; i++) {
      LengthSampler.Lengths l = s.resolve(NOTHING);
      prompts[i] = l.promptTokens();
      answers[i] = l.answerTokens();
    }
    java.util.Arrays.sort(prompts);
    java.util.Arrays.sort(answers);

    assertThat(prompts[n / 2]).isBetween(980, 1060);
    assertThat(answers[n / 2]).isBetween(122, 136);
    assertThat(prompts[n - 1]).isLessThanOrEqualTo(8192);
    assertThat(answers[n - 1]).isLessThanOrEqualTo(2048);
  }

  @Test
  void maxTokensCapsADrawnAnswer() {
    LengthSampler s = new LengthSampler(EngineOptions.defaults().withLengths(LengthMode.TRACE));

    for (int i = 0; i < 100; i++) {
      assertThat(s.resolve(new LengthSampler.Asked(-1, 5)).answerTokens()).isLessThanOrEqualTo(5);
    }
  }

  @Test
  void reasoningAnswersLast30To120SecondsUnloaded() {
    LengthSampler s = new LengthSampler(EngineOptions.defaults().withReasoningFraction(1));

    for (int i = 0; i < 100; i++) {
      // 10.1 ms a token unloaded
      assertThat(s.resolve(NOTHING).answerTokens()).isBetween(2970, 11882);
    }
  }

  @Test
  void capacityOfTheDefaultsMatchesTheDocs() {
    EngineCapacity c = EngineCapacity.estimate(EngineOptions.defaults());

    assertThat(c.requestsPerSecond()).isBetween(4.6, 4.9);
    assertThat(c.batch()).isBetween(44.0, 48.0);
    assertThat(c.kvBound()).isTrue();
    assertThat(c.unloadedItlSeconds()).isEqualTo(0.0101);
  }

  @Test
  void capacityOfAFixedMixFollowsTheFormula() {
    // 100 + 100 / 2 = 150 KV tokens a sequence; 256 slots bind before 65536 / 150.
    EngineCapacity c = EngineCapacity.estimate(EngineOptions.defaults(), 100, 100, 100 * 100);

    assertThat(c.batch()).isEqualTo(256);
    double x = 256 / (0.010 + 0.0001 * 256);
    assertThat(c.requestsPerSecond()).isCloseTo(x / (100 + x * 100 / 8000), org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void optionsAreValidatedWithTheHouseMessage() {
    assertThatThrownBy(() -> EngineOptions.defaults().withKvCacheTokens(0))
        .hasMessage("kvCacheTokens: 0 (expected: > 0)");
    assertThatThrownBy(() -> EngineOptions.defaults().withMaxBatchedTokens(10))
        .hasMessage("maxBatchedTokens: 10 (expected: >= maxRunning 256)");
    assertThatThrownBy(() -> EngineOptions.defaults().withPrefillTokensPerSecond(0))
        .hasMessage("prefillTokensPerSecond: 0.0 (expected: > 0 and finite)");
  }
}
