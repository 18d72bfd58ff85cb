package dev.spillway.core.proxy;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.ConnectionProvider;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import dev.spillway.core.upstream.PoolExhaustedException;
import dev.spillway.core.upstream.UpstreamConnection;
import dev.spillway.core.upstream.UpstreamListener;
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * One try of an exchange against one endpoint: borrows a connection, and reports what the backend does to the
 * exchange, which owns all decisions. Ends exactly once: {@link #finish} returns a clean connection to the pool
 * or closes it; a failure is reported once and the connection is never pooled.
 *
 * <p>Ownership: response pieces are passed to the exchange, which forwards or releases them.
 */
final class UpstreamAttempt implements PoolCallback, UpstreamListener {
  private final Forwarder exchange;
  private final EndpointAttempt lease;
  private final Endpoint endpoint;
  private final long startNanos;
  private UpstreamConnection conn;
  /** The connection came: the request went (or is going) to the backend. */
  private boolean connected;
  private boolean ended;

  /**
   * @param lease the endpoint group's record of this use of the endpoint (outstanding count, breaker
   *     permission), completed exactly once by this attempt
   */
  UpstreamAttempt(Forwarder exchange, EndpointAttempt lease, long startNanos) {
    this.exchange = exchange;
    this.lease = lease;
    this.endpoint = lease.endpoint();
    this.startNanos = startNanos;
  }

  /** Asks the pool for a connection on {@code loop}; the outcome arrives as a callback on it. */
  void start(ConnectionProvider pools, EventLoop loop, Backend backend) {
    pools.acquire(loop, backend, endpoint, this);
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** The backend connection, or {@code null} while connecting and after the end. */
  Channel channel() {
    return conn == null ? null : conn.channel();
  }

  @Override
  public void onAcquired(UpstreamConnection connection) {
    if (ended) {
      // The exchange ended while we connected: the connection is unused and clean.
      connection.release();
      return;
    }
    conn = connection;
    connected = true;
    conn.attach(this);
    exchange.onAttemptConnected(this, conn.channel());
  }

  @Override
  public void onAcquireFailed(Throwable cause) {
    if (!ended) {
      ended = true;
      GatewayError error = GatewayError.forConnectFailure(cause, cause == PoolExhaustedException.INSTANCE);
      fail(error, AttemptOutcome.ofError(error, false));
    }
  }

  @Override
  public void onResponseHead(HttpResponse response) {
    if (!ended && response.decoderResult().isSuccess()) {
      // Before the head is rewritten: a 429/503 with Retry-After cools the endpoint down.
      lease.onResponseHeaders(response.status().code(), response.headers());
    }
    exchange.onAttemptResponseHead(this, response);
  }

  @Override
  public void onResponseContent(HttpContent content) {
    exchange.onAttemptResponseContent(this, content);
  }

  @Override
  public void onUpstreamReadComplete() {
    if (conn != null) {
      exchange.onAttemptReadComplete(this, conn.channel());
    }
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    exchange.onAttemptWritabilityChanged(this, writable);
  }

  @Override
  public void onUpstreamClosed() {
    conn = null;
    if (!ended) {
      ended = true;
      fail(GatewayError.UPSTREAM_RESET, AttemptOutcome.RESET);
    }
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    conn = null;
    if (!ended) {
      ended = true;
      boolean protocol = cause instanceof DecoderException;
      fail(protocol ? GatewayError.UPSTREAM_PROTOCOL_ERROR : GatewayError.UPSTREAM_RESET,
          protocol ? AttemptOutcome.PROTOCOL_ERROR : AttemptOutcome.RESET);
    }
  }

  private void fail(GatewayError error, AttemptOutcome outcome) {
    lease.complete(outcome, elapsed());
    exchange.onAttemptFailed(this, error, outcome);
  }

  /**
   * The response ended cleanly with {@code status} (judged by {@link AttemptOutcome#ofStatus}). The connection
   * goes back to the pool when {@code reusable}, and is closed otherwise.
   */
  void complete(int status, boolean reusable) {
    lease.complete(AttemptOutcome.ofStatus(status), elapsed());
    finish(reusable);
  }

  /** Gives up on the attempt, which ended with {@code outcome}, and closes its connection. */
  void abandon(AttemptOutcome outcome) {
    lease.complete(outcome, elapsed());
    finish(false);
  }

  /** Whether the request was (at least partly) sent on this attempt's connection. */
  boolean requestSent() {
    return connected;
  }

  private long elapsed() {
    return exchange.nowNanos() - startNanos;
  }

  /** The forwarder this attempt reports to (it filters events of attempts it has moved on from). */
  Forwarder forwarder() {
    return exchange;
  }

  /**
   * Ends the attempt: the connection goes back to the pool when {@code reusable} (both messages ended cleanly
   * and the backend allows keep-alive), and is closed otherwise. Idempotent.
   */
  private void finish(boolean reusable) {
    ended = true;
    UpstreamConnection c = conn;
    conn = null;
    if (c != null) {
      if (reusable) {
        c.release();
      } else {
        c.close();
      }
    }
  }
}
