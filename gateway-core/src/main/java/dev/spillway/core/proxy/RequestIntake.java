package dev.spillway.core.proxy;

import dev.spillway.core.overload.OverloadAction;

/**
 * Whether a new request may start an exchange at all, asked by each client side (an HTTP/1.1 connection, an
 * HTTP/2 stream) before anything else: not while the gateway drains, not while the overload manager has it
 * stop accepting work. Each refusal is counted once, here.
 */
final class RequestIntake {
  /** What becomes of a new request. */
  enum Verdict {
    /** Start its exchange. */
    ACCEPT,
    /** The gateway is shutting down: answer 503 {@code shutting_down}. */
    DRAINING,
    /** Memory pressure: answer the overload manager's 503 and stop taking requests on this connection. */
    STOP_ACCEPTING
  }

  private RequestIntake() {}

  static Verdict verdict(ProxyContext shared) {
    if (shared.isDraining()) {
      return Verdict.DRAINING;
    }
    if (shared.overload().isActive(OverloadAction.STOP_ACCEPTING)) {
      shared.overload().requestRejected();
      return Verdict.STOP_ACCEPTING;
    }
    return Verdict.ACCEPT;
  }
}
