package dev.spillway.bench;

import dev.spillway.bench.state.EmbeddedProxy;
import dev.spillway.bench.state.HeaderSet;
import dev.spillway.bench.state.OpenAiTraffic;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole proxied request per invocation, through the real pipelines on {@code EmbeddedChannel}s
 * ({@link EmbeddedProxy}): the client's raw {@code POST /v1/chat/completions} (1 KiB JSON body) is decoded,
 * routed, rewritten and encoded to the backend; the backend's raw response is decoded, rewritten and encoded
 * back to the client. The backend connection is kept alive and reused, as in steady state.
 *
 * <p>Not measured: sockets, syscalls and cross-thread hand-offs; everything runs on the benchmark thread.
 * Inputs are direct buffers built once and fed as {@code retainedDuplicate()}s; outputs are released.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc ProxyPathBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ProxyPathBenchmark {
  /** SSE events a streaming response carries before {@code [DONE]}. */
  private static final int SSE_EVENTS = 20;

  /** The backend's answer. */
  public enum Response {
    /** {@code stream: false}: one read carrying a Content-Length framed ~500-byte JSON response. */
    JSON,
    /** {@code stream: true}: a chunked event stream of 20 token events, each arriving in its own read. */
    SSE
  }

  @Param
  public Response response;

  private EmbeddedProxy proxy;
  private ByteBuf request;
  private ByteBuf[] responseReads;
  /** Bytes one good exchange moves; every invocation must move exactly as many. */
  private long expectedBytes;

  @Setup
  public void setUp() throws Exception {
    boolean stream = response == Response.SSE;
    proxy = new EmbeddedProxy();
    request = direct(OpenAiTraffic.request(HeaderSet.SDK, stream));
    List<String> reads = stream ? OpenAiTraffic.sseResponse(SSE_EVENTS) : List.of(OpenAiTraffic.jsonResponse());
    responseReads = reads.stream().map(ProxyPathBenchmark::direct).toArray(ByteBuf[]::new);
    checkOneExchange(stream);
    expectedBytes = exchange();
    proxy.checkIdle();
  }

  /** Runs one exchange and fails the trial unless it was really proxied, so errors cannot be benchmarked. */
  private void checkOneExchange(boolean stream) {
    proxy.clientSends(request.retainedDuplicate());
    String upstream = proxy.drainBackendText();
    expect(upstream.startsWith("POST " + OpenAiTraffic.PATH + " HTTP/1.1\r\n")
        && upstream.endsWith(OpenAiTraffic.chatBody(stream)), "forwarded request", upstream);
    for (ByteBuf read : responseReads) {
      proxy.backendSends(read.retainedDuplicate());
    }
    String downstream = proxy.drainClientText();
    expect(downstream.startsWith("HTTP/1.1 200"), "response", downstream);
    expect(!stream || downstream.contains(OpenAiTraffic.SSE_DONE), "event stream", downstream);
    proxy.checkIdle();
  }

  @Benchmark
  public long exchange() {
    proxy.clientSends(request.retainedDuplicate());
    long bytes = proxy.drainBackend();
    for (ByteBuf read : responseReads) {
      proxy.backendSends(read.retainedDuplicate());
    }
    bytes += proxy.drainClient();
    // A predictable branch, nearly free: proves every invocation was a whole, successful exchange.
    if (expectedBytes != 0 && bytes != expectedBytes) {
      throw new IllegalStateException("exchange moved " + bytes + " bytes (expected: " + expectedBytes + ")");
    }
    return bytes;
  }

  @TearDown(Level.Iteration)
  public void checkIntact() {
    proxy.checkIdle();
    // Each duplicate fed in must have been released by the pipeline, leaving only our own reference.
    checkOnlyOurReference(request);
    for (ByteBuf read : responseReads) {
      checkOnlyOurReference(read);
    }
  }

  @TearDown
  public void tearDown() {
    proxy.close();
    request.release();
    for (ByteBuf read : responseReads) {
      read.release();
    }
  }

  private static ByteBuf direct(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
  }

  private static void checkOnlyOurReference(ByteBuf buf) {
    if (buf.refCnt() != 1) {
      throw new IllegalStateException("input buffer refCnt: " + buf.refCnt() + " (expected: 1)");
    }
  }

  private static void expect(boolean ok, String what, String actual) {
    if (!ok) {
      throw new IllegalStateException("the harness does not proxy: unexpected " + what + ":\n" + actual);
    }
  }
}
