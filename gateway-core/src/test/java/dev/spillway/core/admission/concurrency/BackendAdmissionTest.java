package dev.spillway.core.admission.concurrency;

import static dev.spillway.core.config.PriorityClass.CRITICAL;
import static dev.spillway.core.config.PriorityClass.SHEDDABLE;
import static dev.spillway.core.config.PriorityClass.STANDARD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.AdmissionRig.Call;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Granting, queueing, ordering and shedding with a static limit. */
class BackendAdmissionTest {

  @Test
  void grantsUpToTheLimitThenQueues() {
    try (AdmissionRig rig = AdmissionRig.fixed(2, 8)) {
      Call a = rig.standard("a", "t1");
      Call b = rig.standard("b", "t1");
      Call c = rig.standard("c", "t1");

      assertThat(a.permit).isNotNull();
      assertThat(b.permit).isNotNull();
      assertThat(a.waiter).isSameAs(Waiter.NOOP);
      assertThat(c.waiting()).isTrue();
      assertThat(rig.admission.inFlight()).isEqualTo(2);
      assertThat(rig.admission.queued()).isEqualTo(1);

      a.done();

      assertThat(c.permit).isNotNull();
      assertThat(rig.admission.inFlight()).isEqualTo(2);
      assertThat(rig.admission.queued()).isZero();
      b.done();
      c.done();
      assertThat(rig.admission.inFlight()).isZero();
    }
  }

  @Test
  void tryAcquireNowGrantsAFreeSlotAndNeverQueues() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Permit first = rig.admission.tryAcquireNow(STANDARD);

      assertThat(first).isNotNull();
      assertThat(rig.admission.tryAcquireNow(STANDARD)).isNull();
      assertThat(rig.admission.inFlight()).isEqualTo(1);
      assertThat(rig.admission.queued()).isZero();

