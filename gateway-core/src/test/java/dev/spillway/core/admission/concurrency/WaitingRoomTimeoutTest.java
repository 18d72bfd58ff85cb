package dev.spillway.core.admission.concurrency;

import static dev.spillway.core.config.PriorityClass.STANDARD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.AdmissionRig.Call;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Queue timeouts, deadlines and CoDel, on an {@code EmbeddedEventLoop} whose clock moves with the
 * {@link dev.spillway.core.time.FakeTicker}; the room's config: maxWait 10s, CoDel target 50ms over 500ms.
 */
class WaitingRoomTimeoutTest {
  private static final Duration MS = Duration.ofMillis(1);

  @Test
  void waiterTimesOutAfterMaxWait() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      Call waiting = rig.standard("waiting", "a");

      rig.advance(Duration.ofMillis(9_999));
      assertThat(waiting.waiting()).isTrue();
      rig.advance(MS);

      assertThat(waiting.shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);
      assertThat(rig.admission.queued()).isZero();
      assertThat(rig.admission.inFlight()).isEqualTo(1);
    }
  }

  @Test
  void waiterLeavesWhenItsOwnDeadlineComesFirst() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      Call waiting = rig.acquire("waiting", request(rig, Duration.ofMillis(300)));

      rig.advance(Duration.ofMillis(299));
      assertThat(waiting.waiting()).isTrue();
      rig.advance(MS);

      assertThat(waiting.shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);
    }
  }

  @Test
  void timerThatFiresEarlyByTheTickerWaitsOnInsteadOfShedding() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      rig.standard("holder", "x");
      Call waiting = rig.standard("waiting", "a");

      rig.channel.advanceTimeBy(10, java.util.concurrent.TimeUnit.SECONDS); // the loop's clock runs ahead
      rig.runPending();
      assertThat(waiting.waiting()).isTrue();
      rig.advance(Duration.ofSeconds(10));

      assertThat(waiting.shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);
    }
  }

  @Test
  void queuedRequestWhoseDeadlineIsNearerThanTheExpectedFirstTokenIsShedOnArrival() {
    try (AdmissionRig rig = AdmissionRig.fixed(2, 8)) {
      Call sample = rig.standard("sample", "x");
      rig.standard("holder", "x");
      rig.advance(Duration.ofSeconds(4));
      sample.permit.onSuccess(LatencySample.firstToken(Duration.ofMillis(200).toNanos()));
      rig.standard("holder2", "x");

      Call hopeless = rig.acquire("hopeless", request(rig, Duration.ofMillis(150)));
      Call fine = rig.acquire("fine", request(rig, Duration.ofMillis(250)));

      assertThat(hopeless.shed).isEqualTo(ShedReason.DEADLINE_UNREACHABLE);
      assertThat(hopeless.retryAfterNanos).as("slot holding time / limit").isEqualTo(Duration.ofSeconds(2).toNanos());
      assertThat(fine.waiting()).isTrue();
    }
  }

  @Test
  void deadlineIsOnlyJudgedForARequestThatHasToQueue() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call late = rig.acquire("late", request(rig, Duration.ZERO));

      assertThat(late.permit).as("a free slot: no deadline check").isNotNull();
      Call queued = rig.acquire("queued", request(rig, Duration.ZERO));
      assertThat(queued.shed).isEqualTo(ShedReason.DEADLINE_UNREACHABLE);
      assertThat(rig.admission.inFlight()).isEqualTo(1);
    }
  }

  @Test
  void queuedWaiterLeavesOnceItCanNoLongerFinishInTime() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 8)) {
      Call first = rig.standard("first", "x");
      first.permit.onSuccess(LatencySample.firstToken(Duration.ofMillis(200).toNanos()));
      rig.standard("holder", "x");
      Call waiting = rig.acquire("waiting", request(rig, Duration.ofSeconds(1)));

      rig.advance(Duration.ofMillis(799));
      assertThat(waiting.waiting()).isTrue();
      rig.advance(MS);

      assertThat(waiting.shed).as("deadline minus expected first token").isEqualTo(ShedReason.QUEUE_TIMEOUT);
    }
  }

  /**
   * Without streams, under sustained overload, the room keeps as many waiters as the backend frees at once
   * but no more than free on average in half the short wait, and at least 4; when they are taken a newcomer
   * is refused at once, and those waiting are served in arrival order.
   */
  @Test
  void underOverloadWithoutStreamsAFewPlacesAreServedInArrivalOrderAndANewcomerIsRefusedAtOnce() {
    try (AdmissionRig rig = AdmissionRig.fixed(4, 64)) {
      List<Call> running = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        running.add(rig.standard("h" + i, "x"));
      }
      // A place frees every 25 ms (each held 100 ms) while as many arrive: a standing queue of 8.
      for (int i = 0; i < 8; i++) {
        rig.standard("w" + i, "t" + i);
      }
      int next = 8;
      for (int step = 0; step < 28; step++) {
        rig.advance(Duration.ofMillis(25));
        running.remove(0).done();
        running.add(firstGranted(rig, running));
        rig.standard("w" + next, "t" + next);
        next++;
      }
      // Overloaded: of the backlog, those past the short wait were shed; 4 places are kept now (the fewest:
      // a place frees every 25 ms, so half the short wait, 50 ms, serves 2), 3 taken by the last arrivals.
      assertThat(rig.admission.queued()).isEqualTo(3);
      Call older = rig.calls.get("w" + (next - 3));
      Call newer = rig.calls.get("w" + (next - 2));
      assertThat(rig.standard("fourth", "t4").waiting()).isTrue();

      Call late = rig.standard("late", "tl");
      rig.advance(Duration.ofMillis(25));
      running.remove(0).done();

      assertThat(late.shed).as("refused at once").isEqualTo(ShedReason.QUEUE_FULL);
      assertThat(older.permit).as("the oldest first").isNotNull();
      assertThat(newer.waiting()).isTrue();
    }
  }

  /** The call granted a permit most recently that is not yet in {@code running}. */
  private static Call firstGranted(AdmissionRig rig, List<Call> running) {
    for (int i = rig.events.size() - 1; i >= 0; i--) {
      Call c = rig.calls.get(rig.events.get(i));
      if (c != null && c.permit != null && !running.contains(c) && !c.done) {
        return c;
      }
    }
    throw new AssertionError("no new permit: " + rig.events);
  }

  /**
   * Under sustained overload without streams, waiters get CoDel's short wait, those from before the overload
   * too, and are served in arrival order in a room of at least 4 places (here a place frees only every
   * 100 ms); it ends after a quiet interval.
   */
  @Test
  void persistentQueueingSwitchesToShortTimeoutsThenBack() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 64)) {
      Call holder = rig.standard("holder", "x");
      for (int i = 0; i < 8; i++) {
        rig.standard("w" + i, "t");
      }
      // Every 100ms one request finishes; each waiter served has queued > 50ms, for 500ms in a row.
      for (int i = 0; i < 6; i++) {
        rig.advance(Duration.ofMillis(100));
        (i == 0 ? holder : rig.calls.get("w" + (i - 1))).done();
      }
      assertThat(rig.events).containsExactly("holder", "w0", "w1", "w2", "w3", "w4", "w5");

      Call x1 = rig.standard("x1", "t");
      Call x2 = rig.standard("x2", "t");
      rig.advance(Duration.ofMillis(50));
      rig.calls.get("w5").done();
      assertThat(x1.permit).as("in arrival order").isNotNull();

      rig.advance(Duration.ofMillis(50));
      assertThat(x2.shed).as("short timeout: twice the target").isEqualTo(ShedReason.QUEUE_TIMEOUT);
      assertThat(rig.calls.get("w6").shed).as("waiters from before overload get the short wait too")
          .isEqualTo(ShedReason.QUEUE_TIMEOUT);
      assertThat(rig.calls.get("w7").shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);

      Call y = rig.standard("y", "t");
      rig.advance(Duration.ofMillis(10));
      x1.done();
      assertThat(y.permit).as("the last waiter: the room drains").isNotNull();
      rig.advance(Duration.ofMillis(500));

      Call z = rig.standard("z", "t");
      rig.advance(Duration.ofMillis(200));
      assertThat(z.waiting()).as("empty and quiet for an interval: overload over, back to maxWait").isTrue();
    }
  }

  /**
   * Once the backend has served streams, under sustained overload the room takes a newcomer only if it
   * expects to serve it within the budget (here CoDel's short wait, 100 ms, less than an eighth of the first
   * token), else turns it away at once; waiters get the short wait, those from before the overload too; it
   * ends after a quiet interval.
   */
  @Test
  void persistentQueueingWithStreamsShedsAtTheDoorWithShortTimeoutsThenBack() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 64)) {
      Call holder = rig.standard("holder", "x");
      for (int i = 0; i < 8; i++) {
        rig.standard("w" + i, "t");
      }
      // Every 100ms one request finishes; each waiter served has queued > 50ms, for 500ms in a row.
      for (int i = 0; i < 6; i++) {
        rig.advance(Duration.ofMillis(100));
        if (i == 0) {
          holder.permit.onSuccess(LatencySample.firstToken(Duration.ofMillis(2400).toNanos()));
          rig.channel.runPendingTasks();
        } else {
          rig.calls.get("w" + (i - 1)).done();
        }
      }
      assertThat(rig.events).containsExactly("holder", "w0", "w1", "w2", "w3", "w4", "w5");

      // A slot frees every 100 ms (one slot, held 100 ms): an empty room serves a newcomer within the budget.
      Call x1 = rig.standard("x1", "t");
      assertThat(rig.calls.get("w6").shed).as("waiters from before overload get the short wait too")
          .isEqualTo(ShedReason.QUEUE_TIMEOUT);
      assertThat(rig.calls.get("w7").shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);
      assertThat(x1.waiting()).isTrue();
      Call x2 = rig.standard("x2", "t");
      assertThat(x2.shed).as("second in line: not within the budget, turned away at once")
          .isEqualTo(ShedReason.QUEUE_FULL);

      rig.advance(Duration.ofMillis(50));
      rig.calls.get("w5").done();
      assertThat(x1.permit).isNotNull();

      Call y = rig.standard("y", "t");
      rig.advance(Duration.ofMillis(99));
      assertThat(y.waiting()).isTrue();
      rig.advance(Duration.ofMillis(1));
      assertThat(y.shed).as("short timeout: twice the target").isEqualTo(ShedReason.QUEUE_TIMEOUT);

      rig.advance(Duration.ofMillis(500));
      Call z = rig.standard("z", "t");
      rig.advance(Duration.ofMillis(200));
      assertThat(z.waiting()).as("empty and quiet for an interval: overload over, back to maxWait").isTrue();
    }
  }

  @Test
  void shortBurstsDoNotCountAsOverload() {
    try (AdmissionRig rig = AdmissionRig.fixed(1, 64)) {
      Call current = rig.standard("holder", "x");
      for (int i = 0; i < 20; i++) {
        Call next = rig.standard("w" + i, "t");
        // Queued 80ms now and then, 30ms otherwise: never above target for a whole interval.
        rig.advance(Duration.ofMillis(i % 3 == 0 ? 80 : 30));
        current.done();
        current = next;
      }
      Call probe = rig.standard("probe", "p");
      rig.advance(Duration.ofMillis(200));

      assertThat(probe.waiting()).as("still on maxWait, not CoDel's short timeout").isTrue();
    }
  }

  private static WaitRequest request(AdmissionRig rig, Duration clientTimeout) {
    return new WaitRequest(STANDARD, "a", false, rig.ticker.nanoTime() + clientTimeout.toNanos());
  }
}
