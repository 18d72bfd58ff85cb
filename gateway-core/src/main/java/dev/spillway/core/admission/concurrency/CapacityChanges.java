package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.AdmissionPermit.Completion;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.incident.LimitOverride;
import dev.spillway.core.time.Ticker;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Everything that changes what one backend can take besides an admission: its permits' reports (latency
 * samples, request kinds, completions), an operator's override, engine metrics that move the limit, and a
 * reloaded config. Each change may let waiters in, so each is followed by serving the room ({@link RoomService}).
 *
 * <p>Holds no lock of its own: each change runs under {@link BackendAdmission}'s lock, and the answers it
 * decides are delivered after that lock is released.
 */
final class CapacityChanges {
  private final ReentrantLock lock;
  private final Ticker ticker;
  private final LimitInForce limit;
  private final WaitingRoom room;
  private final SlotShares slots;
  private final RoomTimeouts timeouts;
  private final PrefillGate gate;
  private final RoomService service;
  /** Whether permits are to be told their request's kind ({@link #wantsKind()}); follows reloads. */
  private volatile boolean wantsKind;

  CapacityChanges(ReentrantLock lock, Ticker ticker, ConcurrencyConfig concurrency, LimitInForce limit,
      WaitingRoom room, SlotShares slots, RoomTimeouts timeouts, PrefillGate gate, RoomService service) {
    this.lock = lock;
    this.ticker = ticker;
    this.limit = limit;
    this.room = room;
    this.slots = slots;
    this.timeouts = timeouts;
    this.gate = gate;
    this.service = service;
    this.wantsKind = gates(concurrency);
  }

  /** Whether {@code concurrency} turns the {@link PrefillGate} on. */
  static boolean gates(ConcurrencyConfig concurrency) {
    return concurrency.mode() == ConcurrencyConfig.Mode.ADAPTIVE && concurrency.prefillGate();
  }

  /** {@link BackendAdmission#wantsRequestKind}; any thread. */
  boolean wantsKind() {
    return wantsKind;
  }

  /**
   * A latency sample from a request still in flight ({@link Permit#onFirstToken}); serves waiters if the limit
   * grew or the prefill gate opened.
   */
  void sample(AdmissionPermit permit, int inFlightAtAdmission, long window, LatencySample sample) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.onSample(sample, inFlightAtAdmission, window, now);
      gate.onFirstToken(permit, sample, now);
      if (gate.active() && timeouts.overloaded()) {
        // Under overload the gate, not the limit, holds requests back: a limit far above what is in flight
        // would neither be reached nor judged, and says nothing on the status page.
        limit.onUnused(gate.peakInFlight(now), now);
      }
      gate.bound(limit.current());
      timeouts.floorCodel(gate.longestPaceNanos(), 2 * gate.longestPaceNanos(), !gate.active() || gate.saturated());
      answered = service.serve(now);
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }

  /** The permit's request asked for a streamed answer or not ({@link PrefillGate#onRequestKind}). */
  void requestKind(AdmissionPermit permit, boolean streamed) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      answered = gate.onRequestKind(permit, streamed, now) ? service.serve(now) : null;
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }

  /** A permit completed: its slot frees, and the limit learns from how it went. */
  void release(AdmissionPermit permit, PriorityClass c, Completion completion, int inFlightAtAdmission,
      long window, long admittedAt, LatencySample sample, boolean answering) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      slots.release(c);
      gate.onRelease(permit, now);
      limit.onRelease(completion, inFlightAtAdmission, window, now - admittedAt, sample, answering, now);
      answered = service.serve(now);
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }

  /** {@link BackendAdmission#override}. */
  void override(LimitOverride next) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.override(next);
      answered = service.serve(now);
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }

  /** {@link BackendAdmission#refreshLimit}. */
  void refresh() {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.refresh(slots.inFlight(), room.size());
      answered = service.serve(now);
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }

  /** {@link BackendAdmission#reconfigure}; the arguments are checked there. */
  void reconfigure(ConcurrencyConfig concurrency, WaitingRoomConfig nextRoom, EngineLoad engineLoad) {
    long now = ticker.nanoTime();
    QueuedWaiter answered;
    lock.lock();
    try {
      limit.reconfigure(concurrency, engineLoad);
      gate.enable(gates(concurrency));
      wantsKind = gates(concurrency);
      room.resize(nextRoom.maxQueue());
      timeouts.reconfigure(nextRoom);
      slots.reshare(nextRoom.shares());
      answered = service.serve(now);
    } finally {
      lock.unlock();
    }
    RoomService.dispatchAll(answered);
  }
}
