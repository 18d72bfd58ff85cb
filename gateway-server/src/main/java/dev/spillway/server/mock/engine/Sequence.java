package dev.spillway.server.mock.engine;

import java.util.Objects;

/**
 * One request inside the engine. Made by the connection that carries it, then owned by the engine's event loop:
 * only the engine reads or writes its state. The getters are meaningful once the listener has been called.
 */
public final class Sequence {
  /** Where the sequence is in the engine. */
  enum State { NEW, WAITING, RUNNING, FINISHED, ABORTED, REJECTED }

  final LengthSampler.Asked asked;
  final SequenceListener listener;
  State state = State.NEW;
  int promptTokens;
  int answerTokens;
  boolean lengthLimited;
  /** Tokens generated so far; kept across a preemption, which recomputes them with the prompt. */
  int generated;
  /** Tokens to compute before the next token can be sampled: the prompt, plus what was generated if preempted. */
  int prefillTarget;
  int prefilled;
  /** KV-cache tokens held while running. */
  int kv;
  /** Prompt tokens computed in the step under way, or 0 for a decode. */
  int chunk;
  long arrivalNanos;
  boolean firstTokenSeen;

  /** {@code asked} holds the request's own lengths ({@code -1} where it says nothing). */
  public Sequence(LengthSampler.Asked asked, SequenceListener listener) {
    this.asked = Objects.requireNonNull(asked, "asked");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  public int promptTokens() {
    return promptTokens;
  }

  public int answerTokens() {
    return answerTokens;
  }

  /** True when the answer stopped at the request's {@code max_tokens}. */
  public boolean lengthLimited() {
    return lengthLimited;
  }

  boolean decoding() {
    return prefilled >= prefillTarget;
  }
}
