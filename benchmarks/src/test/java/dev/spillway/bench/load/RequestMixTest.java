package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RequestMixTest {
  private static final RequestMix.Kind CHAT = new RequestMix.Kind("chat", 0.8, 0.25, Lengths.fixed(100),
      Lengths.uniform(10, 20));
  private static final RequestMix.Kind LONG = new RequestMix.Kind("long", 0.2, 0, Lengths.fixed(8),
      Lengths.uniform(1500, 3000));

  @Test
  void requestIDependsOnlyOnTheSeedAndI() {
    RequestMix a = new RequestMix(List.of(CHAT, LONG), new Zipf(100, 1.1), 5);
    RequestMix b = new RequestMix(List.of(CHAT, LONG), new Zipf(100, 1.1), 5);
    for (long i : new long[] {0, 1, 17, 99_999}) {
      ChatRequest x = a.request(i);
      ChatRequest y = b.request(i);
      assertThat(x.isStream()).isEqualTo(y.isStream());
      assertThat(x.maxTokens()).isEqualTo(y.maxTokens());
      assertThat(x.promptTokens()).isEqualTo(y.promptTokens());
      assertThat(x.apiKey()).isEqualTo(y.apiKey());
    }
  }

  @Test
  void kindsStreamsAndLengthsFollowTheMix() {
    RequestMix mix = new RequestMix(List.of(CHAT, LONG), new Zipf(100, 1.1), 9);
    int n = 20_000;
    int longs = 0;
    int chatStreams = 0;
    int chats = 0;
    for (int i = 0; i < n; i++) {
      ChatRequest r = mix.request(i);
      if (r.kind() == 1) {
        longs++;
        assertThat(r.isStream()).isFalse();
        assertThat(r.maxTokens()).isBetween(1500, 3000);
      } else {
        chats++;
        chatStreams += r.isStream() ? 1 : 0;
        assertThat(r.maxTokens()).isBetween(10, 20);
        assertThat(r.promptTokens()).isEqualTo(100);
      }
    }
    assertThat(longs / (double) n).isCloseTo(0.2, within(0.01));
    assertThat(chatStreams / (double) chats).isCloseTo(0.25, within(0.015));
    assertThat(mix.meanAnswerTokens()).isCloseTo(0.8 * 15 + 0.2 * 2250, within(0.01));
  }

  @Test
  void theRequestCarriesItsPromptLengthTokensKeyAndStreamOptions() {
    ChatRequest r = ChatRequest.of(true, 25, 42, "sk-tenant-3", 0);
    FullHttpRequest http = r.newRequest(new Target("t", 8080));
    try {
      String body = http.content().toString(StandardCharsets.UTF_8);
      assertThat(body).contains("\"max_tokens\":42").contains("\"stream\":true")
          .contains("\"stream_options\":{\"include_usage\":true}");
      String content = body.substring(body.indexOf("\"content\":\"") + 11, body.lastIndexOf("\"}]}"));
      assertThat(content).hasSize(100);
      assertThat(http.headers().get(HttpHeaderNames.AUTHORIZATION)).isEqualTo("Bearer sk-tenant-3");
    } finally {
      http.release();
    }
  }

  @Test
  void zipfFavoursLowRanksAsItsExponentSays() {
    Zipf zipf = new Zipf(1000, 1.1);
    SplittableRandom random = new SplittableRandom(3);
    int n = 200_000;
    int[] counts = new int[1001];
    for (int i = 0; i < n; i++) {
      counts[zipf.sample(random)]++;
    }
    assertThat(counts[1] / (double) n).isCloseTo(zipf.probability(1), within(0.005));
    assertThat(counts[10] / (double) n).isCloseTo(zipf.probability(10), within(0.002));
    // p(1) / p(2) = 2^1.1
    assertThat(zipf.probability(1) / zipf.probability(2)).isCloseTo(Math.pow(2, 1.1), within(1e-9));
  }

  @Test
  void azureShapedLengthsHaveTheirMediansAndStayInRange() {
    SplittableRandom random = new SplittableRandom(4);
    Lengths prompt = Lengths.azurePrompt();
    Lengths answer = Lengths.azureAnswer();
    int[] prompts = new int[20_001];
    int[] answers = new int[20_001];
    for (int i = 0; i < prompts.length; i++) {
      prompts[i] = prompt.sample(random);
      answers[i] = answer.sample(random);
    }
    java.util.Arrays.sort(prompts);
    java.util.Arrays.sort(answers);
    assertThat(prompts[10_000]).isBetween(960, 1080);
    assertThat(answers[10_000]).isBetween(120, 138);
    assertThat(prompts[0]).isGreaterThanOrEqualTo(16);
    assertThat(prompts[20_000]).isLessThanOrEqualTo(8192);
    assertThat(answers[20_000]).isLessThanOrEqualTo(2048);
    assertThat(answer.mean()).isBetween(180.0, 230.0);
  }
}
