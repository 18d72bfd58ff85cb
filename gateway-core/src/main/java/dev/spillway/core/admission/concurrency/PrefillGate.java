package dev.spillway.core.admission.concurrency;

import java.util.PriorityQueue;

/**
 * Admits a request only while fewer than a learned number ({@link #width}) of admitted ones still await their
 * first token, on a backend whose first tokens carry their prompt's prefill ({@link PrefillEnvelope#matters}):
 * an LLM engine.
 *
 * <p>Why: an engine computes the prompts it was given in arrival order, a step's token budget at a time, so a
 * prompt admitted while others are still being computed waits for them inside the engine. The concurrency
 * limit alone cannot avoid that: the limit that fills the engine's batch for decoding lets several prompts
 * arrive together, and the limit that keeps first tokens fast leaves the batch half empty. On the LLM engine
 * simulator at twice its capacity, no static limit gave both 95 % of the best throughput and a time to first
 * token within 1.5 times the unloaded one (32: 95 % and 1.8 times; 20: 80 % and 1.7 times). Holding the next
 * prompt in the waiting room until the engine has begun answering the last one keeps the engine's prefill busy
 * without a queue inside it; the limit is then left to bound the batch.
 *
 * <p>What counts as awaiting: a permit from its grant until its first token ({@link Permit#onFirstToken}) or
 * its release, and no longer than a multiple of its expected first token (the unqueued first-token time of
 * its size, {@link PrefillEnvelope#unqueuedNanos}, plus the queueing first tokens showed lately): a streamed
 * request ({@link Permit#onRequestKind}) {@value #STREAM_HOLD} times it, so that a stream waiting in the
 * engine's queue for a place keeps the gate closed but a backend that never answers cannot; a whole answer,
 * whose first token the proxy never sees, once; a request of unknown kind {@value #UNKNOWN_HOLD} times.
 *
 * <p>The width is learned as TCP learns a window, from each first token's queueing (its latency less the
 * unqueued time of its size): queueing beyond {@value #CONGESTED} of that unqueued time (the prompt waited
 * for another one's prefill) halves it, once per round (only a request admitted after the last halving can
 * halve it again); queueing below {@value #CALM} of it, while the gate had held a request back, widens it by
 * {@value #GROWTH} divided by the width. It starts at 1 and stays within {@code [1, limit]}: an engine with
 * several prefill lanes (replicas behind one address) widens it until prompts begin to wait for each other.
 *
 * <p>A backend whose first tokens do not grow with the prompt (a fixed-latency backend, one serving no
 * streams) never closes the gate. Not thread-safe: {@link BackendAdmission} calls it under its lock.
 */
final class PrefillGate {
  static final double STREAM_HOLD = 10;
  static final double UNKNOWN_HOLD = 1.5;
  static final double CONGESTED = 0.5;
  static final double PLACE_WAIT = 4;
  static final double CALM = 0.25;
  static final double GROWTH = 0.1;
  /** Weight of a first token's queueing in {@link #queuedNanos}. */
  static final double QUEUED_WEIGHT = 0.1;
  static final int PEAK_SECONDS = 2;
  static final long PEAK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(PEAK_SECONDS);
  /** Weight of an arrival gap in {@link #meanGapNanos}. */
  static final double GAP_WEIGHT = 0.05;

  private final PrefillEnvelope envelope = new PrefillEnvelope(GradientLimit.BASELINE_INTERVAL_NANOS);
  /** Permits counted as awaiting, by the time their count lapses; entries no longer awaiting are skipped. */
  private final PriorityQueue<AdmissionPermit> lapses =
      new PriorityQueue<>((a, b) -> Long.compare(a.awaitingUntil, b.awaitingUntil));
  private boolean enabled;
  private int awaiting;
  private double width = 1;
  private long granted;
  private long halvedAt;
  /** A request was held back by the gate since the width last grew. */
  private boolean heldBack;
  /** Recent first tokens' queueing (latency less the unqueued time of their size), smoothed. */
  private double queuedNanos;
  private int peak;
  private int previousPeak;
  private long peakSince;
  private long lastArrival;
  private double meanGapNanos;
  /**
   * A stream's first token was long overdue: the engine is waiting for places (its KV cache is full), not
   * computing prompts. The gate stays open, leaving the limit to bound what waits in the engine, until a first
   * token comes without queueing again.
   */
  private boolean placeBound;
  /** The waiting room is in sustained overload ({@link CodelMonitor}): the gate holds even a place-bound engine. */
  private boolean overloaded;
  /** The mean time permits awaited their first token lately. */
  private double meanAwaitNanos;

