package dev.spillway.server.status;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.resilience.EndpointState;

/**
 * One backend's history and the live object it reads: waiting room depth, and the attempt counters of its
 * endpoints, whose growth since the last tick becomes the backend's served and failed counts.
 *
 * <p>Monitor thread only, like the {@link ComponentTracks} that owns it.
 */
final class BackendTrack {
  final Timeline timeline;
  Backend live;
  private long lastServed;
  private long lastFailed;

  BackendTrack(Timeline timeline) {
    this.timeline = timeline;
  }

  /** Reads {@code backend} from now on; a new object starts counting from its current totals. */
  void follow(Backend backend) {
    if (backend != live) {
      live = backend;
      long[] totals = totals();
      lastServed = totals[0];
      lastFailed = totals[1];
    }
  }

  /** Adds the attempts made since the last call and samples the waiting room; returns its depth. */
  int sample() {
    if (live == null) {
      return 0;
    }
    long[] totals = totals();
    // Counters only grow; a smaller total means other endpoint objects (a reload), so count from there.
    long served = totals[0] - lastServed;
    long failed = totals[1] - lastFailed;
    timeline.addAttempts(Math.max(0, served), Math.max(0, failed));
    lastServed = totals[0];
    lastFailed = totals[1];
    BackendAdmission admission = live.admission();
    int q = admission == null ? 0 : admission.queued();
    timeline.sampleQueue(q);
    return q;
  }

  /** Attempts that ended well and at the endpoint's fault, over all endpoints. */
  private long[] totals() {
    long[] out = new long[2];
    if (live == null) {
      return out;
    }
    for (EndpointState endpoint : live.endpointGroup().states()) {
      for (AttemptOutcome outcome : AttemptOutcome.values()) {
        switch (outcome.endpointVerdict()) {
          case SUCCESS -> out[0] += endpoint.attempts(outcome);
          case FAILURE -> out[1] += endpoint.attempts(outcome);
          case NEUTRAL -> { }
        }
      }
    }
    return out;
  }
}
