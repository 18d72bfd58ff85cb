package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.AdmissionRig.Call;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * One long answer must not latch a backend into shedding. Measured before: with {@code concurrency: 8} and the
 * default room, a non-streamed completion of 12.7 s was answered 200, and every request after it got 503 "at
 * capacity" in 3 ms while the backend was idle, until restart.
 */
class LongAnswerTest {
  static final Duration LONG = Duration.ofMillis(12_700);
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);

  @Test
  void aLongNonStreamedAnswerDoesNotShedTheRequestsAfterIt() {
    try (AdmissionRig rig = new AdmissionRig(ConcurrencyConfig.fixed(8), WaitingRoomConfig.DEFAULTS)) {
      Call longOne = rig.acquire("long", withDeadline(rig, Duration.ofSeconds(600)));
      rig.advance(LONG);
      longOne.permit.onSuccess(LatencySample.perToken(LONG.toNanos(), 900));

      for (int i = 0; i < 8; i++) {
        Call next = rig.acquire("next" + i, withDeadline(rig, CLIENT_TIMEOUT));
        assertThat(next.permit).as("idle backend: admitted at once").isNotNull();
      }
      Call queued = rig.acquire("queued", withDeadline(rig, CLIENT_TIMEOUT));
      assertThat(queued.waiting()).as("a non-stream's whole time is no time to first token: it may wait")
          .isTrue();
    }
  }

  @Test
  void aSlowFirstTokenIsJudgedOnlyForRequestsThatQueueAndIsForgottenOverTime() {
    try (AdmissionRig rig = new AdmissionRig(ConcurrencyConfig.fixed(1), WaitingRoomConfig.DEFAULTS)) {
      Call slow = rig.acquire("slow", withDeadline(rig, Duration.ofSeconds(600)));
      rig.advance(LONG);
      slow.permit.onSuccess(LatencySample.firstToken(LONG.toNanos()));

      Call free = rig.acquire("free", withDeadline(rig, CLIENT_TIMEOUT));
      assertThat(free.permit).as("a free slot: the deadline is not judged").isNotNull();
      Call hopeless = rig.acquire("hopeless", withDeadline(rig, CLIENT_TIMEOUT));
      assertThat(hopeless.shed).as("must queue, and 12.7 s to first token > 10 s")
          .isEqualTo(ShedReason.DEADLINE_UNREACHABLE);

      rig.advance(Duration.ofSeconds(3 * ServiceTime.HALF_LIFE_SECONDS));
      Call later = rig.acquire("later", withDeadline(rig, CLIENT_TIMEOUT));
      assertThat(later.waiting()).as("three half-lives on, 12.7 s is remembered as 1.6 s").isTrue();
    }
  }

  @Test
  void withoutAClientDeadlineOnlyMaxWaitApplies() {
    try (AdmissionRig rig = new AdmissionRig(ConcurrencyConfig.fixed(1), WaitingRoomConfig.DEFAULTS)) {
      Call slow = rig.acquire("slow", WaitRequest.withoutDeadline(PriorityClass.STANDARD, "a", false));
      rig.advance(LONG);
      slow.permit.onSuccess(LatencySample.firstToken(LONG.toNanos()));
      rig.acquire("holder", WaitRequest.withoutDeadline(PriorityClass.STANDARD, "a", false));

      Call waiting = rig.acquire("waiting", WaitRequest.withoutDeadline(PriorityClass.STANDARD, "b", false));
      rig.advance(WaitingRoomConfig.DEFAULT_MAX_WAIT.minusMillis(1));
      assertThat(waiting.waiting()).isTrue();
      rig.advance(Duration.ofMillis(1));
      assertThat(waiting.shed).isEqualTo(ShedReason.QUEUE_TIMEOUT);
    }
  }

  private static WaitRequest withDeadline(AdmissionRig rig, Duration timeout) {
    return new WaitRequest(PriorityClass.STANDARD, "t", false, rig.admission.nowNanos() + timeout.toNanos());
  }
}
