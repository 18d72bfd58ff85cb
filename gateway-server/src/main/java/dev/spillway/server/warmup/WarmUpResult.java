package dev.spillway.server.warmup;

import java.util.Map;

/**
 * What a start-up warm-up did.
 *
 * @param requests requests sent through the pipeline
 * @param statuses how many answers of each HTTP status (0: a request left unanswered)
 * @param nanos how long it took
 * @param refusedConnections backend connections asked for and refused (none, unless a request slipped past
 *     admission)
 */
public record WarmUpResult(int requests, Map<Integer, Integer> statuses, long nanos, int refusedConnections) {
  public WarmUpResult {
    statuses = Map.copyOf(statuses);
  }

  /** Nothing ran ({@code server.warmUpRequests: 0}). */
  static final WarmUpResult NONE = new WarmUpResult(0, Map.of(), 0, 0);
}
