package dev.spillway.core.admission.concurrency.sim;

import dev.spillway.core.admission.concurrency.Permit;

/** One simulated request and what happened to it (times in simulated nanos from the run's start). */
final class SimRequest {
  final long arrivedAt;
  final boolean stream;
  final int promptTokens;
  final int outputTokens;
  /** The request body's size as the proxy sees it (Content-Length); 0: none sent. */
  long requestBytes;
  Permit permit;
  long sentAt = -1;
  long firstTokenAt = -1;
  long finishedAt = -1;
  /** When the gateway shed it (simulated nanos), or -1. */
  long shedAt = -1;
  dev.spillway.core.admission.ShedReason shedReason;
  boolean rejectedByBackend;
  boolean timedOut;
  /** It went to the route's second tier. */
  boolean overflowed;

  SimRequest(long arrivedAt, boolean stream, int promptTokens, int outputTokens) {
    this.arrivedAt = arrivedAt;
    this.stream = stream;
    this.promptTokens = promptTokens;
    this.outputTokens = outputTokens;
  }

  /**
   * Gives the request a chat body's size as the benchmarks send it: a prompt of 16 to 256 tokens at about 4
   * bytes each, plus about 200 bytes of JSON around it.
   */
  SimRequest sizedLikeChat(java.util.Random random) {
    requestBytes = 200 + 4L * (16 + random.nextInt(241));
    return this;
  }
}
