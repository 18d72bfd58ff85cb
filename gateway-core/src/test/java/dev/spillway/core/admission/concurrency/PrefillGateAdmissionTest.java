package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PrefillGate} inside {@link BackendAdmission}: on an LLM-like backend (first tokens that grow with the
 * prompt), a request the limit would admit waits in the room while the last admitted prompt is still being
 * computed, and is served by that prompt's first token, or when a whole answer's expected first token passes.
 */
class PrefillGateAdmissionTest {
  static final long BYTES = 4000;

  static Duration unqueued(long bytes) {
    return Duration.ofNanos(PrefillGateTest.unqueued(bytes));
  }

  private static AdmissionRig rig(boolean gate) {
    return new AdmissionRig(new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 64, 4, 1024, null, gate),
        AdmissionRig.room(100, AdmissionRig.noShares()));
  }

  private static AdmissionRig.Call ask(AdmissionRig rig, String name, long bytes) {
    return rig.acquire(name, new WaitRequest(PriorityClass.STANDARD, name, false, WaitRequest.NO_DEADLINE, bytes));
  }

  /** One request at a time, each answered without queueing after its prompt's prefill. */
  private static void teachAnEngine(AdmissionRig rig) {
    Random random = new Random(1);
    for (int i = 0; i < 300; i++) {
      long bytes = (long) (BYTES * Math.exp(0.9 * random.nextGaussian())) + 100;
      AdmissionRig.Call c = ask(rig, "t" + i, bytes);
      assertThat(c.permit).isNotNull();
      c.permit.onRequestKind(true);
      rig.advance(unqueued(bytes));
      c.permit.onFirstToken(LatencySample.firstToken(unqueued(bytes).toNanos()).withRequestBytes(bytes));
      c.permit.onSuccess(LatencySample.NONE);
      rig.runPending();
    }
  }

  @Test
  void theNextPromptWaitsInTheRoomUntilTheLastOneBeginsToAnswer() {
    try (AdmissionRig rig = rig(true)) {
      teachAnEngine(rig);
      assertThat(rig.admission.prefillGateWidth()).isEqualTo(1);
      AdmissionRig.Call a = ask(rig, "a", BYTES);
      a.permit.onRequestKind(true);
      AdmissionRig.Call b = ask(rig, "b", BYTES);
      assertThat(b.waiting()).as("the limit has room, the engine's prefill has not").isTrue();
      assertThat(rig.admission.queued()).isEqualTo(1);

      rig.advance(unqueued(BYTES));
      a.permit.onFirstToken(LatencySample.firstToken(unqueued(BYTES).toNanos()).withRequestBytes(BYTES));
      rig.runPending();
      assertThat(b.permit).as("served by a's first token").isNotNull();
      assertThat(rig.admission.inFlight()).isEqualTo(2);
      a.permit.onSuccess(LatencySample.NONE);
      b.permit.onIgnore();
      rig.runPending();
      assertThat(rig.admission.inFlight()).isZero();
    }
  }

  @Test
  void aWholeAnswerHoldsTheNextPromptOnlyUntilItsExpectedFirstTokenEvenWithNothingElseHappening() {
    try (AdmissionRig rig = rig(true)) {
      teachAnEngine(rig);
      AdmissionRig.Call a = ask(rig, "a", BYTES);
      a.permit.onRequestKind(false);
      AdmissionRig.Call b = ask(rig, "b", BYTES);
      assertThat(b.waiting()).isTrue();
      rig.advance(unqueued(BYTES).plusMillis(20));
      rig.runPending();
      assertThat(b.permit).as("the gate's timer served it").isNotNull();
      a.done();
      b.done();
    }
  }

  @Test
  void turnedOffItLetsEveryRequestTheLimitAllowsThrough() {
    try (AdmissionRig rig = rig(false)) {
      teachAnEngine(rig);
      assertThat(rig.admission.prefillGateWidth()).isZero();
      AdmissionRig.Call a = ask(rig, "a", BYTES);
      AdmissionRig.Call b = ask(rig, "b", BYTES);
      assertThat(b.permit).isNotNull();
      a.done();
      b.done();
    }
  }

  /**
   * Only the gate uses a request's kind, and reading it costs a JSON pass over every body (measured: Spillway's
   * own shed p99 on the LLM simulator went from about 1 ms to 3-4 ms while every request was read): a backend
   * asks for it only while its gate is on, and a reload turns that with the gate.
   */
  @Test
  void permitsAreToldTheRequestsKindOnlyWhileTheGateIsOn() {
    try (AdmissionRig off = rig(false); AdmissionRig on = rig(true)) {
      assertThat(off.admission.wantsRequestKind()).isFalse();
      assertThat(on.admission.wantsRequestKind()).isTrue();
      on.admission.reconfigure(ConcurrencyConfig.adaptive(64), AdmissionRig.room(100, AdmissionRig.noShares()),
          null);
      assertThat(on.admission.wantsRequestKind()).as("the default config has no gate").isFalse();
      off.admission.reconfigure(new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 64, 4, 1024, null, true),
          AdmissionRig.room(100, AdmissionRig.noShares()), null);
      assertThat(off.admission.wantsRequestKind()).isTrue();
    }
    try (AdmissionRig fixed = new AdmissionRig(new ConcurrencyConfig(ConcurrencyConfig.Mode.STATIC, 8, 4, 1024, null,
        true), AdmissionRig.room(100, AdmissionRig.noShares()))) {
      assertThat(fixed.admission.wantsRequestKind()).as("a static limit has no gate").isFalse();
    }
  }
}
