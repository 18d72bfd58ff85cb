package dev.spillway.core.admission.concurrency.sim;

import dev.spillway.core.admission.concurrency.Permit;

/** One simulated request and what happened to it (times in simulated nanos from the run's start). */
final class SimRequest {
  final long arrivedAt;
  final boolean stream;
  final int promptTokens;
  final int outputTokens;
  Permit permit;
  long sentAt = -1;
  long firstTokenAt = -1;
  long finishedAt = -1;
  /** When the gateway shed it (simulated nanos), or -1. */
  long shedAt = -1;
  boolean rejectedByBackend;
  boolean timedOut;

  SimRequest(long arrivedAt, boolean stream, int promptTokens, int outputTokens) {
    this.arrivedAt = arrivedAt;
    this.stream = stream;
    this.promptTokens = promptTokens;
    this.outputTokens = outputTokens;
  }
}
