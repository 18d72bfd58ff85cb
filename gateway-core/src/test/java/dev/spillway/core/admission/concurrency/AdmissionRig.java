package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link BackendAdmission} whose waiters live on an {@code EmbeddedEventLoop}, with a {@link FakeTicker}
 * kept in step with the loop's clock, and a log of every callback in the order it ran.
 */
final class AdmissionRig implements AutoCloseable {
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(600);

  final FakeTicker ticker = new FakeTicker();
  final EmbeddedChannel channel = new EmbeddedChannel();
  final List<String> events = new ArrayList<>();
  final Map<String, Call> calls = new HashMap<>();
  final BackendAdmission admission;

  AdmissionRig(ConcurrencyConfig concurrency, WaitingRoomConfig room) {
    admission = new BackendAdmission(concurrency, room, ticker);
  }

  static AdmissionRig fixed(int limit, int maxQueue) {
    return new AdmissionRig(ConcurrencyConfig.fixed(limit), room(maxQueue, noShares()));
  }

  static WaitingRoomConfig room(int maxQueue, Map<PriorityClass, Double> shares) {
    return new WaitingRoomConfig(maxQueue, Duration.ofSeconds(10), shares, Duration.ofMillis(50),
        Duration.ofMillis(500));
  }

  static Map<PriorityClass, Double> noShares() {
    return new EnumMap<>(PriorityClass.class);
  }

  Call standard(String name, String tenant) {
    return acquire(name, PriorityClass.STANDARD, tenant, false);
  }

  Call acquire(String name, PriorityClass priority, String tenant, boolean retry) {
    return acquire(name, new WaitRequest(priority, tenant, retry, ticker.nanoTime() + CLIENT_TIMEOUT.toNanos()));
  }

  Call acquire(String name, WaitRequest request) {
    Call call = new Call(name);
    calls.put(name, call);
    call.waiter = admission.acquire(request, channel.eventLoop(), call);
    channel.runPendingTasks();
    return call;
  }

  /** Moves both clocks and runs whatever fell due. */
  void advance(Duration d) {
    ticker.advance(d);
    channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
  }

  void runPending() {
    channel.runPendingTasks();
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }

  /** One request's callback: records what it got, and logs it in the rig's shared order. */
  final class Call implements PermitCallback {
    final String name;
    Waiter waiter;
    Permit permit;
    ShedReason shed;
    long retryAfterNanos;
    int calls;
    boolean done;

    Call(String name) {
      this.name = name;
    }

    @Override
    public void onPermit(Permit permit) {
      calls++;
      this.permit = permit;
      events.add(name);
    }

    @Override
    public void onShed(ShedReason reason, long retryAfterNanos) {
      calls++;
      this.shed = reason;
      this.retryAfterNanos = retryAfterNanos;
      events.add(name + ":" + reason.tag());
    }

    boolean waiting() {
      return calls == 0;
    }

    /** Completes this call's permit without a latency sample, and runs the hand-over it triggers. */
    void done() {
      done = true;
      permit.onIgnore();
      channel.runPendingTasks();
    }
  }
}
