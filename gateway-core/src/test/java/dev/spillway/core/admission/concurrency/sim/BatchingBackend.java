package dev.spillway.core.admission.concurrency.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A continuous-batching LLM engine (vLLM-like): up to {@code maxRunning} sequences decode together, one token
 * each per step; a step takes {@code decodeStep + perSeq * running}, plus the prefill of sequences joining the
 * batch in it (their first token comes at its end). Requests beyond the batch wait in the engine's own FIFO
 * queue (time to first token grows with it); past {@code queueCapacity} the engine rejects.
 */
final class BatchingBackend implements SimBackend {
  private final int maxRunning;
  private final long decodeStepNanos;
  private final long perSeqNanos;
  private final double prefillTokensPerNano;
  private final int queueCapacity;
  private final ArrayDeque<SimRequest> waiting = new ArrayDeque<>();
  private final List<Seq> running = new ArrayList<>();
  private boolean stepping;

  BatchingBackend(int maxRunning, long decodeStepNanos, long perSeqNanos, double prefillTokensPerSecond,
      int queueCapacity) {
    this.maxRunning = maxRunning;
    this.decodeStepNanos = decodeStepNanos;
    this.perSeqNanos = perSeqNanos;
    this.prefillTokensPerNano = prefillTokensPerSecond / 1e9;
    this.queueCapacity = queueCapacity;
  }

  @Override
  public void submit(SimRequest r, long now, Simulation sim) {
    if (waiting.size() >= queueCapacity) {
      sim.rejected(r, now);
      return;
    }
    waiting.addLast(r);
    if (!stepping) {
      step(now, sim);
    }
  }

  private void step(long now, Simulation sim) {
    long prefill = 0;
    while (running.size() < maxRunning && !waiting.isEmpty()) {
      SimRequest r = waiting.pollFirst();
      running.add(new Seq(r));
      prefill += r.promptTokens;
    }
    if (running.isEmpty()) {
      stepping = false;
      return;
    }
    stepping = true;
    long end = now + decodeStepNanos + perSeqNanos * running.size() + (long) (prefill / prefillTokensPerNano);
    sim.at(end, () -> {
      List<SimRequest> done = new ArrayList<>();
      running.removeIf(seq -> {
        if (seq.generated++ == 0) {
          seq.request.firstTokenAt = end;
        }
        if (seq.generated >= seq.request.outputTokens) {
          done.add(seq.request);
          return true;
        }
        return false;
      });
      step(end, sim);
      for (SimRequest r : done) {
        sim.finished(r, end);
      }
    });
  }

  private static final class Seq {
    final SimRequest request;
    int generated;

    Seq(SimRequest request) {
      this.request = request;
    }
  }
}
