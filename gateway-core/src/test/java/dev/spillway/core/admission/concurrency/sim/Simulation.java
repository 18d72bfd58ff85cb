package dev.spillway.core.admission.concurrency.sim;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

/**
 * A deterministic discrete-event simulation of clients, {@link BackendAdmission} and a {@link SimBackend}, on
 * fake time: no threads, no sleeps. Arrivals are open-loop Poisson from a seeded RNG. Waiters live on an
 * {@code EmbeddedEventLoop} whose clock moves with the {@link FakeTicker}, so queue timeouts fire in simulated
 * time. Records every request's fate and the limit every 10 ms.
 */
final class Simulation {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final int TENANTS = 64;

  final BackendAdmission admission;
  final List<SimRequest> requests = new ArrayList<>();
  /** The limit every {@value #TRACE_STEP_MS} ms. */
  final List<Integer> limitTrace = new ArrayList<>();
  static final int TRACE_STEP_MS = 10;
  /** Permits in flight every {@value #TRACE_STEP_MS} ms. */
  final List<Integer> inFlightTrace = new ArrayList<>();

  private final FakeTicker ticker = new FakeTicker();
  private final long origin = ticker.nanoTime();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final SimBackend backend;
  /** A second tier the request overflows to, as the proxy's tiers do; {@code null} without. */
  private BackendAdmission overflow;
  private SimBackend overflowBackend;
  /** The overflow tier's limit and in flight every {@value #TRACE_STEP_MS} ms. */
  final List<Integer> overflowLimitTrace = new ArrayList<>();
  final List<Integer> overflowInFlightTrace = new ArrayList<>();
  private long now;
  private long seq;
  private int shed;
  /** The gateway's timeout for non-streamed answers, from sending; 0: none. */
  long nonStreamTimeoutNanos;
  private int shedWithFreeSlots;
  final java.util.EnumMap<ShedReason, Integer> shedReasons = new java.util.EnumMap<>(ShedReason.class);

  Simulation(ConcurrencyConfig concurrency, WaitingRoomConfig room, SimBackend backend) {
    this.admission = new BackendAdmission(concurrency, room, ticker);
    this.backend = backend;
  }

  /**
   * Gives the route a second tier, as {@code TierAdmission} runs one: a request the primary cannot serve soon
   * ({@link BackendAdmission#spillsOver}) or turns away takes a free slot there if it has one.
   */
  Simulation withOverflow(ConcurrencyConfig concurrency, SimBackend second) {
    this.overflow = new BackendAdmission(concurrency, WaitingRoomConfig.DEFAULTS, ticker);
    this.overflowBackend = second;
    return this;
  }

  /** Schedules {@code action} at simulated time {@code t} (nanos from the start). */
  void at(long t, Runnable action) {
    events.add(new Event(t, seq++, action));
  }

  /**
   * Open-loop Poisson arrivals at {@code ratePerSecond(t)} from {@code from} to {@code until}; each request's
   * shape comes from {@code shape}.
   */
  void poisson(Random random, long from, long until, LongFunction<Double> ratePerSecond,
      RequestShape shape) {
    long t = from;
    while (true) {
      double rate = ratePerSecond.apply(t);
      t += (long) (-Math.log(1 - random.nextDouble()) / rate * SECOND);
      if (t >= until) {
        return;
      }
      long arrival = t;
      SimRequest r = shape.next(random, arrival);
      at(arrival, () -> arrive(r));
    }
  }

  /**
   * Open-loop bursty arrivals at a mean {@code ratePerSecond} from {@code from} to {@code until}: two-phase
   * hyperexponential gaps with coefficient of variation {@code cv} and balanced means, as the benchmark's
   * load generator draws them.
   */
  void hyperexponential(Random random, long from, long until, double ratePerSecond, double cv,
      RequestShape shape) {
    double c2 = cv * cv;
    double p = (1 + Math.sqrt((c2 - 1) / (c2 + 1))) / 2;
    double meanNanos = SECOND / ratePerSecond;
    long t = from;
    while (true) {
      double branchMean = random.nextDouble() < p ? meanNanos / (2 * p) : meanNanos / (2 * (1 - p));
      t += (long) (-Math.log(1 - random.nextDouble()) * branchMean);
      if (t >= until) {
        return;
      }
      long arrival = t;
      SimRequest r = shape.next(random, arrival);
      at(arrival, () -> arrive(r));
    }
  }

