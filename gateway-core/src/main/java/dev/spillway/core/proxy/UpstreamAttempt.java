package dev.spillway.core.proxy;

import dev.spillway.core.http.GatewayError;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.ConnectionProvider;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import dev.spillway.core.upstream.PoolExhaustedException;
import dev.spillway.core.upstream.UpstreamConnection;
import dev.spillway.core.upstream.UpstreamListener;
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
  private final ProxyExchange exchange;
  private final Endpoint endpoint;
  private UpstreamConnection conn;
  private boolean ended;

  UpstreamAttempt(ProxyExchange exchange, Endpoint endpoint) {
    this.exchange = exchange;
    this.endpoint = endpoint;
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
    conn.attach(this);
    exchange.onAttemptConnected(this, conn.channel());
  }

  @Override
  public void onAcquireFailed(Throwable cause) {
    if (!ended) {
      ended = true;
      exchange.onAttemptFailed(this,
          GatewayError.forConnectFailure(cause, cause == PoolExhaustedException.INSTANCE));
    }
  }

  @Override
  public void onResponseHead(HttpResponse response) {
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
      exchange.onAttemptFailed(this, GatewayError.UPSTREAM_RESET);
    }
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    conn = null;
    if (!ended) {
      ended = true;
      exchange.onAttemptFailed(this, cause instanceof DecoderException ? GatewayError.UPSTREAM_PROTOCOL_ERROR
          : GatewayError.UPSTREAM_RESET);
    }
  }

  /**
   * Ends the attempt: the connection goes back to the pool when {@code reusable} (both messages ended cleanly
   * and the backend allows keep-alive), and is closed otherwise. Idempotent.
   */
  void finish(boolean reusable) {
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
