package dev.spillway.bench;

import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.Tokenizer;
import dev.spillway.core.llm.ChatRequestScanner;
import dev.spillway.core.llm.LlmApi;
import dev.spillway.core.llm.TokenEstimate;
import dev.spillway.core.llm.TokenEstimator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a prompt estimate costs per request on the event loop: scanning a chat request body of {@code kib} KiB
 * (prose in a system prompt and a conversation, with some code and non-ASCII text) and estimating its tokens
 * with each {@code estimator}:
 * <ul>
 *   <li>{@code chars}: characters / 4 (the rule for unknown models);
 *   <li>{@code bpe}: the model's o200k_base encoding as the gateway runs it, tokenizing at most
 *       {@link TokenEstimator#MAX_TOKENIZED_BYTES} of prompt text and extrapolating the rest;
 *   <li>{@code bpe-unbounded}: the same encoding over the whole prompt text (what the bound saves).
 * </ul>
 * The whole body is scanned (a 256 KiB prefix), so the three differ only in how the prompt is counted.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar PromptTokenizerBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class PromptTokenizerBenchmark {
  private static final String[] WORDS = ("the a gateway reserves tokens before forwarding each request and settles "
      + "them from usage when the answer ends; streaming responses hold the first event until content arrives, "
      + "so clients see errors as statuses rather than broken streams. configuration keys: maxPrefix "
      + "charsPerToken defaultMaxTokens requestUsage tokenizer. Über naïve café résumé 東京 2024-08-06 42 "
      + "100ms 3.14 `int x = y + 1;` {\"k\": [1, 2]} retry-after: 7").split(" ");

  @Param({"1", "16", "128"})
  public int kib;

  @Param({"chars", "bpe", "bpe-unbounded"})
  public String estimator;

  private ByteBuf body;
  private long contentLength;
  private TokenEstimator tokens;

  @Setup
  public void setUp() {
    byte[] bytes = requestBody(kib * 1024).getBytes(StandardCharsets.UTF_8);
    body = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    contentLength = bytes.length;
    TokenEstimationConfig config = new TokenEstimationConfig(256 * 1024, 4, 1024, true,
        estimator.equals("chars") ? Tokenizer.CHARS : Tokenizer.AUTO);
    tokens = estimator.equals("bpe-unbounded") ? new TokenEstimator(config, 1 << 20, true) : new TokenEstimator(config);
    TokenEstimate e = estimate();
    if (e.promptTokens() < kib * 100L || (e.encoding() == null) != estimator.equals("chars")) {
      throw new IllegalStateException("unexpected estimate of a " + bytes.length + " byte body: " + e);
    }
  }

  @TearDown
  public void tearDown() {
    body.release();
  }

  @Benchmark
  public TokenEstimate estimate() {
    ChatRequestScanner scanner = tokens.newScanner();
    scanner.feed(body);
    return tokens.estimate(scanner, contentLength, LlmApi.CHAT);
  }

  /** A chat request of about {@code bytes} bytes: a system prompt and user/assistant turns of pseudo-prose. */
  static String requestBody(int bytes) {
    Random random = new Random(42);
    StringBuilder sb = new StringBuilder("{\"model\":\"gpt-4o\",\"max_tokens\":256,\"stream\":true,\"messages\":[");
    int turn = 0;
    while (sb.length() < bytes - 64) {
      sb.append(turn == 0 ? "" : ",").append("{\"role\":\"")
          .append(turn == 0 ? "system" : turn % 2 == 1 ? "user" : "assistant").append("\",\"content\":\"");
      int end = Math.min(bytes - 64, sb.length() + 200 + random.nextInt(1800));
      while (sb.length() < end) {
        String word = WORDS[random.nextInt(WORDS.length)].replace("\\", "\\\\").replace("\"", "\\\"");
        sb.append(word).append(random.nextInt(12) == 0 ? ".\\n" : " ");
      }
      sb.append("\"}");
      turn++;
    }
    return sb.append("]}").toString();
  }
}
