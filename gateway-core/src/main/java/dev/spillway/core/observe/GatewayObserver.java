package dev.spillway.core.observe;

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
}
