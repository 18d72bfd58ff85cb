package dev.spillway.core.proxy;

/**
 * The state machine of one exchange: where it is, and the only moves it can make. {@link ProxyExchange} moves
 * it as events arrive, {@link ExchangeEnding} when the exchange ends; everything else only asks. One event loop,
 * no locking.
 *
 * <pre>
 * ADMITTING ⇄ HOLDING_PREFIX         admission reads a prefix of the body, then decides
 * ADMITTING → AWAITING_BODY          admitted; a replayable body is still arriving
 * ADMITTING | AWAITING_BODY → FORWARDING
 * any → DONE                         answered, broken off, finished or abandoned
 * DONE → DISCARDING → DONE           right after an early answer: the rest of a small body is read and dropped
 * </pre>
 *
 * Assertions (on in tests) check that each move starts where the table says.
 */
final class ExchangeState {
  /** Where the exchange is. */
  enum Phase {
    /** Checked and routed (or being checked); admission decides, or the request waits in the room. */
    ADMITTING,
    /** Admission needs a prefix of the body to decide: pieces are held and fed to it. */
    HOLDING_PREFIX,
    /** Admitted, but a replayable body is still arriving; the first attempt starts when it is complete. */
    AWAITING_BODY,
    /** Attempts run: connecting, sending, and streaming the response once its head came. */
    FORWARDING,
    /** Answered early; the rest of a small body is read and dropped so the connection can be kept. */
    DISCARDING,
    /** Over: every later event is ignored and every later buffer released. */
    DONE
  }

  private Phase phase = Phase.ADMITTING;

  Phase phase() {
    return phase;
  }

  /** Whether the exchange has ended (it may still drop the rest of a body). */
  boolean isDone() {
    return phase == Phase.DISCARDING || phase == Phase.DONE;
  }

  boolean isDiscarding() {
    return phase == Phase.DISCARDING;
  }

  /** Whether body pieces are held for admission or a replay, so the client is read regardless. */
  boolean holdsBody() {
    return phase == Phase.HOLDING_PREFIX || phase == Phase.AWAITING_BODY;
  }

  /** Admission has to see a prefix of the body before it decides. */
  void holdPrefix() {
    assert phase == Phase.ADMITTING : phase;
    phase = Phase.HOLDING_PREFIX;
  }

  /** Admission has seen enough of the body and decides. */
  void prefixSeen() {
    assert phase == Phase.HOLDING_PREFIX : phase;
    phase = Phase.ADMITTING;
  }

  /** Admitted; the first attempt waits for the rest of a replayable body. */
  void awaitBody() {
    assert phase == Phase.ADMITTING : phase;
    phase = Phase.AWAITING_BODY;
  }

  /** Attempts start. */
  void forward() {
    assert phase == Phase.ADMITTING || phase == Phase.AWAITING_BODY : phase;
    phase = Phase.FORWARDING;
  }

  /** The exchange ends: answered, broken off, finished or abandoned. Each exchange ends once. */
  void end() {
    assert !isDone() : phase;
    phase = Phase.DONE;
  }

  /** Just ended by an early answer: the rest of the body is read and dropped. */
  void discardRest() {
    assert phase == Phase.DONE : phase;
    phase = Phase.DISCARDING;
  }

  /** The dropped body has ended. */
  void drained() {
    assert phase == Phase.DISCARDING : phase;
    phase = Phase.DONE;
  }
}
