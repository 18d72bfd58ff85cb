package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.PriorityClass;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** The {@link Permit} {@link BackendAdmission} hands out: the first completion releases the slot, later ones do nothing. */
final class AdmissionPermit implements Permit {
  private static final AtomicIntegerFieldUpdater<AdmissionPermit> COMPLETED =
      AtomicIntegerFieldUpdater.newUpdater(AdmissionPermit.class, "completed");

  private final CapacityChanges capacity;
  private final PriorityClass priority;
  final int inFlightAtAdmission;
  /** The limit's measurement window this request was admitted in. */
  private final long window;
  final long admittedAt;
  /** The request body's size, or -1 when unknown. */
  final long requestBytes;
  /** {@link PrefillGate}'s state for this permit; guarded by {@link BackendAdmission}'s lock. */
  boolean awaiting;
  long awaitingUntil;
  long firstTokenDue;
  /** The request asked for a stream ({@link Permit#onRequestKind}). */
  boolean streamed;
  long awaitingSeq;
  private volatile int completed;
  /** The latency sample was already given by {@link #onFirstToken}; written and read on one event loop. */
  private boolean sampled;

  AdmissionPermit(CapacityChanges capacity, PriorityClass priority, int inFlightAtAdmission, long window,
      long admittedAt, long requestBytes) {
    this.capacity = capacity;
    this.requestBytes = requestBytes;
    this.priority = priority;
    this.inFlightAtAdmission = inFlightAtAdmission;
    this.window = window;
    this.admittedAt = admittedAt;
  }

  @Override
  public void onFirstToken(LatencySample sample) {
    if (completed == 0 && !sampled && sample != null && sample.signal() != LatencySample.Signal.NONE) {
      sampled = true;
      capacity.sample(this, inFlightAtAdmission, window, sample);
    }
  }

  @Override
  public void onRequestKind(boolean streamed) {
    if (completed == 0) {
      capacity.requestKind(this, streamed);
    }
  }

  @Override
  public void onSuccess(LatencySample sample) {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      capacity.release(this, priority, Completion.SUCCESS, inFlightAtAdmission, window, admittedAt,
          sampled || sample == null ? LatencySample.NONE : sample, sampled);
    }
  }

  @Override
  public void onIgnore() {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      capacity.release(this, priority, Completion.IGNORE, inFlightAtAdmission, window, admittedAt, LatencySample.NONE,
          sampled);
    }
  }

  @Override
  public void onDropped() {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      capacity.release(this, priority, Completion.DROPPED, inFlightAtAdmission, window, admittedAt, LatencySample.NONE,
          sampled);
    }
  }

  boolean isCompleted() {
    return completed != 0;
  }

  enum Completion {
    SUCCESS,
    IGNORE,
    DROPPED
  }
}
