package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.routing.Route;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Backend;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which permit a request holds across its attempts, and that each is completed once, the right way. */
class TierPermitsTest {
  /** Counts every completion call, so a second one shows. */
  static final class CountingPermit implements Permit {
    int success;
    int ignore;
    int dropped;

    @Override
    public void onSuccess(LatencySample sample) {
      success++;
    }

    @Override
    public void onIgnore() {
      ignore++;
    }

    @Override
    public void onDropped() {
      dropped++;
    }

    int calls() {
      return success + ignore + dropped;
    }
  }

  /** Records what it is told about the request's kind, and whether it was completed. */
  static final class RecordingPermit implements Permit {
    final List<Boolean> kinds = new java.util.ArrayList<>();
    int completions;

    @Override
    public void onRequestKind(boolean streamed) {
      kinds.add(streamed);
    }

    @Override
    public void onSuccess(LatencySample sample) {
      completions++;
    }

    @Override
    public void onIgnore() {
      completions++;
    }

    @Override
    public void onDropped() {
      completions++;
    }
  }

  @Test
  void aPermitGrantedBeforeTheBodyShowsItsKindIsToldWhenItDoes() {
    for (boolean streamed : new boolean[] {true, false}) {
      TierPermits permits = new TierPermits();
      RecordingPermit p = new RecordingPermit();
      permits.hold(0, p);
      assertThat(p.kinds).isEmpty();
      permits.requestKind(streamed);
      assertThat(p.kinds).containsExactly(streamed);
      permits.requestKind(!streamed);
      assertThat(p.kinds).as("the body says it once").containsExactly(streamed);
      assertThat(permits.finish(AttemptOutcome.SUCCESS)).isSameAs(p);
      assertThat(p.kinds).containsExactly(streamed);
    }
  }

  @Test
  void aPermitGrantedAfterTheBodyShowedItsKindIsToldOnGrant() {
    for (boolean streamed : new boolean[] {true, false}) {
      TierPermits permits = new TierPermits();
      permits.requestKind(streamed);
      RecordingPermit p = new RecordingPermit();
      permits.hold(0, p);
      assertThat(p.kinds).containsExactly(streamed);
      permits.requestKind(streamed);
      assertThat(p.kinds).as("exactly once").containsExactly(streamed);
      assertThat(permits.finish(AttemptOutcome.CANCELLED)).isNull();
      assertThat(p.completions).isEqualTo(1);
    }
  }

  @Test
  void everyPermitTheRequestTakesIsToldOnceAndACompletedOneNever() {
    TierPermits permits = new TierPermits();
    RecordingPermit first = new RecordingPermit();
    permits.hold(0, first);
    permits.requestKind(true);
    RecordingPermit second = new RecordingPermit();
    permits.hold(0, second); // a later grant replaces (and completes) the first
    assertThat(first.completions).isEqualTo(1);
    assertThat(first.kinds).containsExactly(true);
    assertThat(second.kinds).containsExactly(true);
    assertThat(permits.enter(1, null, PriorityClass.STANDARD)).as("a tier without a limit").isTrue();
    assertThat(second.completions).isEqualTo(1);
    assertThat(second.kinds).as("not told again when left").containsExactly(true);
    assertThat(permits.finish(AttemptOutcome.SUCCESS)).isNull();

    TierPermits finished = new TierPermits();
    RecordingPermit done = new RecordingPermit();
    finished.hold(0, done);
    finished.finish(AttemptOutcome.CANCELLED);
    finished.requestKind(false);
    assertThat(done.kinds).as("completed before the body showed its kind").isEmpty();
  }

  @Test
  void failoverAndOverflowTiersTakeTheirPermitsKnowingTheKind() {
    BackendAdmission secondary = admission(1);
    TierPermits permits = new TierPermits();
    RecordingPermit primary = new RecordingPermit();
    permits.hold(0, primary);
    permits.requestKind(false);
    assertThat(permits.enter(1, secondary, PriorityClass.STANDARD)).isTrue();
    assertThat(primary.kinds).containsExactly(false);
    assertThat(secondary.inFlight()).isEqualTo(1);
    permits.requestKind(true);
    assertThat(permits.finish(AttemptOutcome.CANCELLED)).isNull();
    assertThat(secondary.inFlight()).isZero();

    List<Route.Tier> tiers = List.of(tier("primary", 1, Set.of()), tier("open", 1, Set.of(PriorityClass.STANDARD)));
    TierPermits overflowed = new TierPermits();
    overflowed.requestKind(true);
    assertThat(overflowed.overflow(tiers, PriorityClass.STANDARD)).isTrue();
    assertThat(overflowed.holding()).isTrue();
    assertThat(overflowed.finish(AttemptOutcome.CANCELLED)).isNull();
    assertThat(tiers.get(1).backend().admission().inFlight()).isZero();
  }

  private static BackendAdmission admission(int limit) {
    return new BackendAdmission(ConcurrencyConfig.fixed(limit), WaitingRoomConfig.DEFAULTS, new FakeTicker());
  }

  @Test
  void aCleanAnswerHandsThePermitBackForItsSample() {
    TierPermits permits = new TierPermits();
    CountingPermit p = new CountingPermit();
    permits.hold(0, p);
    assertThat(permits.enter(0, null, PriorityClass.STANDARD)).as("already in the tier").isTrue();
    assertThat(permits.finish(AttemptOutcome.SUCCESS)).isSameAs(p);
    assertThat(p.calls()).as("the caller completes it with the sample").isZero();
    assertThat(permits.finish(AttemptOutcome.SUCCESS)).as("once only").isNull();
  }

