package dev.spillway.core.proxy;

import io.netty.channel.ChannelHandlerContext;

/**
 * The client side a {@link ProxyExchange} answers: one HTTP/1.1 connection ({@link ClientConnectionHandler}) or
 * one HTTP/2 stream ({@link Http2StreamHandler}). The exchange owns one request and its response; the client
 * side owns what outlives or surrounds it: when to read, keep-alive and pipelining on HTTP/1.1, the stream's
 * end on HTTP/2, how a broken-off response is made visible.
 */
interface ExchangeClient {
  /** The context the exchange writes its response to and reads the request body from. */
  ChannelHandlerContext context();

  /** Reads more of the request if the exchange and the client side both want it now. */
  void maybeRead();

  /** The backend can take more of the request body again. */
  void resumeReading();

  /**
   * The exchange has written its whole response (or its error answer).
   *
   * @param keepAlive whether an HTTP/1.1 connection may carry the next request
   */
  void exchangeFinished(ProxyExchange finished, boolean keepAlive);

  /** The response broke off after it started: end it so that it cannot look complete. */
  void closeAfterFlush();
}
