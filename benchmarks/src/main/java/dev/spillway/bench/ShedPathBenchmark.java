package dev.spillway.bench;

import dev.spillway.bench.state.EmbeddedProxy;
import dev.spillway.bench.state.HeaderSet;
import dev.spillway.bench.state.OpenAiTraffic;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.WaitingRoomConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
 * One shed request per invocation, through the gateway's real client pipeline ({@link EmbeddedProxy}): the
 * backend's concurrency limit of 1 is held by a request that is never answered and its waiting room takes
 * nobody, so every {@code POST /v1/chat/completions} (SDK headers, small JSON body, one read) is decoded,
 * routed, turned away by admission ({@code queue_full}) and answered with the encoded 503 on a connection that
 * stays open. This is the whole per-shed cost on the event loop except the socket syscalls; compare with
 * {@link RejectionBenchmark} (building and encoding the answer alone) and {@link ProxyPathBenchmark}.
 *
 * <p>Run with:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar -prof gc ShedPathBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ShedPathBenchmark {
  private EmbeddedProxy proxy;
  private EmbeddedChannel client;
  private ByteBuf request;

  @Setup
  public void setUp() throws Exception {
    WaitingRoomConfig noRoom = new WaitingRoomConfig(0, Duration.ofSeconds(1), WaitingRoomConfig.defaultShares(),
        WaitingRoomConfig.DEFAULT_CODEL_TARGET, WaitingRoomConfig.DEFAULT_CODEL_INTERVAL);
    proxy = new EmbeddedProxy(BackendConfig.of("chat", List.of(new EndpointAddress("10.0.0.12", 8000)))
        .withConcurrency(ConcurrencyConfig.fixed(1), noRoom));
    byte[] bytes = OpenAiTraffic.request(HeaderSet.SDK, false).getBytes(StandardCharsets.US_ASCII);
    request = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    proxy.clientSends(request.retainedDuplicate());
    String held = proxy.drainBackendText();
    expect(held.startsWith("POST " + OpenAiTraffic.PATH), "the request holding the only slot", held);
    client = proxy.newClient();
    client.writeInbound(request.retainedDuplicate());
    String answer = drainText(client);
    expect(answer.startsWith("HTTP/1.1 503 ") && answer.contains("x-spillway-shed-reason: queue_full")
        && !answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), "shed answer", answer);
    expect(client.isActive(), "the shed client's connection to stay open", answer);
  }

  @Benchmark
  public long shed() {
    client.writeInbound(request.retainedDuplicate());
    long bytes = 0;
    Object msg;
    while ((msg = client.readOutbound()) != null) {
      bytes += ((ByteBuf) msg).readableBytes();
      ReferenceCountUtil.release(msg);
    }
    // A predictable branch, nearly free: proves every invocation was answered (and not parked or dropped).
    if (bytes < 100) {
      throw new IllegalStateException("the shed request got " + bytes + " bytes back");
    }
    return bytes;
  }

  @TearDown
  public void tearDown() {
    proxy.close();
    if (request.refCnt() != 1) {
      throw new IllegalStateException("input buffer refCnt: " + request.refCnt() + " (expected: 1)");
    }
    request.release();
  }

  private static String drainText(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    Object msg;
    while ((msg = ch.readOutbound()) != null) {
      sb.append(((ByteBuf) msg).toString(StandardCharsets.US_ASCII));
      ReferenceCountUtil.release(msg);
    }
    return sb.toString();
  }

  private static void expect(boolean ok, String what, String actual) {
    if (!ok) {
      throw new IllegalStateException("the harness does not shed: unexpected " + what + ":\n" + actual);
    }
  }
}
