package dev.spillway.core.config;

/** How a backend spreads requests over its endpoints ({@code backends.<name>.balancing}). */
public enum Balancing {
  /**
   * Power of two choices: pick two endpoints at random and send to the one with fewer requests in flight
   * (ties go to the one reporting more rate-limit headroom). The default: it follows real load, which varies a
   * lot between LLM requests, without the herding of a strict least-loaded choice.
   */
  POWER_OF_TWO_CHOICES,
  /** Each endpoint in turn, ignoring weights. */
  ROUND_ROBIN,
  /** Smooth weighted round-robin (nginx's algorithm): shares follow {@code endpoints[].weight}, interleaved. */
  WEIGHTED
}
