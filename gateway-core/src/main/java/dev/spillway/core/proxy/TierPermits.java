package dev.spillway.core.proxy;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.routing.Route;
import java.util.List;

/**
 * The one concurrency permit a request holds, and the failover tier it belongs to. Each tier's backend has
 * its own limit: an attempt on a tier runs under that tier's permit, so a failover tier is protected by its
 * own limit and its latencies feed only its own backend's limit.
 *
 * <ul>
 *   <li>The first permit comes from the primary's waiting room via {@link #hold}, or, when that room could
 *       not serve the request soon or turned it away ({@link TierAdmission}), from the first later tier its
 *       class may {@link #overflow} to; tiers before that one are then closed to the request.</li>
 *   <li>An attempt on another tier first completes the permit held ({@link #enter}), then takes that tier's
 *       with {@link BackendAdmission#tryAcquireNow}; a full tier is refused, never waited for.</li>
 *   <li>Attempts on the same tier (a retry on another endpoint) keep the permit; any overload evidence one of
 *       them saw is remembered, so the permit still completes as dropped.</li>
 *   <li>{@link #finish} completes the permit from the last attempt's {@link AttemptOutcome}.</li>
 * </ul>
 * Every permit is completed exactly once; later calls find none held.
 *
 * <p>Once the request body shows whether it asks for a streamed answer ({@link #requestKind}), the permit
 * held then and every permit taken later is told so, each once ({@link Permit#onRequestKind}). Runs on the
 * exchange's event loop.
 */
final class TierPermits {
  /** What the request body asks for, as far as known. */
  private enum Kind { UNKNOWN, STREAMED, WHOLE }

  private Permit permit;
  private Kind kind = Kind.UNKNOWN;
  /** The request body's size, or -1 when unknown; tiers' limits are told it. */
  private long requestBytes = -1;
  /** The tier the request is in (its permit's, or a tier without limit); -1 before any. */
  private int tier = -1;
  /** An attempt under the current permit showed the backend overloaded. */
  private boolean overloadSeen;
  /** Tiers before this one are closed: the request overflowed past them. */
  private int firstTier;
  /** The backend whose waiting room could not take the request, or {@code null}. */
  private String overflowFrom;

  /**
   * The primary cannot take the request in time: takes the first later tier that lets {@code priority}
   * overflow and has a free slot right now (a tier without a limit always has). The request is not in the
   * primary's room (it never entered, or has left it), so it never holds two slots.
   *
   * @return whether the request overflowed (it holds that tier's permit, if the tier has a limit)
   */
  boolean overflow(List<Route.Tier> tiers, PriorityClass priority) {
    for (int t = 1; t < tiers.size(); t++) {
      Route.Tier candidate = tiers.get(t);
      if (!candidate.overflow().contains(priority)) {
        continue;
      }
      BackendAdmission admission = candidate.backend().admission();
      Permit p = admission == null ? null : admission.tryAcquireNow(priority, requestBytes);
      if (admission == null || p != null) {
        release();
        take(p);
        this.tier = t;
        firstTier = t;
        overflowFrom = tiers.get(0).backend().name();
        return true;
      }
    }
    return false;
  }

  /** The request body's size (-1: unknown), for the tiers' limits. */
  void requestBytes(long bytes) {
    requestBytes = bytes;
  }

  /** The backend the request overflowed from, or {@code null}. */
  String overflowFrom() {
    return overflowFrom;
  }

  /** The waiting room (or an overflow tier's limit) granted {@code granted} for tier {@code tierIndex}. */
  void hold(int tierIndex, Permit granted) {
    release();
    take(granted);
    tier = tierIndex;
  }

  /**
   * Puts the request in tier {@code tierIndex} for its next attempt: nothing to do when already there;
   * otherwise the permit held is completed and the tier's own is taken, if it has a limit. A tier the request
   * overflowed past is refused.
   *
   * @param admission the tier backend's limit, or {@code null} when it has none
   * @return whether the request may go to the tier; {@code false} when it is full
   */
  boolean enter(int tierIndex, BackendAdmission admission, PriorityClass priority) {
    if (tierIndex == tier) {
      return true;
    }
    if (tierIndex < firstTier) {
      return false;
    }
    release();
    if (admission == null) {
      tier = tierIndex;
      return true;
    }
    Permit p = admission.tryAcquireNow(priority, requestBytes);
    if (p == null) {
      return false;
    }
    take(p);
    tier = tierIndex;
    return true;
  }

  /** An attempt under the current permit ended with {@code outcome} and another follows. */
  void attemptEnded(AttemptOutcome outcome) {
    if (outcome.overloadEvidence()) {
      overloadSeen = true;
    }
  }

  /**
   * The request is over; its last attempt ended with {@code outcome}. Overload evidence (now or earlier on
   * this tier) drops the permit, anything but a clean answer ignores it.
   *
   * @return the permit when it is to be completed with a latency sample (the caller does so), else
   *     {@code null} (completed here, or none held)
   */
  Permit finish(AttemptOutcome outcome) {
    Permit p = permit;
    permit = null;
    if (p == null) {
      return null;
    }
    if (overloadSeen || outcome.overloadEvidence()) {
      p.onDropped();
      return null;
    }
    if (outcome.permitCompletion() == AttemptOutcome.PermitCompletion.SUCCESS) {
      return p;
    }
    p.onIgnore();
    return null;
  }

  /**
   * The request body asks for a streamed answer ({@code true}) or a whole one: the permit held now, and every
   * permit taken later, is told so. Only the first call counts (the body says it once).
   */
  void requestKind(boolean streamed) {
    if (kind != Kind.UNKNOWN) {
      return;
    }
    kind = streamed ? Kind.STREAMED : Kind.WHOLE;
    if (permit != null) {
      permit.onRequestKind(streamed);
    }
  }

  /** Holds {@code p} (or none, for a tier without a limit), telling it the request's kind if known. */
  private void take(Permit p) {
    permit = p;
    if (p != null && kind != Kind.UNKNOWN) {
      p.onRequestKind(kind == Kind.STREAMED);
    }
  }

  /** The stream's first content arrived: the held permit takes its latency sample now. */
  void firstToken(LatencySample sample) {
    if (permit != null) {
      permit.onFirstToken(sample);
    }
  }

  /** Whether a permit is held. */
  boolean holding() {
    return permit != null;
  }

  /** The tier the request is in, or -1. */
  int tier() {
    return tier;
  }

  /** Completes the permit held, if any, from what its attempts showed; leaves the tier. */
  private void release() {
    Permit p = permit;
    permit = null;
    tier = -1;
    if (p != null) {
      if (overloadSeen) {
        p.onDropped();
      } else {
        p.onIgnore();
      }
    }
    overloadSeen = false;
  }
}
