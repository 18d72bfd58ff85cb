package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.PriorityClass;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrefillGateTest {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  /** An engine computing 8,000 prompt tokens a second at 4 bytes a token: 31.25 µs a byte, plus 10 ms. */
  static final double NANOS_PER_BYTE = 1e9 / 32_000;
  static final long BYTES = 4000;

  private long now = 1;

  static long unqueued(long bytes) {
    return 10 * MS + (long) (bytes * NANOS_PER_BYTE);
  }

  private AdmissionPermit grant(PrefillGate gate, long bytes) {
    AdmissionPermit permit = new AdmissionPermit(null, PriorityClass.STANDARD, 1, 0, now, bytes);
    gate.onGrant(permit, now);
    return permit;
  }

  /** Serves requests one at a time, unqueued, with sizes from 100 bytes to 32 KB: the envelope is learned. */
  private void teachAnEngine(PrefillGate gate) {
    Random random = new Random(1);
    for (int i = 0; i < 300; i++) {
      long bytes = (long) (BYTES * Math.exp(0.9 * random.nextGaussian())) + 100;
      AdmissionPermit p = grant(gate, bytes);
      now += unqueued(bytes);
      gate.onFirstToken(p, LatencySample.firstToken(unqueued(bytes)).withRequestBytes(bytes), now);
      gate.onRelease(p, now);
    }
  }

  @Test
  void aBackendWhoseFirstTokensDoNotGrowWithThePromptIsNeverHeldBack() {
    PrefillGate gate = new PrefillGate(true);
    Random random = new Random(2);
    for (int i = 0; i < 300; i++) {
      long bytes = 200 + random.nextInt(4000);
      grant(gate, bytes);
      now += MS;
      gate.onFirstToken(grant(gate, bytes), LatencySample.firstToken(30 * MS + random.nextInt(2_000_000))
          .withRequestBytes(bytes), now);
    }
    assertThat(gate.active()).isFalse();
    assertThat(gate.awaiting()).isGreaterThan(100);
    assertThat(gate.admits(now)).isTrue();
  }

  @Test
  void onAnEngineTheNextPromptWaitsForTheFirstTokenOfTheLast() {
    PrefillGate gate = new PrefillGate(true);
    teachAnEngine(gate);
    assertThat(gate.active()).isTrue();
    assertThat(gate.width()).isEqualTo(1);

    AdmissionPermit first = grant(gate, BYTES);
    gate.onRequestKind(first, true, now);
    assertThat(gate.admits(now)).as("one prompt is being computed").isFalse();
    assertThat(gate.opensInNanos(now)).isBetween(unqueued(BYTES) - 5 * MS, unqueued(BYTES) + 5 * MS);
    now += unqueued(BYTES);
    gate.onFirstToken(first, LatencySample.firstToken(unqueued(BYTES)).withRequestBytes(BYTES), now);
    assertThat(gate.admits(now)).isTrue();
    gate.onRelease(first, now);
    assertThat(gate.awaiting()).isZero();
  }

  @Test
  void aWholeAnswerKeepsTheGateClosedOnlyUntilItsExpectedFirstToken() {
    PrefillGate gate = new PrefillGate(true);
    teachAnEngine(gate);
    AdmissionPermit whole = grant(gate, BYTES);
    gate.onRequestKind(whole, false, now);
    assertThat(gate.admits(now)).isFalse();
    now += unqueued(BYTES) + 5 * MS;
    assertThat(gate.admits(now)).as("its prompt should be computed by now").isTrue();
    assertThat(gate.awaiting()).isZero();
    gate.onRelease(whole, now);
    assertThat(gate.awaiting()).isZero();
  }

  @Test
  void aStreamWaitingForAPlaceKeepsTheGateClosedButABackendThatNeverAnswersDoesNot() {
    PrefillGate gate = new PrefillGate(true);
    teachAnEngine(gate);
    AdmissionPermit stream = grant(gate, BYTES);
    gate.onRequestKind(stream, true, now);
    now += 5 * unqueued(BYTES);
    assertThat(gate.admits(now)).as("queued in the engine for a place").isFalse();
    now += (long) (PrefillGate.STREAM_HOLD * unqueued(BYTES));
    assertThat(gate.admits(now)).as("no first token after ten times the expected one").isTrue();
  }

  @Test
  void aRequestOfUnknownKindAwaitsOneAndAHalfTimesItsExpectedFirstToken() {
    PrefillGate gate = new PrefillGate(true);
    teachAnEngine(gate);
    grant(gate, BYTES);
    now += unqueued(BYTES) + 5 * MS;
    assertThat(gate.admits(now)).isFalse();
    now += unqueued(BYTES) / 2;
    assertThat(gate.admits(now)).isTrue();
  }

  @Test
  void theWidthHalvesWhenPromptsWaitForEachOtherAndGrowsWhenTheyDoNot() {
    PrefillGate gate = new PrefillGate(true);
    teachAnEngine(gate);
    // Calm first tokens while requests were held back: one more lane is tried, a tenth of a place at a time.
    int calm = 0;
    for (; calm < 20 && gate.width() < 2; calm++) {
      AdmissionPermit p = grant(gate, BYTES);
      assertThat(gate.admits(now)).isFalse();
      now += unqueued(BYTES);
      gate.onFirstToken(p, LatencySample.firstToken(unqueued(BYTES)).withRequestBytes(BYTES), now);
      gate.onRelease(p, now);
    }
    assertThat(gate.width()).isEqualTo(2);
    assertThat(calm).isBetween(10, 11);

    // Two prompts computed together: each waits for the other's prefill.
    AdmissionPermit a = grant(gate, BYTES);
    AdmissionPermit b = grant(gate, BYTES);
    now += 2 * unqueued(BYTES);
    gate.onFirstToken(a, LatencySample.firstToken(2 * unqueued(BYTES)).withRequestBytes(BYTES), now);
    assertThat(gate.width()).isEqualTo(1);
    gate.onFirstToken(b, LatencySample.firstToken(2 * unqueued(BYTES)).withRequestBytes(BYTES), now);
    assertThat(gate.width()).as("once per round: b was admitted before the halving").isEqualTo(1);
  }

  @Test
  void aDisabledGateNeverHoldsBack() {
    PrefillGate gate = new PrefillGate(false);
    teachAnEngine(gate);
    grant(gate, BYTES);
    assertThat(gate.active()).isFalse();
    assertThat(gate.admits(now)).isTrue();
    gate.enable(true);
    assertThat(gate.admits(now)).as("turned on by a reload, it counts what was granted before").isFalse();
  }
}
