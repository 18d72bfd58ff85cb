package dev.spillway.core.admission.concurrency;

import java.util.PriorityQueue;

/**
 * Admits a request only while fewer than a learned number of admitted ones still await their first token, on
 * a backend whose first tokens carry their prompt's prefill ({@link PrefillEnvelope#matters}): an LLM engine.
 *
 * <p>Why: an engine computes the prompts it was given in arrival order, a step's token budget at a time, so
 * every prompt admitted while others are still being computed waits for them inside the engine. The
 * concurrency limit alone cannot avoid it: the limit that fills the engine's batch for decoding (and so its
 * throughput) lets several prompts arrive together, and the limit that keeps first tokens fast leaves the
 * batch half empty. On the LLM engine simulator at twice its capacity, no static limit gave both 95 % of the
 * best throughput and a time to first token within 1.5 times the unloaded one (32: 95 % and 1.8 times; 20:
 * 80 % and 1.7 times); holding the next prompt in the waiting room until the engine has begun answering the
 * last one gave both (95 % and 1.0 times, with the limit left high). Under overload the waiting room serves
 * its freshest waiter, so a prompt waits there briefly or is shed, instead of waiting in the engine for
 * prompts ahead of it.
 *
 * <p>What counts as awaiting: a permit from its grant until its first token ({@link Permit#onFirstToken}), its
 * release, or {@value #HOLD_FACTOR} times the unqueued first-token time of its size, whichever comes first.
 * The last bound is for non-streamed answers, whose first token the proxy never sees (their bodies come
 * whole at the end), and for a prompt stuck in the engine's queue: the concurrency limit judges that one.
 *
 * <p>How many may await at once ({@link #width}) is learned as TCP learns a window, from each first token's
 * queueing: its latency less the unqueued time of its size. Queueing beyond {@value #CONGESTED} of that
 * unqueued time (the prompt waited for another prompt's prefill) halves the width, once per round (a request
 * admitted after the last halving must report it); queueing below {@value #CALM} of it while the gate had
 * held a request back widens it by {@value #GROWTH} divided by the width. The width starts at 1 and stays
 * within {@code [1, limit]}: an engine with several prefill lanes (replicas behind one address) widens it
 * until prompts begin to wait for each other.
 *
 * <p>A backend whose first tokens do not grow with the prompt (a fixed-latency backend, no first tokens at
 * all) never closes the gate. Not thread-safe: {@link BackendAdmission} calls it under its lock.
 */
final class PrefillGate {
  static final double HOLD_FACTOR = Double.parseDouble(System.getProperty("gate.hold", "1.5"));
  static final double CONGESTED = Double.parseDouble(System.getProperty("gate.congested", "0.5"));
  static final double CALM = Double.parseDouble(System.getProperty("gate.calm", "0.25"));
  static final double GROWTH = 0.1;
  static final double QUEUED_WEIGHT = 0.1;
  static final double GAP_WEIGHT = 0.05;
  static final int PEAK_SECONDS = 2;
  static final long PEAK_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(PEAK_SECONDS);
  static final double STREAM_HOLD_FACTOR = Double.parseDouble(System.getProperty("gate.streamhold", "4"));

  private final PrefillEnvelope envelope = new PrefillEnvelope(GradientLimit.BASELINE_INTERVAL_NANOS);
  /** Permits still counted as awaiting, by the time their count lapses; stale entries are skipped. */
  private final PriorityQueue<AdmissionPermit> lapses =
      new PriorityQueue<>((a, b) -> Long.compare(a.awaitingUntil, b.awaitingUntil));
  private boolean enabled;
  private int awaiting;
  private double width = Double.parseDouble(System.getProperty("gate.minwidth", "1"));
  private long admitted;
  private long halvedAt;
  /** A request was held back by the gate alone since the width last grew. */
  private boolean heldBack;
  private long lastArrival;
  private double meanGapNanos;
  private int peak;
  private int previousPeak;
  private long peakSince;
  /** Recent first tokens' queueing (latency less the unqueued time of their size), smoothed. */
  private double queuedNanos;

