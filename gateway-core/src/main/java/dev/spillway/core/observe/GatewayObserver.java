package dev.spillway.core.observe;

import dev.spillway.core.admission.ShedReason;

/**
 * Sees every finished request. Called on the request's event loop, so an implementation must be quick and
 * must never block (hand work to another thread if it has to); a thrown exception is caught and logged, never
 * allowed to break the data path.
 */
@FunctionalInterface
public interface GatewayObserver {
  /** Observes nothing. */
  GatewayObserver NOOP = record -> {};

  void onExchange(ExchangeRecord record);

  /**
   * Admission's answer to a request it turned away ({@code reason}) has been written and flushed to the client,
   * {@code nanos} after the request head arrived: how long shedding took the gateway itself. Called on the
   * event loop once per successful write (never for an answer the client was gone before it could take); must
   * not block nor allocate much, since it runs at the shed rate. Does nothing by default.
   */
  default void onShedAnswered(ShedReason reason, long nanos) {}
}
