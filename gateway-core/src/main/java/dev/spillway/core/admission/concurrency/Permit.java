package dev.spillway.core.admission.concurrency;

/**
 * A slot of a backend's concurrency limit, held while a request is in flight. Exactly one completion takes
 * effect; later calls do nothing (so every path may complete it without checking).
 */
public interface Permit {

  /** The backend answered cleanly: {@code sample} feeds the adaptive limit ({@link LatencySample#NONE} if none). */
  void onSuccess(LatencySample sample);

  /**
   * An event stream's first content arrived: {@code sample} (its {@link LatencySample#firstToken}) feeds the
   * adaptive limit now rather than when the stream ends, seconds or minutes later, so a queueing engine is
   * noticed within a few first tokens and a restarted gateway learns from streams still running. The
   * permit stays held; its completion then carries no second sample. A permit with no adaptive limit
   * behind it has nothing to learn, hence the default.
   */
  default void onFirstToken(LatencySample sample) {}

  /**
   * The request asked for a streamed answer ({@code true}) or a whole one: tells the prefill gate whether a
   * first token will be seen. Call at most once, before the answer begins; the default ignores it.
   */
  default void onRequestKind(boolean streamed) {}

  /** Finished without a meaningful latency sample (client cancel, 4xx, a gateway error of our own). */
  void onIgnore();

  /**
   * Evidence of backend overload (a 429/503/529 from the backend, or a timeout after the request was sent):
   * shrinks an adaptive limit, at most once per measurement window.
   */
  void onDropped();
}
