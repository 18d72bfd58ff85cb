package dev.spillway.server.mock.engine;

import java.util.ArrayList;
import java.util.List;

/** A listener that records what the engine told one sequence, for tests. */
final class Recorder implements SequenceListener {
  final List<Long> tokenTimes = new ArrayList<>();
  final java.util.function.LongSupplier clock;
  int tokens;
  boolean finished;
  Rejection rejection;

  Recorder(java.util.function.LongSupplier clock) {
    this.clock = clock;
  }

  Recorder() {
    this(() -> 0L);
  }

  @Override
  public void onTokens(int count) {
    if (finished || rejection != null) {
      throw new AssertionError("token after the end");
    }
    tokens += count;
    tokenTimes.add(clock.getAsLong());
  }

  @Override
  public void onFinished(Sequence sequence) {
    if (finished) {
      throw new AssertionError("finished twice");
    }
    finished = true;
  }

  @Override
  public void onRejected(Sequence sequence, Rejection rejection) {
    this.rejection = rejection;
  }
}
