package dev.spillway.core.admission.concurrency;

/**
 * Decides whether the waiting room is persistently overloaded, after CoDel (Nichols and Jacobson, 2012) as
 * Facebook's server queues use it: a queue that is merely bursty empties quickly, so its smallest queueing
 * delay (sojourn) drops below target now and then; a queue whose every sojourn has stayed above
 * {@code target} for a whole {@code interval} is standing, and only grows older.
 *
 * <p>The delay sampled is the age of the oldest request still waiting, taken whenever a waiter leaves the
 * room (granted or timed out), or the served waiter's own wait when it leaves the room empty. Not the
 * served waiter's wait in general: under overload the newest are served first, and with tenants served
 * round-robin a tenant's first waiter goes quickly, so those waits are short while a queue stands behind
 * them. Overload ends only when a request arrives to an empty room and for an interval (and at least
 * {@value #QUIET_DEPARTURES} of the backend's mean times between departures) no waiter has left it and no
 * newcomer was turned away at the door (the load fits without queueing): under overload every waiter
 * older than the short timeout is shed, and newcomers that could not be served soon are turned away, so
 * the oldest age stays near it and says nothing more, and the room may empty through those timeouts while
 * the overload goes on. Not thread-safe: used under {@link BackendAdmission}'s lock.
 */
final class CodelMonitor {
  /** {@link #onEmptyRoom}: how many mean departure intervals without one make the room quiet. */
  static final int QUIET_DEPARTURES = 2;
  private final long targetNanos;
  private final long intervalNanos;
  /** Floors under the target and the interval: the prefill gate's pace, see {@link #floor}. */
  private long floorNanos;
  private long floorIntervalNanos;
  /** Whether the waiters' demand can exceed what serves them; see {@link #floor}. */
  private boolean saturable = true;
  private boolean aboveTarget;
  private long aboveSince;
  private long lastSampleAt;
  private boolean overloaded;

  CodelMonitor(long targetNanos, long intervalNanos) {
    this.targetNanos = targetNanos;
    this.intervalNanos = intervalNanos;
  }

  void onSojourn(long sojournNanos, long now) {
    lastSampleAt = now;
    if (overloaded) {
      return;
    }
    if (sojournNanos < target() || !saturable) {
      aboveTarget = false;
    } else if (!aboveTarget) {
      aboveTarget = true;
      aboveSince = now;
    } else if (now - aboveSince >= interval()) {
      overloaded = true;
    }
  }

  /**
   * Under overload a newcomer was turned away at the door (the room could not serve it soon): evidence that
   * the overload goes on, as a waiter leaving an aged room would be.
   */
  void onTurnedAway(long now) {
    lastSampleAt = now;
  }

  /**
   * A request arrives to an empty room: a quiet interval since a waiter last left ends any overload. Quiet
   * means at least {@value #QUIET_DEPARTURES} of the backend's mean times between two departures
   * ({@code departureIntervalNanos}, 0 if unknown) as well: a backend that frees a place every 750 ms (4 places
   * of 3 s) left the room quiet for an interval of 500 ms between any two, and at 3x its capacity the overload
   * kept ending, so waiters waited out {@code maxWait} (10 s) instead of CoDel's short wait.
   */
  void onEmptyRoom(long now, long departureIntervalNanos) {
    long quiet = Math.max(interval(), QUIET_DEPARTURES * departureIntervalNanos);
    if ((aboveTarget || overloaded) && now - lastSampleAt >= quiet) {
      aboveTarget = false;
      overloaded = false;
    }
  }

  boolean overloaded() {
    return overloaded;
  }

  /** CoDel's short queue timeout under overload: twice the target. */
  long overloadedWaitNanos() {
    return 2 * target();
  }

  /**
   * Raises the target to at least {@code targetNanos} and the interval to at least {@code intervalNanos} (0:
   * the configured ones alone). Behind a closed {@link PrefillGate} a waiter waits for prompts' prefills,
   * which take longer than any usual target: one long prompt may keep every waiter above the usual target
   * for its whole prefill without a standing queue. {@code saturable} false (the prompts arriving take less
   * prefill time than the engine has, {@link PrefillGate#saturated}) means no wait is a standing queue yet.
   */
  void floor(long targetNanos, long intervalNanos, boolean saturable) {
    floorNanos = targetNanos;
    floorIntervalNanos = intervalNanos;
    this.saturable = saturable;
  }

  private long interval() {
    return Math.max(intervalNanos, floorIntervalNanos);
  }

  private long target() {
    return Math.max(targetNanos, floorNanos);
  }
}
