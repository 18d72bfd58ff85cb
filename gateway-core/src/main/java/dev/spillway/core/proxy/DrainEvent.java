package dev.spillway.core.proxy;

/** Fired down each client pipeline when the gateway starts draining, so idle connections close at once. */
public enum DrainEvent {
  INSTANCE
}
