package dev.spillway.server.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.observe.RequestResult;
import dev.spillway.core.time.Ticker;
import dev.spillway.server.config.AccessLogConfig;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one JSON line per request to the {@code spillway.access} logger (logback.xml sends it through an
 * async appender). Admitted requests are sampled at {@code sampleRate}; shed requests are all counted but
 * logged at most {@code maxShedPerSecond} a second, so an overload does not turn into a log flood. Tenants
 * appear as their display name or key-hash prefix, never a key. Runs on the monitor thread only.
 */
public final class AccessLog {
  /** The logger name; route it in logback.xml. */
  public static final String LOGGER = "spillway.access";
  private static final JsonFactory JSON = new JsonFactory();

  private final Logger log;
  private final AccessLogConfig config;
  private final Ticker ticker;
  private final SplittableRandom random = new SplittableRandom();
  private final long nanosPerShed;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong suppressedShed = new AtomicLong();
  private final AtomicLong sampledOut = new AtomicLong();
  /** Token bucket for shed lines as a theoretical arrival time (GCRA): one line per {@code nanosPerShed}. */
  private long nextShedAt;

  public AccessLog(AccessLogConfig config, Ticker ticker) {
    this(config, ticker, LoggerFactory.getLogger(LOGGER));
  }

  AccessLog(AccessLogConfig config, Ticker ticker, Logger log) {
    this.config = config;
    this.ticker = ticker;
    this.log = log;
    this.nanosPerShed = config.maxShedPerSecond() == 0 ? Long.MAX_VALUE : 1_000_000_000L / config.maxShedPerSecond();
    this.nextShedAt = ticker.nanoTime();
  }

  public void onRecord(ExchangeRecord r) {
    if (!config.enabled() || !log.isInfoEnabled()) {
      return;
    }
    if (r.outcome() == Outcome.SHED) {
      if (!takeShedToken()) {
        suppressedShed.incrementAndGet();
        return;
      }
    } else if (config.sampleRate() < 1 && random.nextDouble() >= config.sampleRate()) {
      sampledOut.incrementAndGet();
      return;
    }
    log.info(line(r));
    written.incrementAndGet();
  }

  /** Lines written. */
  public long written() {
    return written.get();
  }

  /** Shed requests counted but not logged (over {@code maxShedPerSecond}). */
  public long suppressedShed() {
    return suppressedShed.get();
  }

  /** Admitted requests left out by sampling. */
  public long sampledOut() {
    return sampledOut.get();
  }

  /** GCRA: a burst of up to {@code maxShedPerSecond} lines, refilled at that rate. */
  private boolean takeShedToken() {
    if (nanosPerShed == Long.MAX_VALUE) {
      return false;
    }
    long now = ticker.nanoTime();
    if (now - nextShedAt > 0) {
      nextShedAt = now;
    }
    long tolerance = nanosPerShed * (config.maxShedPerSecond() - 1);
    if (nextShedAt - now > tolerance) {
      return false;
    }
    nextShedAt += nanosPerShed;
    return true;
  }

  /** The JSON line of one request. */
  static String line(ExchangeRecord r) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("requestId", r.requestId());
      g.writeStringField("route", r.route());
      g.writeStringField("backend", r.backend());
      g.writeStringField("endpoint", r.endpoint());
      g.writeStringField("tenant", r.tenant());
      g.writeStringField("priority", r.priority());
      // The words of the metrics' outcome and reason labels (docs/operations.md).
      g.writeStringField("outcome", RequestResult.of(r).tag());
      g.writeStringField("reason", RequestResult.reason(r));
      g.writeStringField("error", r.error() == null ? null : r.error().code());
      g.writeNumberField("status", r.status());
      g.writeNumberField("requestBytes", r.requestBytes());
      g.writeNumberField("responseBytes", r.responseBytes());
      g.writeNumberField("durationMs", r.durationNanos() / 1_000_000.0);
      if (r.attempts() > 1) {
        g.writeNumberField("attempts", r.attempts());
        if (r.endpointsTried() != null) {
          g.writeStringField("endpointsTried", r.endpointsTried());
        }
      }
      if (r.tier() > 0) {
        g.writeNumberField("fallback", r.tier()); // the position in the route's backends list, 1 = first fallback
      }
      if (r.overflowFrom() != null) {
        g.writeStringField("overflowFrom", r.overflowFrom());
      }
      if (r.queueWaitNanos() >= 0) {
        g.writeNumberField("queueWaitMs", r.queueWaitNanos() / 1_000_000.0);
      }
      if (r.ttfbNanos() >= 0) {
        g.writeNumberField("ttfbMs", r.ttfbNanos() / 1_000_000.0);
      }
      g.writeBooleanField("stream", r.stream());
      g.writeNumberField("promptTokens", r.promptTokens());
      g.writeNumberField("completionTokens", r.completionTokens());
      if (r.shadowRejected()) {
        g.writeBooleanField("shadowRejected", true);
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
