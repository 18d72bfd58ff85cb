package dev.spillway.core.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.Tenant;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.routing.Route;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Backend;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Where a request's slot comes from: the primary's free slot, an overflow tier's free slot when the primary's
 * room could not serve it soon, the primary's room, or nowhere; and that its permit is completed once.
 */
class TierAdmissionTest {
  private final FakeTicker ticker = new FakeTicker();
  private final EmbeddedChannel channel = new EmbeddedChannel();

  /** What the request was told. */
  private static final class Told implements TierAdmission.Verdict {
    int admitted;
    ShedReason turnedAway;

    @Override
    public void admitted() {
      admitted++;
    }

    @Override
    public void turnedAway(ShedReason reason, long retryAfterNanos) {
      turnedAway = reason;
    }
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private Route.Tier tier(String name, Set<PriorityClass> overflow) {
    BackendConfig config = BackendConfig.of(name, List.of(new EndpointAddress("10.0.0.1", 8000)))
        .withConcurrency(ConcurrencyConfig.fixed(1), WaitingRoomConfig.DEFAULTS);
    return new Route.Tier(new Backend(config, ticker), null, overflow);
  }

  private Route.Tier tier(String name, ConcurrencyConfig concurrency) {
    BackendConfig config = BackendConfig.of(name, List.of(new EndpointAddress("10.0.0.1", 8000)))
        .withConcurrency(concurrency, WaitingRoomConfig.DEFAULTS);
    return new Route.Tier(new Backend(config, ticker), null, Set.of(PriorityClass.STANDARD));
  }

  /** The body is read for its stream flag only when some tier's limit has a prefill gate, the one user of it. */
  @Test
  void aRequestsKindIsWantedOnlyWhereSomeTiersLimitHasItsPrefillGate() {
    ConcurrencyConfig gated = new ConcurrencyConfig(ConcurrencyConfig.Mode.ADAPTIVE, 64, 4, 1024, null, true);
    Told told = new Told();
    assertThat(new TierAdmission(List.of(tier("a", ConcurrencyConfig.adaptive(64)), tier("b",
        ConcurrencyConfig.fixed(8))), channel.eventLoop(), told).wantsRequestKind()).isFalse();
    assertThat(new TierAdmission(List.of(tier("a", ConcurrencyConfig.adaptive(64)), tier("b", gated)),
        channel.eventLoop(), told).wantsRequestKind()).isTrue();
  }

  private static Tenant tenant(PriorityClass priority) {
    return new Tenant("t", "t", new TierConfig("x", priority, List.of()), true);
  }

  private TierAdmission ask(List<Route.Tier> tiers, PriorityClass priority, Told told) {
    TierAdmission slot = new TierAdmission(tiers, channel.eventLoop(), told);
    slot.acquire(tenant(priority), EmptyHttpHeaders.INSTANCE, -1);
    channel.runPendingTasks();
    return slot;
  }

  /** One request served on the primary for 500 ms: its room now knows how often a place frees. */
  private void teachServiceTime(List<Route.Tier> tiers) {
    Told told = new Told();
    TierAdmission slot = ask(tiers, PriorityClass.STANDARD, told);
    assertThat(slot.enterTier(0, tiers.get(0))).isTrue();
    ticker.advance(Duration.ofMillis(500));
    slot.complete(AttemptOutcome.SUCCESS, LatencySample.perToken(TimeUnit.MILLISECONDS.toNanos(500), 16));
  }

  @Test
  void aRequestThePrimarysRoomCouldNotServeSoonSpillsAtOnceToAFreeOverflowTier() {
    List<Route.Tier> tiers = List.of(tier("primary", Set.of()), tier("secondary", Set.of(PriorityClass.STANDARD)));
    BackendAdmission primary = tiers.get(0).backend().admission();
    BackendAdmission secondary = tiers.get(1).backend().admission();
    teachServiceTime(tiers);
    TierAdmission first = ask(tiers, PriorityClass.STANDARD, new Told());

    Told told = new Told();
    TierAdmission second = ask(tiers, PriorityClass.STANDARD, told);

    assertThat(told.admitted).isEqualTo(1);
    assertThat(primary.queued()).as("never waited in the primary's room").isZero();
    assertThat(secondary.inFlight()).isEqualTo(1);
    assertThat(second.overflowFrom()).isEqualTo("primary");
    assertThat(second.queueWaitNanos()).isZero();
    assertThat(second.enterTier(0, tiers.get(0))).as("the primary is closed to it").isFalse();
    assertThat(second.enterTier(1, tiers.get(1))).isTrue();
    second.complete(AttemptOutcome.SUCCESS, LatencySample.NONE);
    first.abandon(AttemptOutcome.CANCELLED);
    assertThat(primary.inFlight()).isZero();
    assertThat(secondary.inFlight()).isZero();
  }

