package dev.spillway.core.upstream.engine;

import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes the engine metrics of one backend's endpoints into its {@link EngineSignals}, off the request path:
 * each endpoint is scraped every {@code interval} on one event loop of the given group, one scrape at a time
 * (the next starts an interval after the previous one started, or at once if it took longer). After every
 * scrape, successful or not, {@code onUpdate} runs on that loop, so the backend can apply the new signal (its
 * concurrency limit may move).
 *
 * <p>A scrape fails on a connect error, a timeout, a non-2xx status, an answer over {@code maxResponseBytes}
 * or an answer without the waiting-queue metric; the endpoint's last sample then ages out after
 * {@code staleAfter}, and without fresh samples the backend falls back to latency-only admission and its
 * usual balancing. Requests never wait for a scrape.
 */
public final class EngineScraper implements AutoCloseable {
  private final EngineSignals signals;
  private final Runnable onUpdate;
  private final List<Target> targets = new ArrayList<>();
  private volatile boolean closed;

  public EngineScraper(EngineSignals signals, EventLoopGroup loops, Transport transport, Runnable onUpdate) {
    this.signals = signals;
    this.onUpdate = onUpdate;
    for (EndpointSignal signal : signals.all()) {
      EventLoop loop = loops.next();
      Bootstrap bootstrap = new Bootstrap().group(loop).channel(transport.socketChannelClass());
      targets.add(new Target(signal, loop, bootstrap));
    }
  }

  /** Starts scraping; the first scrapes are spread over a tenth of an interval. */
  public void start() {
    long intervalNanos = signals.config().interval().toNanos();
    for (Target t : targets) {
      t.loop.execute(() -> t.schedule(ThreadLocalRandom.current().nextLong(intervalNanos / 10 + 1)));
    }
  }

  /** Stops scraping; a scrape in progress finishes but records nothing. */
  @Override
  public void close() {
    closed = true;
    for (Target t : targets) {
      t.loop.execute(t::cancel);
    }
  }

  /** Reads one answer's metrics: the waiting queue is required, the rest may be absent. */
  static PrometheusTextParser parser(EngineSignalConfig config) {
    return new PrometheusTextParser(
        new String[] {config.runningMetric(), config.waitingMetric(), config.kvCacheMetric()},
        new PrometheusTextParser.Fold[] {
            PrometheusTextParser.Fold.SUM, PrometheusTextParser.Fold.SUM, PrometheusTextParser.Fold.MAX});
  }

  /** The sample a successful answer yields, or {@code null} if it lacks the waiting-queue metric. */
  static EngineSample sample(PrometheusTextParser parser, long atNanos) {
    double waiting = parser.value(1);
    if (Double.isNaN(waiting)) {
      return null;
    }
    return new EngineSample(parser.value(0), waiting, parser.value(2), atNanos);
  }

  /** One endpoint's scrape loop; everything in it runs on {@link #loop}. */
  private final class Target {
    final EndpointSignal signal;
    final EventLoop loop;
    final Bootstrap bootstrap;
    ScheduledFuture<?> next;
    long startedNanos;

    Target(EndpointSignal signal, EventLoop loop, Bootstrap bootstrap) {
      this.signal = signal;
      this.loop = loop;
      this.bootstrap = bootstrap;
    }

    void schedule(long delayNanos) {
      if (!closed) {
        next = loop.schedule(this::scrape, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
      }
    }

    void cancel() {
      if (next != null) {
        next.cancel(false);
      }
    }

    void scrape() {
      if (closed) {
        return;
      }
      EngineSignalConfig config = signals.config();
      startedNanos = signals.ticker().nanoTime();
      EngineScrape.run(bootstrap, signal.endpoint().address(), config.path(), config.timeout(),
          config.maxResponseBytes(), parser(config), this::record);
    }

    void record(PrometheusTextParser parser, String error) {
      if (closed) {
        return;
      }
      long now = signals.ticker().nanoTime();
      if (error != null) {
        signal.fail(error);
      } else {
        EngineSample sample = sample(parser, now);
        if (sample == null) {
          signal.fail("no " + signals.config().waitingMetric() + " in the answer");
        } else {
          signal.record(sample);
        }
      }
      onUpdate.run();
      schedule(signals.config().interval().toNanos() - (now - startedNanos));
    }
  }
}
