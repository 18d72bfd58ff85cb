package dev.spillway.core;

import dev.spillway.core.config.GatewayConfig;

/**
 * Told when a running {@link Gateway} switched to a new config, so what watches it (status tracking, metrics)
 * follows: backends and routes added, changed or removed.
 */
@FunctionalInterface
public interface GatewayListener {

  /**
   * {@code current} now serves new requests; requests that started on {@code previous} finish on it. Called
   * on the thread that ran the reload, after the swap; must not block for long.
   */
  void onReconfigured(GatewayConfig previous, GatewayConfig current);
}