  PrefillGate(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Whether the waiting room is in sustained overload. Below it, an engine waiting for places gets requests as
   * the limit allows, to wait in its own queue as it would without the gate; under it, the gate keeps holding
   * (the limit then comes down to what is in flight, see {@link ConcurrencyLimit#onUnused}).
   */
  void overloaded(boolean on) {
    overloaded = on;
  }

  /** Turns the gate on or off (a reload); the count of awaiting permits is kept either way. */
  void enable(boolean on) {
    enabled = on;
  }

  /** Whether the gate holds requests back on this backend now. */
  boolean active() {
    return enabled && envelope.matters() && envelope.grows();
  }

  /**
   * Whether a request may be admitted now as far as the gate is concerned; when not, notes that the gate held
   * one back (its width may then grow).
   */
  boolean admits(long now) {
    if (!holds(now)) {
      return true;
    }
    heldBack = true;
    return false;
  }

  /** Whether the gate is closed now: active, and as many permits await their first token as it is wide. */
  boolean holds(long now) {
    lapse(now);
    return active() && !(placeBound && !overloaded) && awaiting >= width();
  }

  /** A request of {@code requestBytes} (-1: unknown) asked for a slot at {@code now}: the demand's sample. */
  void onArrival(long requestBytes, long now) {
    if (lastArrival != 0) {
      long gap = now - lastArrival;
      meanGapNanos = meanGapNanos == 0 ? gap : meanGapNanos + GAP_WEIGHT * (gap - meanGapNanos);
    }
    lastArrival = now;
  }

  /**
   * Whether requests arrive at least as fast as the gate's lanes pass them: the mean time a permit awaited its
   * first token, over the mean gap between arrivals, is at least the width (Little's law). Below that,
   * requests wait behind the gate only for prompts that came together, and a wait is no overload.
   */
  boolean saturated() {
    return meanGapNanos > 0 && meanAwaitNanos >= meanGapNanos * width();
  }

  /**
   * The most requests in flight at a grant over the last one to two periods of {@value #PEAK_SECONDS} s; 0 when
   * none was granted.
   */
  int peakInFlight(long now) {
    rollPeak(now);
    return Math.max(peak, previousPeak);
  }

  private void rollPeak(long now) {
    if (now - peakSince >= PEAK_NANOS) {
      previousPeak = now - peakSince >= 2 * PEAK_NANOS ? 0 : peak;
      peak = 0;
      peakSince = now;
    }
  }

  /** A permit was granted at {@code now}: it awaits its first token. */
  void onGrant(AdmissionPermit permit, long now) {
    rollPeak(now);
    peak = Math.max(peak, permit.inFlightAtAdmission);
    awaiting++;
    permit.awaiting = true;
    permit.awaitingSeq = ++granted;
    permit.firstTokenDue = now + expectedFirstTokenNanos(permit);
    permit.awaitingUntil = now + (long) (UNKNOWN_HOLD * expectedFirstTokenNanos(permit));
    lapses.add(permit);
  }

  /**
   * The permit's request asked for a streamed answer or not: its count lapses later (a stream) or at its
   * expected first token (a whole answer). Returns whether the gate may have opened.
   */
  boolean onRequestKind(AdmissionPermit permit, boolean streamed, long now) {
    if (!permit.awaiting) {
      return false;
    }
    lapses.remove(permit);
    permit.streamed = streamed;
    permit.awaitingUntil = permit.admittedAt
        + (long) ((streamed ? STREAM_HOLD : 1) * expectedFirstTokenNanos(permit));
    lapses.add(permit);
    return lapse(now);
  }

  /** The permit's first token came with {@code sample}: it no longer awaits; the width learns from it. */
  void onFirstToken(AdmissionPermit permit, LatencySample sample, long now) {
    stopAwaiting(permit, now);
    envelope.add(sample, now);
    if (!active() || sample.signal() != LatencySample.Signal.FIRST_TOKEN) {
      return;
    }
    long unqueued = envelope.unqueuedNanos(sizeOf(sample.requestBytes()));
    if (unqueued <= 0) {
      return;
    }
    long queued = sample.latencyNanos() - unqueued;
    queuedNanos += QUEUED_WEIGHT * (Math.max(0, queued) - queuedNanos);
    if (queued <= CONGESTED * unqueued) {
      placeBound = false;
    } else if (queued > PLACE_WAIT * unqueued) {
      placeBound = true;
    }
    if (queued > CONGESTED * unqueued) {
      if (permit.awaitingSeq > halvedAt) {
        width = Math.max(1, width / 2);
        halvedAt = granted;
      }
    } else if (queued < CALM * unqueued && heldBack) {
      width += GROWTH / width();
      heldBack = false;
    }
  }

  /** The permit was released: if it still awaited its first token, it no longer does. */
  void onRelease(AdmissionPermit permit, long now) {
    stopAwaiting(permit, now);
  }

  /** Bounds the width by the concurrency limit. */
  void bound(int limit) {
    width = Math.min(width, Math.max(1, limit));
  }

  /** Ends the count of permits whose time to await has lapsed; whether any did (the gate may have opened). */
  boolean lapse(long now) {
    boolean any = false;
    AdmissionPermit p;
    while ((p = lapses.peek()) != null && (!p.awaiting || p.awaitingUntil - now <= 0)) {
      lapses.poll();
      if (p.awaiting) {
        p.awaiting = false;
        awaiting--;
        noteAwaited(p.awaitingUntil - p.admittedAt);
        placeBound |= p.streamed;
        any = true;
      }
    }
    return any;
  }

  /** Nanos from {@code now} until the soonest count of an awaiting permit lapses; -1 when none awaits. */
  long nextLapseNanos(long now) {
    lapse(now);
    AdmissionPermit p = lapses.peek();
    return p == null ? -1 : p.awaitingUntil - now;
  }

  /**
   * Nanos from {@code now} until the gate is expected to open: the soonest expected first token among the
   * awaiting permits (0 when overdue, or when the gate is open).
   */
  long opensInNanos(long now) {
    if (!holds(now)) {
      return 0;
    }
    long due = Long.MAX_VALUE;
    for (AdmissionPermit p : lapses) {
      if (p.awaiting) {
        due = Math.min(due, p.firstTokenDue - now);
      }
    }
    return Math.max(0, due);
  }

  /** The expected first token of a request of the reference size: the time one typical prompt holds the gate. */
  long paceNanos() {
    return active() ? envelope.unqueuedNanos(envelope.referenceBytes()) + (long) queuedNanos : 0;
  }

  /**
   * The longest a request may wait for the gate without a standing queue: the unqueued first token of the
   * largest requests seen, the longest one prompt can keep the gate closed; 0 while the gate is not active.
   */
  long longestPaceNanos() {
    return active() ? envelope.unqueuedNanos(envelope.largestBytes()) : 0;
  }

  /** The mean time between requests asking for a slot lately; 0 before two have. */
  long meanGapNanos() {
    return (long) meanGapNanos;
  }

  /** Permits awaiting their first token. */
  int awaiting() {
    return awaiting;
  }

  /** How many may await at once while the gate is active. */
  int width() {
    return (int) width;
  }

  private long expectedFirstTokenNanos(AdmissionPermit permit) {
    return envelope.unqueuedNanos(sizeOf(permit.requestBytes)) + (long) queuedNanos;
  }

  private long sizeOf(long requestBytes) {
    return requestBytes > 0 ? requestBytes : envelope.referenceBytes();
  }

  private void stopAwaiting(AdmissionPermit permit, long now) {
    if (permit.awaiting) {
      permit.awaiting = false;
      awaiting--;
      noteAwaited(now - permit.admittedAt);
    }
  }

  private void noteAwaited(long nanos) {
    meanAwaitNanos = meanAwaitNanos == 0 ? nanos : meanAwaitNanos + GAP_WEIGHT * (nanos - meanAwaitNanos);
  }
}
