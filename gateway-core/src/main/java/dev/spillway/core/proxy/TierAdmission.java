package dev.spillway.core.proxy;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.admission.concurrency.Waiter;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.routing.Route;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;
import java.util.List;

/**
 * One request's concurrency slot across its route's failover tiers, from asking for it to completing it.
 *
 * <p><b>Asking.</b> A free slot on the primary backend is taken at once. When there is none and the primary's
 * waiting room could not serve the request soon ({@link BackendAdmission#spillsOver}), a later tier that
 * lets the request's class overflow and has a free slot takes it at once: waiting in the primary's room first
 * would only add that wait to its time to first token. Otherwise the request asks the primary's room, and when
 * the room turns it away (full, timed out, deadline out of reach) it overflows then, if a tier has a free slot;
 * else it is turned away with the room's reason.
 *
 * <p><b>Holding.</b> {@link TierPermits} keeps the one permit held and the tier it belongs to across the
 * request's attempts. Runs on the exchange's event loop; the waiting room calls back there too.
 */
final class TierAdmission implements PermitCallback {
  /** Where the request stands with admission. */
  private enum State { NEW, WAITING, ADMITTED, TURNED_AWAY, CLOSED }

  /** What admission decided; exactly one call, on the exchange's event loop (inline when decided at once). */
  interface Verdict {
    void admitted();

    void turnedAway(ShedReason reason, long retryAfterNanos);
  }

  private final List<Route.Tier> tiers;
  /** The primary backend's limit and waiting room, or {@code null} when it has none. */
  private final BackendAdmission primary;
  private final EventExecutor executor;
  private final Verdict verdict;
  private final TierPermits permits = new TierPermits();
  private State state = State.NEW;
  private PriorityClass priority = PriorityClass.STANDARD;
  private Waiter waiter;
  private long waitStartNanos;
  private long queueWaitNanos = -1;

  /**
   * @param tiers the route's failover tiers; the first one's concurrency limit (if any) is where the request
   *     waits, and every tier's limit (if any) is taken when an attempt goes there
   */
  TierAdmission(List<Route.Tier> tiers, EventExecutor executor, Verdict verdict) {
    this.tiers = tiers;
    this.primary = tiers.get(0).backend().admission();
    this.executor = executor;
    this.verdict = verdict;
  }

  /**
   * Asks for a slot for {@code tenant}'s request (its class, its place among tenants, and from
   * {@code headers} whether it is a client's retry and its deadline) of {@code requestBytes} (-1: unknown);
   * the {@link Verdict} follows, now or when the waiting room decides.
   */
  void acquire(Tenant tenant, HttpHeaders headers, long requestBytes) {
    priority = tenant.priority();
    permits.requestBytes(requestBytes);
    if (primary == null) {
      state = State.ADMITTED;
      verdict.admitted();
      return;
    }
    waitStartNanos = primary.nowNanos();
    if (mayOverflow() && primary.spillsOver(priority) && permits.overflow(tiers, priority)) {
      queueWaitNanos = 0;
      state = State.ADMITTED;
      verdict.admitted();
      return;
    }
    state = State.WAITING;
    WaitRequest wait = new WaitRequest(priority, tenant.key(), ClientHints.isRetry(headers),
        ClientHints.deadline(headers, waitStartNanos), requestBytes);
    waiter = primary.acquire(wait, executor, this);
  }

  /** Whether some later tier takes overflow of the request's class. */
  private boolean mayOverflow() {
    for (int t = 1; t < tiers.size(); t++) {
      if (tiers.get(t).overflow().contains(priority)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void onPermit(Permit granted) {
    waiter = null;
    queueWaitNanos = primary.nowNanos() - waitStartNanos;
    if (state == State.CLOSED) {
      granted.onIgnore();
      return;
    }
    permits.hold(0, granted);
    state = State.ADMITTED;
    verdict.admitted();
  }

  @Override
  public void onShed(ShedReason reason, long retryAfterNanos) {
    waiter = null;
    queueWaitNanos = primary.nowNanos() - waitStartNanos;
    if (state == State.CLOSED) {
      return;
    }
    if (permits.overflow(tiers, priority)) {
      state = State.ADMITTED;
      verdict.admitted();
      return;
    }
    state = State.TURNED_AWAY;
    verdict.turnedAway(reason, retryAfterNanos);
  }

  /** Lets the next attempt into tier {@code tierIndex} under the tier's own permit ({@link TierPermits#enter}). */
  boolean enterTier(int tierIndex, Route.Tier tier) {
    return state == State.ADMITTED && permits.enter(tierIndex, tier.backend().admission(), priority);
  }

  /** An attempt ended with {@code outcome} and another may follow (its tier's permit remembers it). */
  void attemptEnded(AttemptOutcome outcome) {
    permits.attemptEnded(outcome);
  }

  /** Whether some tier's backend limit wants its permits told the request's kind (its prefill gate). */
  boolean wantsRequestKind() {
    for (Route.Tier tier : tiers) {
      if (tier.backend().admission() != null && tier.backend().admission().wantsRequestKind()) {
        return true;
      }
    }
    return false;
  }

  /** The request body asks for a streamed answer or not: the permits tell their backends' limits. */
  void requestKind(boolean streamed) {
    permits.requestKind(streamed);
  }

  /** A stream's first content: the held permit takes its latency sample now. */
  void firstToken(LatencySample sample) {
    permits.firstToken(sample);
  }

  /**
   * The request's answer ended cleanly; its last attempt ended with {@code outcome}: the permit takes
   * {@code sample} if the outcome lets it ({@link TierPermits#finish}).
   */
  void complete(AttemptOutcome outcome, LatencySample sample) {
    Permit permit = finish(outcome);
    if (permit != null) {
      permit.onSuccess(sample);
    }
  }

  /**
   * The request ended without a clean answer; the attempt in flight ended with {@code outcome}
   * ({@link AttemptOutcome#CANCELLED} when none was): the permit is completed from it, never with a sample.
   */
  void abandon(AttemptOutcome outcome) {
    Permit permit = finish(outcome);
    if (permit != null) {
      permit.onIgnore();
    }
  }

  /**
   * Closes the request's admission: a waiter still in the room leaves it, a verdict still on its way finds
   * the request closed. Returns the permit when it is to be completed with a latency sample, else
   * {@code null} (completed here, or none held).
   */
  private Permit finish(AttemptOutcome outcome) {
    leaveRoom();
    state = State.CLOSED;
    return permits.finish(outcome);
  }

  /** A request given up on while it waits leaves the room (its verdict never comes). */
  void leaveRoom() {
    if (waiter != null) {
      waiter.cancel();
      waiter = null;
    }
  }

  /** The backend the request overflowed from, or {@code null}. */
  String overflowFrom() {
    return permits.overflowFrom();
  }

  /** Time in the waiting room, or -1 when the request never asked the backend for a slot. */
  long queueWaitNanos() {
    return queueWaitNanos;
  }
}
