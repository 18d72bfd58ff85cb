package dev.spillway.server.mock.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Continuous batching as vLLM's scheduler does it, without the GPU: a FCFS waiting queue, a running batch
 * bounded by {@code maxRunning} sequences and by the KV-cache budget, and steps that each decode one token for
 * every running sequence and spend what is left of the step's token budget on prompt chunks (chunked prefill).
 *
 * <p>A step is planned ({@link #planStep}), lasts the time it returns, and is then completed
 * ({@link #completeStep}), which hands out the tokens. The driver ({@link LlmEngine}) does the waiting; this
 * class knows no clock but the times it is given, so tests drive it step by step.
 *
 * <p>A request is admitted to the batch when a slot is free and its prompt (plus what it had generated before a
 * preemption) fits in the free KV cache, in arrival order: a head that does not fit blocks the ones behind it.
 * When the running sequences' next tokens would overflow the KV cache, the most recently admitted sequence is
 * preempted back to the head of the queue and later recomputed, as vLLM's recompute preemption does.
 *
 * <p>Not thread-safe: one event loop owns it.
 */
final class BatchScheduler {
  /** What {@link #offer} did with a sequence. */
  enum Offer { ACCEPTED, QUEUE_FULL, TOO_LONG }

  private final EngineOptions options;
  private final LengthSampler sampler;
  private final EngineStats stats;
  private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
  private final ArrayList<Sequence> running = new ArrayList<>();
  private final ArrayList<Sequence> step = new ArrayList<>();
  private long kvUsed;

  BatchScheduler(EngineOptions options, LengthSampler sampler, EngineStats stats) {
    this.options = options;
    this.sampler = sampler;
    this.stats = stats;
  }

  /**
   * Decides the sequence's lengths and queues it, unless the queue is full or it can never fit. A request that
   * could join the batch right away is accepted even with a full (or zero-sized) queue.
   */
  Offer offer(Sequence seq, long nowNanos) {
    LengthSampler.Lengths lengths = sampler.resolve(seq.asked);
    seq.promptTokens = lengths.promptTokens();
    seq.answerTokens = lengths.answerTokens();
    seq.lengthLimited = lengths.lengthLimited();
    seq.prefillTarget = seq.promptTokens;
    if ((long) seq.promptTokens + seq.answerTokens > options.kvCacheTokens()) {
      seq.state = Sequence.State.REJECTED;
      stats.rejected.increment();
      return Offer.TOO_LONG;
    }
    if (waiting.size() >= options.engineQueue() && !(waiting.isEmpty() && fits(seq))) {
      seq.state = Sequence.State.REJECTED;
      stats.rejected.increment();
      return Offer.QUEUE_FULL;
    }
    seq.state = Sequence.State.WAITING;
    seq.arrivalNanos = nowNanos;
    waiting.addLast(seq);
    publish();
    return Offer.ACCEPTED;
  }

  /** Frees the sequence's slot and KV cache, or its queue place; nothing more is generated for it. */
  void abort(Sequence seq) {
    switch (seq.state) {
      case WAITING -> waiting.remove(seq);
      case RUNNING -> {
        running.remove(seq);
        kvUsed -= seq.kv;
        seq.kv = 0;
      }
      default -> {
        return;
      }
    }
    seq.state = Sequence.State.ABORTED;
    stats.aborted.increment();
    publish();
  }

  /** Schedules the next step and returns how long it takes, or {@code -1} when there is nothing to run. */
  long planStep() {
    preemptForGrowth();
    step.clear();
    int budget = options.maxBatchedTokens();
    long prefillTokens = 0;
    for (Sequence seq : running) {
      if (seq.decoding()) {
        seq.chunk = 0;
        budget--;
        step.add(seq);
      }
    }
    for (Sequence seq : running) {
      if (!seq.decoding() && budget > 0) {
        budget -= schedulePrefill(seq, budget);
        prefillTokens += seq.chunk;
        step.add(seq);
      }
    }
    while (budget > 0 && !waiting.isEmpty() && fits(waiting.peekFirst())) {
      Sequence seq = waiting.pollFirst();
      seq.state = Sequence.State.RUNNING;
      seq.prefilled = 0;
      seq.kv = seq.prefillTarget;
      kvUsed += seq.kv;
      running.add(seq);
      budget -= schedulePrefill(seq, budget);
      prefillTokens += seq.chunk;
      step.add(seq);
    }
    publish();
    return step.isEmpty() ? -1 : options.stepNanos(running.size(), prefillTokens);
  }

  /** Ends the planned step at {@code nowNanos}: prompt chunks count, and every sequence due a token gets it. */
  void completeStep(long nowNanos) {
    for (Sequence seq : step) {
      if (seq.state != Sequence.State.RUNNING) {
        continue; // aborted while the step ran
      }
      if (seq.chunk > 0) {
        seq.prefilled += seq.chunk;
        stats.promptTokens.add(seq.chunk);
        seq.chunk = 0;
        if (!seq.decoding()) {
          continue;
        }
      }
      seq.generated++;
      seq.kv++;
      kvUsed++;
      stats.generationTokens.increment();
      if (!seq.firstTokenSeen) {
        seq.firstTokenSeen = true;
        stats.ttft.observe((nowNanos - seq.arrivalNanos) / 1e9);
      }
      seq.listener.onTokens(1);
      if (seq.generated >= seq.answerTokens && seq.state == Sequence.State.RUNNING) {
        finish(seq, nowNanos);
      }
    }
    step.clear();
    publish();
  }

  int running() {
    return running.size();
  }

  int waiting() {
    return waiting.size();
  }

  long kvUsed() {
    return kvUsed;
  }

  /** The sequences of the step under way, for tests. */
  List<Sequence> stepSequences() {
    return step;
  }

  private boolean fits(Sequence seq) {
    return running.size() < options.maxRunning() && kvUsed + seq.prefillTarget + 1 <= options.kvCacheTokens();
  }

  private int schedulePrefill(Sequence seq, int budget) {
    seq.chunk = Math.min(seq.prefillTarget - seq.prefilled, budget);
    return seq.chunk;
  }

  /** Each running sequence may add one KV token this step; make room by preempting the newest ones. */
  private void preemptForGrowth() {
    while (!running.isEmpty() && kvUsed + running.size() > options.kvCacheTokens()) {
      Sequence victim = running.remove(running.size() - 1);
      kvUsed -= victim.kv;
      victim.kv = 0;
      victim.prefilled = 0;
      victim.prefillTarget = victim.promptTokens + victim.generated;
      victim.state = Sequence.State.WAITING;
      waiting.addFirst(victim);
      stats.preemptions.increment();
    }
  }

  private void finish(Sequence seq, long nowNanos) {
    running.remove(seq);
    kvUsed -= seq.kv;
    seq.kv = 0;
    seq.state = Sequence.State.FINISHED;
    (seq.lengthLimited ? stats.finishedLength : stats.finishedStop).increment();
    stats.e2e.observe((nowNanos - seq.arrivalNanos) / 1e9);
    seq.listener.onFinished(seq);
  }

  private void publish() {
    stats.publish(running.size(), waiting.size(), kvUsed);
  }
}