  @Test
  void onlyOverloadEvidenceDrops() {
    for (AttemptOutcome o : AttemptOutcome.values()) {
      TierPermits permits = new TierPermits();
      CountingPermit p = new CountingPermit();
      permits.hold(0, p);
      Permit back = permits.finish(o);
      permits.finish(o);
      if (o == AttemptOutcome.SUCCESS) {
        assertThat(back).isSameAs(p);
        continue;
      }
      assertThat(back).as(o.name()).isNull();
      assertThat(p.dropped).as(o.name()).isEqualTo(o.overloadEvidence() ? 1 : 0);
      assertThat(p.calls()).as(o + ": exactly once").isEqualTo(1);
    }
  }

  @Test
  void anotherTierCompletesThePermitHeldAndTakesItsOwn() {
    BackendAdmission secondary = admission(1);
    TierPermits permits = new TierPermits();
    CountingPermit primary = new CountingPermit();
    permits.hold(0, primary);
    permits.attemptEnded(AttemptOutcome.CONNECT_FAILED);
    assertThat(permits.enter(1, secondary, PriorityClass.STANDARD)).isTrue();
    assertThat(primary.ignore).as("a refused connect says nothing about congestion").isEqualTo(1);
    assertThat(secondary.inFlight()).isEqualTo(1);
    assertThat(permits.tier()).isEqualTo(1);
    Permit p = permits.finish(AttemptOutcome.SUCCESS);
    p.onSuccess(LatencySample.firstToken(1));
    assertThat(secondary.inFlight()).isZero();
    assertThat(primary.calls()).isEqualTo(1);
  }

  @Test
  void overloadOnATierIsRememberedAcrossItsRetriesAndWhenLeavingIt() {
    TierPermits permits = new TierPermits();
    CountingPermit primary = new CountingPermit();
    permits.hold(0, primary);
    permits.attemptEnded(AttemptOutcome.STATUS_503);
    assertThat(permits.enter(0, null, PriorityClass.STANDARD)).as("a retry on the same tier keeps it").isTrue();
    assertThat(primary.calls()).isZero();
    assertThat(permits.enter(1, null, PriorityClass.STANDARD)).isTrue();
    assertThat(primary.dropped).as("the 503 is evidence of overload").isEqualTo(1);
    assertThat(permits.holding()).as("tier 1 has no limit").isFalse();
    assertThat(permits.finish(AttemptOutcome.TIMEOUT)).isNull();
    assertThat(primary.calls()).isEqualTo(1);
  }

  @Test
  void aFullTierIsRefusedAndHoldsNothing() {
    BackendAdmission full = admission(1);
    Permit taken = full.tryAcquireNow(PriorityClass.STANDARD);
    TierPermits permits = new TierPermits();
    CountingPermit primary = new CountingPermit();
    permits.hold(0, primary);
    assertThat(permits.enter(1, full, PriorityClass.STANDARD)).isFalse();
    assertThat(primary.ignore).isEqualTo(1);
    assertThat(permits.holding()).isFalse();
    assertThat(full.inFlight()).isEqualTo(1);
    taken.onIgnore();
    assertThat(permits.finish(AttemptOutcome.CANCELLED)).isNull();
    assertThat(full.inFlight()).isZero();
  }

  private static Route.Tier tier(String name, int limit, Set<PriorityClass> overflow) {
    BackendConfig config = BackendConfig.of(name, List.of(new EndpointAddress("10.0.0.1", 8000)));
    if (limit > 0) {
      config = config.withConcurrency(ConcurrencyConfig.fixed(limit), WaitingRoomConfig.DEFAULTS);
    }
    return new Route.Tier(new Backend(config, new FakeTicker()), null, overflow);
  }

  @Test
  void overflowTakesTheFirstLaterTierThatAllowsTheClassAndHasASlot() {
    Route.Tier primary = tier("primary", 1, Set.of());
    Route.Tier criticalOnly = tier("critical-only", 1, Set.of(PriorityClass.CRITICAL));
    Route.Tier full = tier("full", 1, Set.of(PriorityClass.STANDARD));
    Route.Tier open = tier("open", 1, Set.of(PriorityClass.STANDARD));
    Permit filler = full.backend().admission().tryAcquireNow(PriorityClass.STANDARD);
    List<Route.Tier> tiers = List.of(primary, criticalOnly, full, open);

    TierPermits standard = new TierPermits();
    assertThat(standard.overflow(tiers, PriorityClass.STANDARD)).isTrue();
    assertThat(standard.tier()).isEqualTo(3);
    assertThat(standard.overflowFrom()).isEqualTo("primary");
    assertThat(open.backend().admission().inFlight()).isEqualTo(1);
    assertThat(criticalOnly.backend().admission().inFlight()).isZero();
    assertThat(standard.enter(0, primary.backend().admission(), PriorityClass.STANDARD))
        .as("the tiers it overflowed past are closed to it").isFalse();
    assertThat(standard.enter(3, open.backend().admission(), PriorityClass.STANDARD)).isTrue();
    assertThat(standard.finish(AttemptOutcome.CANCELLED)).isNull();
    assertThat(open.backend().admission().inFlight()).isZero();

    TierPermits sheddable = new TierPermits();
    assertThat(sheddable.overflow(tiers, PriorityClass.SHEDDABLE)).isFalse();
    assertThat(sheddable.overflowFrom()).isNull();
    filler.onIgnore();
  }

  @Test
  void overflowToATierWithoutALimitHoldsNoPermit() {
    List<Route.Tier> tiers = List.of(tier("primary", 1, Set.of()),
        tier("unlimited", 0, Set.of(PriorityClass.CRITICAL)));
    TierPermits permits = new TierPermits();
    assertThat(permits.overflow(tiers, PriorityClass.CRITICAL)).isTrue();
    assertThat(permits.holding()).isFalse();
    assertThat(permits.enter(1, null, PriorityClass.CRITICAL)).isTrue();
  }
}
