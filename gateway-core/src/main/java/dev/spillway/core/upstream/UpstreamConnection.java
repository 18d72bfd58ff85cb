package dev.spillway.core.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * A pooled connection to one endpoint, lent to one exchange at a time. The borrower must end the loan exactly
 * once: {@link #release()} when the connection is clean for the next request, {@link #close()} otherwise.
 */
public final class UpstreamConnection {
  static final int MAX_RESPONSE_INITIAL_LINE = 8 * 1024;
  static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
  static final int MAX_RESPONSE_CHUNK = 64 * 1024;

  /** Takes a connection back after a clean exchange. */
  public interface Owner {
    void release(UpstreamConnection connection);
  }

  private final Channel channel;
  private final UpstreamHandler handler;
  private final Endpoint endpoint;
  private final Owner owner;
  private long idleSinceNanos;
  private int uses;

  private UpstreamConnection(Channel channel, Endpoint endpoint, Owner owner) {
    this.channel = channel;
    this.handler = channel.pipeline().get(UpstreamHandler.class);
    if (handler == null) {
      throw new IllegalArgumentException("channel: " + channel + " (expected: initialized by initPipeline)");
    }
    this.endpoint = endpoint;
    this.owner = owner;
  }

  /** Wraps a connected channel whose pipeline was set up by {@link #initPipeline}. */
  public static UpstreamConnection create(Channel channel, Endpoint endpoint, Owner owner) {
    return new UpstreamConnection(channel, endpoint, owner);
  }

  /** Adds the backend-side handlers: {@code HttpClientCodec → UpstreamHandler}. */
  public static void initPipeline(ChannelPipeline pipeline) {
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(MAX_RESPONSE_INITIAL_LINE)
        .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
        .setMaxChunkSize(MAX_RESPONSE_CHUNK);
    pipeline.addLast("codec", new HttpClientCodec(decoder, false, false));
    pipeline.addLast("upstream", new UpstreamHandler());
  }

  public Channel channel() {
    return channel;
  }

  public Endpoint endpoint() {
    return endpoint;
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
    owner.release(this);
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
