package dev.spillway.core.admission.concurrency;

/** A request's place in the waiting room, held so that a client who leaves can give it up. */
public interface Waiter {

  /** A waiter for a request that was answered at once: there is nothing to cancel. */
  Waiter NOOP = () -> { };

  /**
   * Leaves the waiting room: no callback runs after this returns. If a permit was granted but not yet
   * delivered, it is released. Calling it more than once, or after the callback ran, does nothing.
   */
  void cancel();
}
