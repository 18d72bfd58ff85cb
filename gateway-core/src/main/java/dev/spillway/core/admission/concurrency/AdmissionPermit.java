package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.PriorityClass;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/** The {@link Permit} {@link BackendAdmission} hands out: the first completion releases the slot, later ones do nothing. */
final class AdmissionPermit implements Permit {
  private static final AtomicIntegerFieldUpdater<AdmissionPermit> COMPLETED =
      AtomicIntegerFieldUpdater.newUpdater(AdmissionPermit.class, "completed");

  private final BackendAdmission owner;
  private final PriorityClass priority;
  private final int inFlightAtAdmission;
  private volatile int completed;

  AdmissionPermit(BackendAdmission owner, PriorityClass priority, int inFlightAtAdmission) {
    this.owner = owner;
    this.priority = priority;
    this.inFlightAtAdmission = inFlightAtAdmission;
  }

  @Override
  public void onSuccess(long ttfbNanos, long totalNanos, long outputTokens) {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      owner.release(priority, Completion.SUCCESS, inFlightAtAdmission, ttfbNanos, totalNanos, outputTokens);
    }
  }

  @Override
  public void onIgnore() {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      owner.release(priority, Completion.IGNORE, inFlightAtAdmission, 0, 0, 0);
    }
  }

  @Override
  public void onDropped() {
    if (COMPLETED.compareAndSet(this, 0, 1)) {
      owner.release(priority, Completion.DROPPED, inFlightAtAdmission, 0, 0, 0);
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
