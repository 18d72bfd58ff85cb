package dev.spillway.core.proxy;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.core.observe.Outcome;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects what an exchange learns about itself as it goes, and hands one {@link ExchangeRecord} to the
 * gateway's observer when it ends. The observer can never break the data path: its failures are caught and
 * logged (at most once a minute).
 */
final class ExchangeRecorder {
  private static final Logger log = LoggerFactory.getLogger(ExchangeRecorder.class);
  private static final long LOG_EVERY_NANOS = 60_000_000_000L;
  private static volatile long lastFailureLog = System.nanoTime() - LOG_EVERY_NANOS;

  private final long startNanos;
  String route;
  String backend;
  String endpoint;
  int status;
  ShedReason shedReason;
  GatewayError error;
  long responseBytes;
  long ttfbNanos = -1;
  boolean stream;
  int attempts;
  int tier = -1;
  /** Endpoints of earlier attempts, only built when a request is retried. */
  private StringBuilder tried;

  ExchangeRecorder(long startNanos) {
    this.startNanos = startNanos;
  }

  /** An attempt starts on {@code next}; the endpoints of earlier attempts are remembered for the log. */
  void attempt(String next, int attemptNumber, int tierIndex, String backendName) {
    if (endpoint != null) {
      if (tried == null) {
        tried = new StringBuilder(endpoint);
      }
      tried.append(',').append(next);
    }
    endpoint = next;
    attempts = attemptNumber;
    tier = tierIndex;
    backend = backendName;
  }

  void responseHead(int status, boolean stream, long nowNanos) {
    this.status = status;
    this.stream = stream;
    this.ttfbNanos = nowNanos - startNanos;
  }

  /**
   * The shed answer has been written and flushed {@code nowNanos}: tells the observer how long shedding took
   * since the request head arrived. An observer's failure is logged like {@link #emit}'s.
   */
  void shedAnswered(GatewayObserver observer, long nowNanos) {
    try {
      observer.onShedAnswered(shedReason, nowNanos - startNanos);
    } catch (RuntimeException e) {
      logFailure(e);
    }
  }

  /** Emits the record, once, at the end of the exchange. */
  void emit(GatewayObserver observer, Outcome outcome, String requestId, AdmissionGate gate, long requestBytes,
      long nowNanos) {
    if (observer == GatewayObserver.NOOP) {
      return;
    }
    String tenant = null;
    String priority = null;
    long prompt = 0;
    long completion = 0;
    boolean shadow = false;
    long queueWait = gate == null ? -1 : gate.queueWaitNanos();
    String overflow = gate == null ? null : gate.overflowFrom();
    if (gate != null && gate.tenant() != null) {
      tenant = gate.tenant().name();
      priority = gate.tenant().priority().name().toLowerCase(Locale.ROOT);
      prompt = gate.promptTokens();
      completion = gate.completionTokens();
      shadow = gate.shadowRejected();
    }
    ExchangeRecord record = new ExchangeRecord(requestId, route, backend, endpoint, tenant, priority, status,
        outcome, shedReason, error, requestBytes, responseBytes, nowNanos - startNanos, ttfbNanos, stream, prompt,
        completion, shadow, queueWait, attempts, tier, tried == null ? null : tried.toString(), overflow);
    try {
      observer.onExchange(record);
    } catch (RuntimeException e) {
      logFailure(e);
    }
  }

  private static void logFailure(RuntimeException e) {
    long now = System.nanoTime();
    if (now - lastFailureLog >= LOG_EVERY_NANOS) {
      lastFailureLog = now;
      log.warn("exchange observer failed (logged at most once a minute)", e);
    }
  }
}
