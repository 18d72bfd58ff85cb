package dev.spillway.core.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The {@code 100 Continue} an exchange owes a client that sent {@code Expect: 100-continue}, sent at most once
 * and only once the gateway wants the body: after admission, so a body is never uploaded just to be discarded
 * by a rejection (or when admission itself has to see the body).
 */
final class ExpectContinue {
  /** Whether the client waits for {@code 100 Continue} before sending its body. */
  private enum State { NOT_EXPECTED, OWED, SENT }

  private State state;

  ExpectContinue(HttpRequest request) {
    this.state = HttpUtil.is100ContinueExpected(request) ? State.OWED : State.NOT_EXPECTED;
  }

  /** Sends the {@code 100 Continue} if it is owed. */
  void sendIfOwed(ChannelHandlerContext ctx, HttpVersion version) {
    if (state == State.OWED) {
      state = State.SENT;
      ctx.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
    }
  }

  /**
   * Whether the client still waits for the {@code 100 Continue}: after a final answer it may or may not send
   * its body (RFC 9110 §10.1.1), so the connection cannot tell its next request from that body.
   */
  boolean owed() {
    return state == State.OWED;
  }
}