  @Test
  void whileThePrimarysServiceTimeIsUnknownTheRequestWaitsInItsRoom() {
    List<Route.Tier> tiers = List.of(tier("primary", Set.of()), tier("secondary", Set.of(PriorityClass.STANDARD)));
    BackendAdmission primary = tiers.get(0).backend().admission();
    TierAdmission first = ask(tiers, PriorityClass.STANDARD, new Told());

    Told told = new Told();
    TierAdmission second = ask(tiers, PriorityClass.STANDARD, told);
    assertThat(told.admitted).as("waiting").isZero();
    assertThat(primary.queued()).isEqualTo(1);

    first.abandon(AttemptOutcome.CANCELLED);
    channel.runPendingTasks();
    assertThat(told.admitted).as("served from the room").isEqualTo(1);
    assertThat(second.overflowFrom()).isNull();
    second.abandon(AttemptOutcome.CANCELLED);
    assertThat(primary.inFlight()).isZero();
  }

  @Test
  void aClassThatMayNotOverflowWaitsAndAFullOverflowTierLeavesTheRequestInThePrimarysRoom() {
    List<Route.Tier> tiers = List.of(tier("primary", Set.of()), tier("secondary", Set.of(PriorityClass.CRITICAL)));
    BackendAdmission primary = tiers.get(0).backend().admission();
    BackendAdmission secondary = tiers.get(1).backend().admission();
    teachServiceTime(tiers);
    TierAdmission first = ask(tiers, PriorityClass.STANDARD, new Told());

    Told standard = new Told();
    TierAdmission waiting = ask(tiers, PriorityClass.STANDARD, standard);
    assertThat(standard.admitted).isZero();
    assertThat(secondary.inFlight()).as("standard may not overflow").isZero();

    Told critical = new Told();
    TierAdmission spilled = ask(tiers, PriorityClass.CRITICAL, critical);
    assertThat(critical.admitted).isEqualTo(1);
    assertThat(secondary.inFlight()).isEqualTo(1);
    Told another = new Told();
    TierAdmission queued = ask(tiers, PriorityClass.CRITICAL, another);
    assertThat(another.admitted).as("the overflow tier is full: it waits in the primary's room").isZero();
    assertThat(primary.queued()).isEqualTo(2);

    for (TierAdmission s : List.of(queued, waiting, spilled, first)) {
      s.abandon(AttemptOutcome.CANCELLED);
    }
    channel.runPendingTasks();
    assertThat(primary.inFlight()).isZero();
    assertThat(primary.queued()).isZero();
    assertThat(secondary.inFlight()).isZero();
    assertThat(standard.turnedAway).isNull();
  }
  // ---- the request's kind reaches the permit whichever comes first ----

  /** A request waiting in the primary's room (the primary's one slot is taken), and the request holding it. */
  private TierAdmission[] waitingBehindAnother(List<Route.Tier> tiers, Told told) {
    TierAdmission holder = ask(tiers, PriorityClass.STANDARD, new Told());
    TierAdmission waiting = ask(tiers, PriorityClass.STANDARD, told);
    assertThat(told.admitted).isZero();
    // The test grants the permit itself, as the room would, so that it can see what the permit is told.
    waiting.leaveRoom();
    return new TierAdmission[] {holder, waiting};
  }

  @Test
  void aKindLearnedWhileWaitingIsToldToThePermitTheRoomGrants() {
    List<Route.Tier> tiers = List.of(tier("primary", Set.of()));
    Told told = new Told();
    TierAdmission[] requests = waitingBehindAnother(tiers, told);
    requests[1].requestKind(true);
    TierPermitsTest.RecordingPermit granted = new TierPermitsTest.RecordingPermit();
    requests[1].onPermit(granted);
    assertThat(told.admitted).isEqualTo(1);
    assertThat(granted.kinds).containsExactly(true);
    requests[1].complete(AttemptOutcome.SUCCESS, LatencySample.NONE);
    assertThat(granted.completions).isEqualTo(1);
    assertThat(granted.kinds).containsExactly(true);
    requests[0].abandon(AttemptOutcome.CANCELLED);
    assertThat(tiers.get(0).backend().admission().inFlight()).isZero();
  }

  @Test
  void aPermitGrantedBeforeTheBodyIsToldItsKindWhenTheBodyShowsIt() {
    List<Route.Tier> tiers = List.of(tier("primary", Set.of()));
    Told told = new Told();
    TierAdmission[] requests = waitingBehindAnother(tiers, told);
    TierPermitsTest.RecordingPermit granted = new TierPermitsTest.RecordingPermit();
    requests[1].onPermit(granted);
    assertThat(granted.kinds).isEmpty();
    requests[1].requestKind(false);
    assertThat(granted.kinds).containsExactly(false);
    requests[1].abandon(AttemptOutcome.CANCELLED);
    requests[1].requestKind(true);
    assertThat(granted.kinds).containsExactly(false);
    assertThat(granted.completions).isEqualTo(1);
    requests[0].abandon(AttemptOutcome.CANCELLED);

    Told late = new Told();
    TierAdmission[] closed = waitingBehindAnother(tiers, late);
    closed[1].requestKind(true);
    closed[1].abandon(AttemptOutcome.CANCELLED);
    TierPermitsTest.RecordingPermit afterClose = new TierPermitsTest.RecordingPermit();
    closed[1].onPermit(afterClose);
    assertThat(afterClose.kinds).as("a grant the closed request only hands back").isEmpty();
    assertThat(afterClose.completions).isEqualTo(1);
    closed[0].abandon(AttemptOutcome.CANCELLED);
    assertThat(tiers.get(0).backend().admission().inFlight()).isZero();
  }
}
