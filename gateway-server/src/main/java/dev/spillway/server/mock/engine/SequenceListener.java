package dev.spillway.server.mock.engine;

/**
 * Hears what the engine does with one {@link Sequence}. Every call runs on the engine's event loop, in order;
 * after {@link #onFinished} or {@link #onRejected} nothing more follows.
 */
public interface SequenceListener {
  /** {@code count} more tokens were generated (the first call carries the first token). */
  void onTokens(int count);

  /** The last token was generated; the sequence's lengths are final. */
  void onFinished(Sequence sequence);

  /** The engine refused the request; nothing was generated. */
  void onRejected(Sequence sequence, Rejection rejection);

  /** Why the engine refused a request. */
  enum Rejection {
    /** The waiting queue held {@code engineQueue} requests already. */
    QUEUE_FULL,
    /** Prompt plus answer exceed the KV-cache budget, so the request could never run. */
    TOO_LONG
  }
}
