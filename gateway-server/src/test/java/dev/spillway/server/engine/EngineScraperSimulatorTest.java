package dev.spillway.server.engine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.time.Tickers;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.engine.EndpointSignal;
import dev.spillway.core.upstream.engine.EngineSample;
import dev.spillway.core.upstream.engine.EngineScraper;
import dev.spillway.core.upstream.engine.EngineSignals;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.engine.EngineOptions;
import dev.spillway.server.mock.engine.MetricsFlavor;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine-metrics scraper against the LLM simulator over loopback. */
class EngineScraperSimulatorTest {
  private final Transport transport = Transport.select(true);
  private final EventLoopGroup loops = transport.newGroup(1, "scraper-test");
  private final Ticker ticker = Tickers.of(loops.next());
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicInteger updates = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private MockBackend simulator(MetricsFlavor flavor) throws InterruptedException {
    // One running slot: every further stream waits in the engine's queue.
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults(), EngineOptions.defaults()
        .withMaxRunning(1).withMetrics(flavor));
    closeables.add(backend);
    return backend;
  }

  private EngineSignals scrape(int port, EngineSignalConfig config) {
    EngineSignals signals = new EngineSignals(List.of(new Endpoint(new EndpointAddress("127.0.0.1", port))),
        config, ticker);
    EngineScraper scraper = new EngineScraper(signals, loops, transport, updates::incrementAndGet);
    scraper.start();
    closeables.add(scraper);
    return signals;
  }

  /** Opens a stream of 50k tokens and leaves it running (the socket is closed by the test's end). */
  private void holdStream(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    closeables.add(socket);
    String body = "{\"messages\":[],\"stream\":true,\"max_tokens\":50000}";
    OutputStream out = socket.getOutputStream();
    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
        + body).getBytes(UTF_8));
    out.flush();
  }

  private static EngineSample await(EndpointSignal signal, Predicate<EngineSample> condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    EngineSample s;
    while ((s = signal.last()) == null || !condition.test(s)) {
      assertThat(System.nanoTime() - deadline).as("signal never matched; last %s, error %s", s,
          signal.lastError()).isNegative();
      Thread.onSpinWait();
    }
    return s;
  }

  /** Waits until a scrape fails with {@code error} (an early one may fail otherwise on a cold, busy JVM). */
  private static void awaitError(EndpointSignal signal, String error) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!error.equals(signal.lastError())) {
      assertThat(System.nanoTime() - deadline).as("last error %s", signal.lastError()).isNegative();
      Thread.onSpinWait();
    }
  }

  @ParameterizedTest
  @CsvSource({"VLLM,VLLM", "SGLANG,SGLANG", "TGI,TGI"})
  void readsRunningAndWaitingFromEachEnginesMetrics(MetricsFlavor flavor, EnginePreset preset) throws Exception {
    MockBackend sim = simulator(flavor);
    EngineSignals signals = scrape(sim.port(), EngineSignalConfig.of(preset));
    for (int i = 0; i < 4; i++) {
      holdStream(sim.port());
    }

    EngineSample s = await(signals.all().get(0), x -> x.waiting() == 3);

    assertThat(s.running()).isEqualTo(1);
    if (preset == EnginePreset.TGI) {
      assertThat(s.kvCacheUsage()).isNaN();
    } else {
      assertThat(s.kvCacheUsage()).isGreaterThan(0).isLessThan(1);
    }
    assertThat(signals.fresh(0, ticker.nanoTime())).isNotNull();
    assertThat(signals.waitingPerEngine(ticker.nanoTime())).isEqualTo(3);
    assertThat(updates.get()).isPositive();
  }

  @Test
  void aBackendWithoutMetricsFailsTheScrapeAndStaysStale() throws Exception {
    MockBackend fixed = MockBackend.start(MockBackendOptions.defaults());
    closeables.add(fixed);
    EngineSignals signals = scrape(fixed.port(), EngineSignalConfig.of(EnginePreset.VLLM));
    EndpointSignal signal = signals.all().get(0);

    awaitError(signal, "status 404");
    assertThat(signal.last()).isNull();
    assertThat(signals.waitingPerEngine(ticker.nanoTime())).isNaN();
  }

  @Test
  void theWrongPresetIsAFailedScrape() throws Exception {
    MockBackend sim = simulator(MetricsFlavor.SGLANG);
    EngineSignals signals = scrape(sim.port(), EngineSignalConfig.of(EnginePreset.VLLM));
    EndpointSignal signal = signals.all().get(0);

    awaitError(signal, "no vllm:num_requests_waiting in the answer");
  }

  @Test
  void anOversizedAnswerIsAFailedScrape() throws Exception {
    MockBackend sim = simulator(MetricsFlavor.VLLM);
    EngineSignalConfig small = EngineSignalConfig.of(EnginePreset.VLLM);
    small = new EngineSignalConfig(small.preset(), small.path(), small.runningMetric(), small.waitingMetric(),
        small.kvCacheMetric(), small.interval(), small.timeout(), small.staleAfter(), small.targetWaiting(), 512,
        small.combine());
    EngineSignals signals = scrape(sim.port(), small);
    EndpointSignal signal = signals.all().get(0);

    awaitError(signal, "answer over 512 bytes");
  }

  @Test
  void aSilentEndpointTimesOut() throws Exception {
    // A listener that accepts and never answers.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      EngineSignalConfig quick = EngineSignalConfig.of(EnginePreset.VLLM);
      quick = new EngineSignalConfig(quick.preset(), quick.path(), quick.runningMetric(), quick.waitingMetric(),
          quick.kvCacheMetric(), quick.interval(), Duration.ofMillis(200), quick.staleAfter(),
          quick.targetWaiting(), quick.maxResponseBytes(), quick.combine());
      EngineSignals signals = scrape(silent.getLocalPort(), quick);
      EndpointSignal signal = signals.all().get(0);

      awaitError(signal, "no complete answer within 200 ms");
    }
  }
}
