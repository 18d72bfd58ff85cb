package dev.spillway.core.config;

/** Where rate-limit buckets live. */
public enum LimiterStoreType {
  /** In this process: every instance enforces each limit on its own. */
  LOCAL,
  /** In Redis (or Valkey), shared by every instance that points at it. */
  REDIS
}
