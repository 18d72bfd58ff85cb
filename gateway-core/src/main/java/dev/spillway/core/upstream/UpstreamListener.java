package dev.spillway.core.upstream;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Receives what happens on a backend connection while one exchange owns it. All calls arrive on the
 * connection's event loop, which is also the client's.
 *
 * <p>Ownership: {@link #onResponseContent} receives a reference-counted message and must forward or release
 * it exactly once.
 */
public interface UpstreamListener {

  /** The response head (status and headers); informational 1xx responses are filtered out before this. */
  void onResponseHead(HttpResponse response);

  /** A piece of the response body; a {@code LastHttpContent} ends the response. */
  void onResponseContent(HttpContent content);

  /** The end of one read from the socket: a good moment to flush what was forwarded. */
  void onUpstreamReadComplete();

  /** The backend connection can take more (or no more) request body bytes. */
  void onUpstreamWritabilityChanged(boolean writable);

  /** The backend connection closed. */
  void onUpstreamClosed();

  /** The backend connection failed (reset, protocol error). The connection is closed after this call. */
  void onUpstreamError(Throwable cause);
}
