package dev.spillway.bench;

import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.llm.ChatRequestInfo;
import dev.spillway.core.llm.ChatRequestScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Token admission's per-request parsing: {@link ChatRequestScanner} over a realistic ~2 KiB chat request (a
 * system prompt, a short conversation, one tool with a JSON schema, streaming with usage), then
 * {@link ChatRequestScanner#estimateTokens}. The body sits in a direct buffer built once in {@code @Setup}.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc TokenEstimationBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenEstimationBenchmark {
  private static final TokenEstimationConfig CONFIG = TokenEstimationConfig.DEFAULTS;

  private ByteBuf body;
  private long contentLength;

  @Setup
  public void setUp() {
    byte[] bytes = requestBody().getBytes(StandardCharsets.UTF_8);
    body = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    contentLength = bytes.length;
    ChatRequestScanner scanner = new ChatRequestScanner(CONFIG.maxPrefixBytes());
    scanner.feed(body);
    ChatRequestInfo info = scanner.info();
    if (!info.complete() || info.maxTokens() != 800 || !info.stream() || info.promptChars() < 1000) {
      throw new IllegalStateException("unexpected scan of a " + bytes.length + " byte body: " + info);
    }
  }

  @TearDown
  public void tearDown() {
    body.release();
  }

  @Benchmark
  public long scanAndEstimate() {
    ChatRequestScanner scanner = new ChatRequestScanner(CONFIG.maxPrefixBytes());
    scanner.feed(body);
    return ChatRequestScanner.estimateTokens(scanner.info(), contentLength, CONFIG.charsPerToken(),
        CONFIG.defaultMaxTokens());
  }

  static String requestBody() {
    return """
        {"model":"gpt-4o-2024-08-06","messages":[\
        {"role":"system","content":"You are Spillway Support, a concise assistant for an API gateway product. \
        Answer questions about configuration, rate limits and streaming. When unsure, say so and suggest \
        checking the documentation. Never invent configuration keys. Prefer YAML examples. Keep answers under \
        200 words unless the user asks for more detail. Use the lookup_docs tool when a question names a \
        specific configuration section."},\
        {"role":"user","content":"Our clients get 429s with a Retry-After of 60 seconds even though the \
        dashboard shows we are far below our tokens-per-minute limit. We stream every response and we do not \
        set max_tokens. What could explain this, and how should we configure the gateway?"},\
        {"role":"assistant","content":"Without max_tokens, the gateway reserves the default completion budget \
        for every request at admission, so concurrent streams can exhaust the bucket before any usage is \
        settled. Setting max_tokens close to what you need lets reservations match real usage.","tool_calls":\
        [{"id":"call_9f2","type":"function","function":{"name":"lookup_docs","arguments":\
        "{\\"section\\":\\"token-estimation\\",\\"detail\\":\\"default-max-tokens\\"}"}}]},\
        {"role":"tool","tool_call_id":"call_9f2","content":"defaultMaxTokens: the completion budget assumed \
        when a request sets no max_tokens (default 1024). requestUsage: add stream_options.include_usage so \
        streamed reservations settle exactly."},\
        {"role":"user","content":"Thanks. Can you show a YAML snippet that lowers the default to 512 tokens \
        and keeps usage reporting on for streams? Also, does the \\"\\u00e9tat\\" of a stream matter?"}],\
        "tools":[{"type":"function","function":{"name":"lookup_docs","description":"Look up a section of the \
        Spillway documentation.","parameters":{"type":"object","properties":{"section":{"type":"string",\
        "enum":["token-estimation","rate-limits","streaming","tenants"]},"detail":{"type":"string"},\
        "max_tokens":{"type":"integer"}},"required":["section"],"additionalProperties":false},"strict":true}}],\
        "tool_choice":"auto","temperature":0.3,"top_p":1,"presence_penalty":0,"frequency_penalty":0,\
        "user":"tenant-42/user-7","stream":true,"stream_options":{"include_usage":true},\
        "max_completion_tokens":800}""";
  }
}
