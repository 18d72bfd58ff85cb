package dev.spillway.core.upstream;

import io.netty.channel.Channel;

/**
 * A pooled connection to one endpoint, lent to one exchange at a time. The borrower must end the loan exactly
 * once: {@link #release()} when the connection is clean for the next request, {@link #close()} otherwise.
 */
public final class UpstreamConnection {
  private final Channel channel;
  private final UpstreamHandler handler;
  private final EndpointPool pool;
  private long idleSinceNanos;
  private int uses;

  UpstreamConnection(Channel channel, UpstreamHandler handler, EndpointPool pool) {
    this.channel = channel;
    this.handler = handler;
    this.pool = pool;
  }

  public Channel channel() {
    return channel;
  }

  public Endpoint endpoint() {
    return pool.endpoint();
  }

  /** Whether this connection already carried an earlier request. */
  public boolean isReused() {
    return uses > 1;
  }

  /** Routes this connection's events to {@code listener} until {@link #release()} or {@link #close()}. */
  public void attach(UpstreamListener listener) {
    uses++;
    handler.attach(listener);
  }

  /** Returns the connection to its pool for the next request (or closes it if it is no longer usable). */
  public void release() {
    handler.detach();
    pool.release(this);
  }

  /** Closes the connection; it is never reused. */
  public void close() {
    handler.detach();
    channel.close();
  }

  long idleSinceNanos() {
    return idleSinceNanos;
  }

  void markIdle(long nowNanos) {
    idleSinceNanos = nowNanos;
  }
}