  /** Runs every event up to {@code end}. */
  void run(long end) {
    long nextTrace = 0;
    Event e;
    while ((e = events.peek()) != null && e.time <= end) {
      events.poll();
      while (nextTrace <= e.time) {
        limitTrace.add(admission.limit());
        inFlightTrace.add(admission.inFlight());
        if (overflow != null) {
          overflowLimitTrace.add(overflow.limit());
          overflowInFlightTrace.add(overflow.inFlight());
        }
        nextTrace += TRACE_STEP_MS * MS;
      }
      moveTo(e.time);
      e.action.run();
      channel.runPendingTasks();
    }
    moveTo(end);
    channel.finishAndReleaseAll();
  }

  private void moveTo(long t) {
    long delta = t - now;
    if (delta > 0) {
      ticker.advanceNanos(delta);
      channel.advanceTimeBy(delta, TimeUnit.NANOSECONDS);
      now = t;
      channel.runPendingTasks();
    }
  }

  private void arrive(SimRequest r) {
    requests.add(r);
    if (overflow != null && admission.spillsOver(PriorityClass.STANDARD) && overflowed(r)) {
      return;
    }
    WaitRequest w = WaitRequest.withoutDeadline(PriorityClass.STANDARD, "t" + (requests.size() % TENANTS), false);
    admission.acquire(w, channel.eventLoop(), new PermitCallback() {
      @Override
      public void onPermit(Permit permit) {
        send(r, permit, backend);
      }

      @Override
      public void onShed(ShedReason reason, long retryAfterNanos) {
        if (overflow != null && overflowed(r)) {
          return;
        }
        r.shedAt = now;
        r.shedReason = reason;
        shed++;
        shedReasons.merge(reason, 1, Integer::sum);
        if (backend.hasFreeSlot()) {
          shedWithFreeSlots++;
        }
      }
    });
  }

  /** Sends {@code r} to the overflow tier if it has a free slot; whether it did. */
  private boolean overflowed(SimRequest r) {
    Permit p = overflow.tryAcquireNow(PriorityClass.STANDARD, r.requestBytes > 0 ? r.requestBytes : -1);
    if (p == null) {
      return false;
    }
    r.overflowed = true;
    send(r, p, overflowBackend);
    return true;
  }

  private void send(SimRequest r, Permit permit, SimBackend to) {
    r.permit = permit;
    r.sentAt = now;
    if (!r.stream && nonStreamTimeoutNanos > 0) {
      at(now + nonStreamTimeoutNanos, () -> timeout(r));
    }
    to.submit(r, now, this);
  }

  /** {@code r}'s first token reached the gateway at {@code t}: a stream's sample is taken now. */
  void firstToken(SimRequest r, long t) {
    r.firstTokenAt = t;
    if (r.stream && !r.timedOut) {
      r.permit.onFirstToken(LatencySample.firstToken(t - r.sentAt).withRequestBytes(r.requestBytes));
    }
  }

  /** The backend answered {@code r} in full at {@code t}. */
  void finished(SimRequest r, long t) {
    r.finishedAt = t;
    if (r.timedOut) {
      return;
    }
    // As the proxy does: every sample carries its request's size (none where the request has none).
    LatencySample sample = (r.stream
        ? LatencySample.firstToken(r.firstTokenAt - r.sentAt)
        : LatencySample.perToken(t - r.sentAt, r.outputTokens)).withRequestBytes(r.requestBytes);
    r.permit.onSuccess(sample);
  }

  /** The backend refused {@code r} (its own queue was full): overload evidence. */
  void rejected(SimRequest r, long t) {
    r.rejectedByBackend = true;
    r.finishedAt = t;
    r.permit.onDropped();
  }

  long now() {
    return now;
  }

  int shedCount() {
    return shed;
  }

  /** Requests shed while the backend had a free slot. */
  int shedWithFreeSlots() {
    return shedWithFreeSlots;
  }

  /** The gateway's timeout for {@code r} fired: the permit is dropped; the engine still runs it. */
  private void timeout(SimRequest r) {
    if (r.finishedAt < 0) {
      r.timedOut = true;
      r.permit.onDropped();
    }
  }

  /** Draws the next request's shape. */
  interface RequestShape {
    SimRequest next(Random random, long arrivedAt);
  }

  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