  PrefillGate(boolean enabled) {
    this.enabled = enabled;
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
  boolean admits(int inFlight, long now) {
    lapse(now);
    if (!active() || awaiting < width()) {
      return true;
    }
    heldBack = true;
    return false;
  }

  /**
   * The most requests in flight at a grant over the last one to two {@value #PEAK_SECONDS} s periods; 0 when
   * none was granted.
   */
  int peakInFlight(long now) {
    roll(now);
    return Math.max(peak, previousPeak);
  }

  private void roll(long now) {
    if (now - peakSince >= PEAK_NANOS) {
      previousPeak = now - peakSince >= 2 * PEAK_NANOS ? 0 : peak;
      peak = 0;
      peakSince = now;
    }
  }

  /** A permit was granted at {@code now}: it awaits its first token. */
  void onGrant(AdmissionPermit permit, long now) {
    roll(now);
    peak = Math.max(peak, permit.inFlightAtAdmission);
    awaiting++;
    permit.awaitingSeq = ++admitted;
    permit.awaiting = true;
    long bytes = permit.requestBytes > 0 ? permit.requestBytes : envelope.referenceBytes();
    permit.awaitingUntil = now + (long) (HOLD_FACTOR * envelope.unqueuedNanos(bytes) + queuedNanos);
    lapses.add(permit);
  }

  /** The permit's first token came with {@code sample}: it no longer awaits; the width learns from it. */
  void onFirstToken(AdmissionPermit permit, LatencySample sample, int inFlightAtAdmission, long now) {
    stopAwaiting(permit);
    envelope.add(sample, now);
    if (!active() || sample.signal() != LatencySample.Signal.FIRST_TOKEN) {
      return;
    }
    long unqueued = envelope.unqueuedNanos(sample.requestBytes() > 0 ? sample.requestBytes()
        : envelope.referenceBytes());
    if (unqueued <= 0) {
      return;
    }
    long queued = sample.latencyNanos() - unqueued;
    queuedNanos += QUEUED_WEIGHT * (Math.max(0, queued) - queuedNanos);
    if (queued > CONGESTED * unqueued) {
      if (permit.awaitingSeq > halvedAt) {
        width = Math.max(Double.parseDouble(System.getProperty("gate.minwidth", "1")), width / 2);
        halvedAt = admitted;
      }
    } else if (queued < CALM * unqueued && heldBack) {
      width += GROWTH / width();
      heldBack = false;
    }
  }

  /**
   * The permit's request turned out streamed or not. A stream awaits its first token (its bound by time
   * becomes {@value #STREAM_HOLD_FACTOR} times its expected first token); a whole answer's first token will
   * never be seen, so it awaits only its expected first token: the unqueued time of its size plus the recent
   * queueing. Returns whether the gate may have opened.
   */
  boolean onRequestKind(AdmissionPermit permit, boolean streamed, long now) {
    if (!permit.awaiting) {
      return false;
    }
    long bytes = permit.requestBytes > 0 ? permit.requestBytes : envelope.referenceBytes();
    double expected = envelope.unqueuedNanos(bytes) + queuedNanos;
    lapses.remove(permit);
    permit.awaitingUntil = permit.admittedAt + (long) ((streamed ? STREAM_HOLD_FACTOR : 1) * expected);
    lapses.add(permit);
    return lapse(now);
  }

  /** The permit was released: if it still awaited its first token, it no longer does. */
  void onRelease(AdmissionPermit permit) {
    stopAwaiting(permit);
  }

  /** Bounds the width by the concurrency limit (a cut limit cannot leave more prompts awaiting). */
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
        any = true;
      }
    }
    return any;
  }

  /**
   * Whether a request the gate alone holds back (the limit would admit it) is the gate's: the limit has room.
   * Under the lock.
   */
  boolean holds(int inFlight, long now) {
    lapse(now);
    return active() && awaiting >= width();
  }

  /**
   * The gate's pace: the unqueued first-token time of a request of the reference size, the time one prompt
   * keeps the gate closed; 0 while the gate is not active.
   */
  long paceNanos() {
    return active() ? envelope.unqueuedNanos(envelope.referenceBytes()) : 0;
  }

  /**
   * Nanos from {@code now} until the gate is expected to open: the first token due soonest among the
   * awaiting permits (each permit's grant plus the unqueued time of its size), 0 when overdue or open.
   */
  long opensInNanos(long now) {
    lapse(now);
    AdmissionPermit p = lapses.peek();
    if (p == null || !active() || awaiting < width()) {
      return 0;
    }
    long due = p.admittedAt + (long) ((p.awaitingUntil - p.admittedAt - queuedNanos) / HOLD_FACTOR
        + queuedNanos);
    return Math.max(0, due - now);
  }

  /**
   * The longest a request may wait for the gate without a standing queue: the unqueued first token of the
   * largest requests seen, the longest one prompt can keep the gate closed; 0 while the gate is not active.
   */
  long longestPaceNanos() {
    return active() ? envelope.unqueuedNanos(envelope.largestBytes()) : 0;
  }

  /** A request asked for a slot at {@code now}: the arrival rate's sample. */
  void onArrival(long now) {
    if (lastArrival != 0) {
      long gap = now - lastArrival;
      meanGapNanos = meanGapNanos == 0 ? gap : meanGapNanos + GAP_WEIGHT * (gap - meanGapNanos);
    }
    lastArrival = now;
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

  private void stopAwaiting(AdmissionPermit permit) {
    if (permit.awaiting) {
      permit.awaiting = false;
      awaiting--;
    }
  }
}