      first.onIgnore();
      assertThat(rig.admission.inFlight()).isZero();
      assertThat(rig.admission.tryAcquireNow(CRITICAL)).isNotNull();
    }
  }

  @Test
  void releaseServesHigherClassesFirst() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call holder = rig.standard("holder", "t0");
      rig.acquire("s", SHEDDABLE, "t1", false);
      rig.acquire("t", STANDARD, "t2", false);
      rig.acquire("c", CRITICAL, "t3", false);

      holder.done();
      releaseLast(rig);
      releaseLast(rig);

      assertThat(rig.events).containsExactly("holder", "c", "t", "s");
    }
  }

  @Test
  void classBelowItsGuaranteedShareIsServedBeforeHigherClasses() {
    Map<PriorityClass, Double> shares = new EnumMap<>(PriorityClass.class);
    shares.put(STANDARD, 0.5);
    try (AdmissionRig rig = new AdmissionRig(ConcurrencyConfig.fixed(4), AdmissionRig.room(8, shares))) {
      Call std1 = rig.standard("std1", "s");
      rig.standard("std2", "s");
      rig.acquire("crit1", CRITICAL, "c", false);
      rig.acquire("crit2", CRITICAL, "c", false);
      Call critWaiting = rig.acquire("crit3", CRITICAL, "c", false);
      Call stdWaiting = rig.standard("std3", "s");

      std1.done();

      assertThat(stdWaiting.permit).as("standard fell below its 2 guaranteed slots").isNotNull();
      assertThat(critWaiting.waiting()).isTrue();
    }
  }

  @Test
  void guaranteedShareIsUsableEvenWhenOthersBorrowedTheWholeLimit() {
    Map<PriorityClass, Double> shares = new EnumMap<>(PriorityClass.class);
    shares.put(CRITICAL, 0.5);
    try (AdmissionRig rig = new AdmissionRig(ConcurrencyConfig.fixed(4), AdmissionRig.room(8, shares))) {
      for (int i = 0; i < 4; i++) {
        assertThat(rig.acquire("s" + i, SHEDDABLE, "s", false).permit).as("borrows idle capacity").isNotNull();
      }
      assertThat(rig.acquire("s4", SHEDDABLE, "s", false).waiting()).as("until the total limit").isTrue();

      assertThat(rig.acquire("c0", CRITICAL, "c", false).permit).isNotNull();
      assertThat(rig.acquire("c1", CRITICAL, "c", false).permit).isNotNull();
      assertThat(rig.acquire("c2", CRITICAL, "c", false).waiting()).as("beyond its floor(0.5 * 4)").isTrue();
      assertThat(rig.admission.inFlight()).isEqualTo(6);
    }
  }

  @Test
  void tenantsTakeTurnsWithinAClass() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 16)) {
      Call holder = rig.standard("holder", "x");
      rig.standard("a1", "a");
      rig.standard("a2", "a");
      rig.standard("a3", "a");
      rig.standard("b1", "b");
      rig.standard("c1", "c");
      rig.standard("b2", "b");

      holder.done();
      for (int i = 0; i < 5; i++) {
        releaseLast(rig);
      }

      assertThat(rig.events).containsExactly("holder", "a1", "b1", "c1", "a2", "b2", "a3");
    }
  }

  @Test
  void retriesAreServedAfterFirstAttemptsOfTheirClass() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call holder = rig.standard("holder", "x");
      rig.acquire("retry", STANDARD, "a", true);
      rig.acquire("first", STANDARD, "b", false);
      rig.acquire("sheddable", SHEDDABLE, "c", false);

      holder.done();
      releaseLast(rig);
      releaseLast(rig);

      assertThat(rig.events).containsExactly("holder", "first", "retry", "sheddable");
    }
  }

  @Test
  void fullRoomRefusesANewcomerThatOutranksNoOne() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 2)) {
      rig.standard("holder", "x");
      rig.standard("q1", "a");
      rig.standard("q2", "b");

      Call late = rig.standard("late", "c");

      assertThat(late.shed).isEqualTo(ShedReason.QUEUE_FULL);
      assertThat(late.retryAfterNanos).isPositive();
      assertThat(late.waiter).isSameAs(Waiter.NOOP);
      assertThat(rig.admission.queued()).isEqualTo(2);
    }
  }

  @Test
  void fullRoomDisplacesTheLowestRankedWaiter() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 3)) {
      rig.standard("holder", "x");
      Call sheddable = rig.acquire("sheddable", SHEDDABLE, "a", false);
      Call retry = rig.acquire("retry", STANDARD, "b", true);
      Call first = rig.standard("first", "c");

      Call critical = rig.acquire("critical", CRITICAL, "d", false);
      assertThat(sheddable.shed).isEqualTo(ShedReason.DISPLACED);

      Call firstAttempt = rig.standard("first2", "e");
      assertThat(retry.shed).as("a first attempt outranks a retry of its class").isEqualTo(ShedReason.DISPLACED);

      Call anotherRetry = rig.acquire("retry2", STANDARD, "f", true);
      assertThat(anotherRetry.shed).isEqualTo(ShedReason.QUEUE_FULL);
      assertThat(first.waiting()).isTrue();
      assertThat(critical.waiting()).isTrue();
      assertThat(firstAttempt.waiting()).isTrue();
      assertThat(rig.admission.queued()).isEqualTo(3);
    }
  }

  @Test
  void displacementTakesFromTheTenantHoldingTheMost() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      Call light = rig.acquire("light", SHEDDABLE, "light", false);
      Call heavyOld = rig.acquire("heavy1", SHEDDABLE, "heavy", false);
      Call heavyNew = rig.acquire("heavy2", SHEDDABLE, "heavy", false);
      for (int i = 0; i < 5; i++) {
        rig.standard("s" + i, "y" + i);
      }

      rig.standard("newcomer", "z");

      assertThat(heavyNew.shed).as("the heavy tenant's newest, served last").isEqualTo(ShedReason.DISPLACED);
      assertThat(heavyOld.waiting()).isTrue();
      assertThat(light.waiting()).isTrue();
    }
  }

  @Test
  void aFullRoomTakesAPlaceFromATenantHoldingTwoMoreForANewcomerOfTheSameRank() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      Call heavyOld = rig.standard("h1", "heavy");
      Call heavyNew = rig.standard("h2", "heavy");
      for (int i = 0; i < 6; i++) {
        rig.standard("s" + i, "y" + i);
      }

      Call newcomer = rig.standard("newcomer", "z");
      Call second = rig.standard("second", "y0");

      assertThat(heavyNew.shed).as("the heavy tenant's newest").isEqualTo(ShedReason.DISPLACED);
      assertThat(heavyOld.waiting()).isTrue();
      assertThat(newcomer.waiting()).isTrue();
      assertThat(second.shed).as("its tenant holds one, as many as any other").isEqualTo(ShedReason.QUEUE_FULL);
    }
  }

  @Test
  void oneTenantMayHoldAtMostAQuarterOfTheRoom() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      assertThat(rig.standard("h1", "heavy").waiting()).isTrue();
      assertThat(rig.acquire("h2", STANDARD, "heavy", true).waiting()).isTrue();

      assertThat(rig.standard("h3", "heavy").shed).isEqualTo(ShedReason.QUEUE_FULL);
      assertThat(rig.standard("other", "light").waiting()).isTrue();
    }
  }

  @Test
  void zeroQueueShedsAtOnceWhenFull() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 0)) {
      rig.standard("holder", "x");

      assertThat(rig.acquire("c", CRITICAL, "y", false).shed).isEqualTo(ShedReason.QUEUE_FULL);
    }
  }

  @Test
  void cancelledWaiterGetsNoCallbackAndItsTurnPassesOn() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call holder = rig.standard("holder", "x");
      Call gone = rig.standard("gone", "a");
      Call next = rig.standard("next", "b");

      gone.waiter.cancel();
      gone.waiter.cancel();
      assertThat(rig.admission.queued()).isEqualTo(1);
      holder.done();
      rig.advance(AdmissionRig.CLIENT_TIMEOUT);

      assertThat(gone.calls).isZero();
      assertThat(next.permit).isNotNull();
      next.done();
      assertThat(rig.admission.inFlight()).isZero();
    }
  }

  @Test
  void cancelAfterGrantButBeforeDeliveryReleasesTheSlot() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call holder = rig.standard("holder", "x");
      Call gone = rig.standard("gone", "a");

      holder.permit.onIgnore(); // the hand-over to "gone" is posted, not yet run
      gone.waiter.cancel();
      rig.runPending();

      assertThat(gone.calls).isZero();
      assertThat(rig.admission.inFlight()).isZero();
      assertThat(rig.standard("later", "b").permit).isNotNull();
    }
  }

  @Test
  void permitCompletesOnlyOnce() {
    try (AdmissionRig rig = AdmissionRig.fixed(2, 8)) {
      Call a = rig.standard("a", "x");
      rig.standard("b", "x");

      a.permit.onSuccess(LatencySample.firstToken(1_000));
      a.permit.onDropped();
      a.permit.onIgnore();

      assertThat(rig.admission.inFlight()).isEqualTo(1);
    }
  }

  @Test
  void callbackThatThrowsDoesNotLeakItsSlot() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.admission.acquire(new WaitRequest(STANDARD, "x", false, rig.ticker.nanoTime() + 1_000_000_000L),
          rig.channel.eventLoop(), new PermitCallback() {
            @Override
            public void onPermit(Permit permit) {
              throw new IllegalStateException("integrator bug");
            }

            @Override
            public void onShed(ShedReason reason, long retryAfterNanos) {}
          });

      assertThat(rig.admission.inFlight()).isZero();
    }
  }

  /** Completes the permit granted most recently (the one the last hand-over delivered). */
  private static void releaseLast(AdmissionRig rig) {
    String last = rig.events.get(rig.events.size() - 1);
    rig.calls.get(last).done();
  }
}
