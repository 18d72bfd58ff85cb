package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;

/**
 * What {@link DecreaseRules} knows of the backend's places: how fast they free ({@link DepartureRate}) and how
 * many requests it was just seen serving at once ({@link ServedAtOnce}, from each first token), the floor of a
 * first-token decrease. Not thread-safe.
 */
final class BackendPlaces {
  /**
   * In flight beyond what the backend serves at once ({@link #queuedFor}): half as many again and
   * {@value #PLACES_MARGIN} more. Below it in flight are the requests answering, those whose prompts are being
   * computed, and the swing of a KV-bound batch (a quarter more let a fifth of non-streamed 30–60 s
   * answers at 60 % load cut the limit below the engine's free places).
   */
  static final double PLACES_FACTOR = 1.5;
  static final int PLACES_MARGIN = 4;

  private final DepartureRate departures = new DepartureRate();
  private final LatencySignals signals;
  /** What the backend served at once lately: the floor of a first-token decrease. */
  private final ServedAtOnce servedAtOnce = new ServedAtOnce(ServedAtOnce.Rank.SECOND_LARGEST);
  /**
   * How many requests were answering at once (first token come, slot still held) at each first token lately,
   * read as {@link #servedAtOnce} is: the second largest, or where prompts share the prefill the lower
   * quartile, since what an LLM engine holds at once swings with the lengths it holds (a KV-cache-bound batch
   * of 40 runs 44 half the time while others queue, and with a high count as the floor no decrease came).
   */
  private final ServedAtOnce answeringNow = new ServedAtOnce(ServedAtOnce.Rank.LOWER_QUARTILE);

  BackendPlaces(LatencySignals signals) {
    this.signals = signals;
  }

  DepartureRate departures() {
    return departures;
  }

  /**
   * Whether {@code inFlight} requests at the backend are clearly more than it was just seen serving at once
   * ({@link #PLACES_FACTOR}): some wait for a place.
   */
  boolean queuedFor(int inFlight, long now) {
    int floor = servedFloor(now);
    return floor > 0 && inFlight >= floor * PLACES_FACTOR + PLACES_MARGIN;
  }

  /** What the backend was just seen serving at once: the floor of a first-token decrease; 0 if unknown. */
  int servedFloor(long now) {
    // Where prompts share the prefill the engine is bound by its KV cache, whose batch swings with the
    // lengths it holds: a high bound is a moment of short sequences, not what it holds without a queue.
    ServedAtOnce.Rank rank = signals.prefill().matters() ? ServedAtOnce.Rank.LOWER_QUARTILE
        : ServedAtOnce.Rank.SECOND_LARGEST;
    return Math.max(servedAtOnce.floor(now, rank), answeringNow.floor(now, rank));
  }

  /**
   * Whether, where requests come with their sizes ({@link PrefillEnvelope#sized}: an LLM engine's prompts),
   * the backend has freed fewer places than it was just seen serving at once: it is still filling its
   * first batch, so what it serves at once is how far it got, not what it holds. A decrease then (of a limit
   * not reached, or a fast one) keeps slow start: on the LLM engine simulator a start at 1,024 at twice the
   * capacity came down within 3 s to the 6 to 21 an engine taking its first prompts in had started (of a batch
   * of 40), and the careful steps that follow the end of slow start held it there for the rest of the run.
   */
  boolean fillingFirstBatch(long now) {
    return signals.prefill().sized() && !signals.prefill().flatSoFar()
        && departures.seen() < Math.max(DepartureRate.MIN_RELEASES, servedFloor(now));
  }

  /**
   * Every first token, whenever admitted, bounds what the backend serves at once from below (see
   * {@link ServedAtOnce}): admitted with {@code inFlight} in flight, it started by half a baseline before it
   * came, when all those ahead of it that had not left yet (releases counted meanwhile) were running with it.
   */
  void noteServedAtOnce(LatencySample sample, long unqueuedNanos, int inFlight, int answering, long now) {
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0) {
      return;
    }
    // Every request whose answer has begun and that has not ended runs in the backend now: a count that needs
    // no guess about the order it serves in (an LLM engine's prefills share steps, so a request can wait
    // behind others' prompts while all of them hold a place in the batch).
    if (answering > 0) {
      answeringNow.add(answering, now);
    }
    // It started by its own unqueued time before its first token (a long prompt's prefill takes a second:
    // places freeing meanwhile ran beside it, they were not ahead of it), by half a baseline if unknown.
    long startedBy = now - Math.max(baseline / 2, Math.min(unqueuedNanos, sample.latencyNanos()));
    int left = departures.between(now - sample.latencyNanos(), startedBy);
    if (left >= 0) {
      servedAtOnce.add(inFlight - left, now);
    }
  }
}
