package dev.spillway.core.proxy;

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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic discrete-event simulation of one route with failover tiers, each a fixed-capacity backend
 * ({@code slots} workers and a FIFO queue of its own, 503 past it) under its own adaptive limit, on fake
 * time. Requests take their slot through the gateway's admission path and run on the tier it gave them. Records
 * every request's fate and each backend's limit every 10 ms.
 */
final class TwoTierSimulation {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  static final int TRACE_STEP_MS = 10;
  private static final int TENANTS = 64;
  private static final TierConfig STANDARD = new TierConfig("standard", PriorityClass.STANDARD, List.of());

  /** One simulated request. */
  static final class Req {
    final long arrivedAt;
    final boolean stream;
    final int outputTokens;
    /** The body's size as the proxy sees it (Content-Length); 0: none. */
    long requestBytes;
    TierAdmission slot;
    int tier = -1;
    long sentAt = -1;
    long firstTokenAt = -1;
    long finishedAt = -1;
    long shedAt = -1;
    ShedReason shedReason;
    boolean rejectedByBackend;
    /** Shed while some backend had a free worker. */
    boolean shedWithFreeSlot;
    /** Shed while some tier's limit had room for it. */
    boolean shedWithFreePermit;

    Req(long arrivedAt, boolean stream, int outputTokens) {
      this.arrivedAt = arrivedAt;
      this.stream = stream;
      this.outputTokens = outputTokens;
    }
  }

  final List<Route.Tier> tiers = new ArrayList<>();
  final List<Req> requests = new ArrayList<>();
  final List<int[]> limitTrace = new ArrayList<>();
  final EnumMap<ShedReason, Integer> shedReasons = new EnumMap<>(ShedReason.class);

  private final FakeTicker ticker = new FakeTicker();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private final List<Slots> backends = new ArrayList<>();
  private long now;
  private long seq;
  /** Draws chat-sized bodies for the requests (see {@link #withChatSizes}); null: requests carry no size. */
  private Random sizes;

  /**
   * @param count tiers, the first the primary; the others take overflow of every class
   */
  TwoTierSimulation(int count, int slots, long serviceNanos, int queue, ConcurrencyConfig concurrency,
      WaitingRoomConfig room) {
    for (int i = 0; i < count; i++) {
      BackendConfig config = BackendConfig.of("b" + i, List.of(new EndpointAddress("10.0.0." + (i + 1), 8000)))
          .withConcurrency(concurrency, room);
      Set<PriorityClass> overflow = i == 0 ? Set.of() : Set.of(PriorityClass.values());
      tiers.add(new Route.Tier(new Backend(config, ticker), null, overflow));
      backends.add(new Slots(i, slots, serviceNanos, queue));
    }
  }

  BackendAdmission admission(int tier) {
    return tiers.get(tier).backend().admission();
  }

  void at(long t, Runnable action) {
    events.add(new Event(t, seq++, action));
  }

  /**
   * Gives every request a chat body's size as the benchmarks send it (16 to 256 prompt tokens at about 4 bytes,
   * plus about 200 bytes of JSON), drawn from {@code sizes} so the arrivals stay those of the same seed.
   */
  TwoTierSimulation withChatSizes(Random sizes) {
    this.sizes = sizes;
    return this;
  }

  /** Open-loop Poisson arrivals at {@code rate} per second in [from, until); half are streams. */
  void poisson(Random random, long from, long until, double rate, int outputTokens) {
    long t = from;
    while (true) {
      t += (long) (-Math.log(1 - random.nextDouble()) / rate * SECOND);
      if (t >= until) {
        return;
      }
      Req r = new Req(t, random.nextBoolean(), outputTokens);
      if (sizes != null) {
        r.requestBytes = 200 + 4L * (16 + sizes.nextInt(241));
      }
      at(t, () -> arrive(r));
    }
  }

  void run(long end) {
    long nextTrace = 0;
    Event e;
    while ((e = events.peek()) != null && e.time <= end) {
      events.poll();
      while (nextTrace <= e.time) {
        int[] limits = new int[tiers.size()];
        for (int i = 0; i < limits.length; i++) {
          limits[i] = admission(i).limit();
        }
        limitTrace.add(limits);
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

  /** The request asks the gateway's admission for a slot; admitted, it goes to the first tier that lets it in. */
  private void arrive(Req r) {
    requests.add(r);
    String key = "t" + (requests.size() % TENANTS);
    r.slot = new TierAdmission(tiers, channel.eventLoop(), new TierAdmission.Verdict() {
      @Override
      public void admitted() {
        for (int t = 0; t < tiers.size(); t++) {
          if (r.slot.enterTier(t, tiers.get(t))) {
            send(r, t);
            return;
          }
        }
        r.slot.abandon(AttemptOutcome.CANCELLED);
        shed(r, ShedReason.QUEUE_FULL);
      }

      @Override
      public void turnedAway(ShedReason reason, long retryAfterNanos) {
        shed(r, reason);
      }
    });
    r.slot.acquire(new Tenant(key, key, STANDARD, true), EmptyHttpHeaders.INSTANCE, -1);
  }

  private void shed(Req r, ShedReason reason) {
    r.shedAt = now;
    r.shedReason = reason;
    shedReasons.merge(reason, 1, Integer::sum);
    for (int t = 0; t < tiers.size(); t++) {
      r.shedWithFreeSlot |= backends.get(t).busy < backends.get(t).slots;
      r.shedWithFreePermit |= admission(t).inFlight() < admission(t).limit();
    }
  }

  private void send(Req r, int tier) {
    r.tier = tier;
    r.sentAt = now;
    backends.get(tier).submit(r);
  }

  private void firstToken(Req r) {
    r.firstTokenAt = now;
    if (r.stream) {
      r.slot.firstToken(LatencySample.firstToken(now - r.sentAt).withRequestBytes(r.requestBytes));
    }
  }

  private void finished(Req r) {
    r.finishedAt = now;
    r.slot.complete(AttemptOutcome.SUCCESS, (r.stream ? LatencySample.firstToken(r.firstTokenAt - r.sentAt)
        : LatencySample.perToken(now - r.sentAt, r.outputTokens)).withRequestBytes(r.requestBytes));
  }

  private void rejected(Req r) {
    r.rejectedByBackend = true;
    r.finishedAt = now;
    r.slot.abandon(AttemptOutcome.STATUS_503);
  }

  /** A backend with {@code slots} workers and its own FIFO queue; service times within 10% of the mean. */
  private final class Slots {
    final int slots;
    final long serviceNanos;
    final int queueCapacity;
    final ArrayDeque<Req> queue = new ArrayDeque<>();
    final Random random;
    int busy;

    Slots(int index, int slots, long serviceNanos, int queueCapacity) {
      this.slots = slots;
      this.serviceNanos = serviceNanos;
      this.queueCapacity = queueCapacity;
      this.random = new Random(42 + index);
    }

    void submit(Req r) {
      if (busy < slots) {
        start(r);
      } else if (queue.size() < queueCapacity) {
        queue.addLast(r);
      } else {
        rejected(r);
      }
    }

    private void start(Req r) {
      busy++;
      long service = (long) (serviceNanos * (0.9 + 0.2 * random.nextDouble()));
      long done = now + service;
      long first = r.stream ? now + service / Math.max(1, r.outputTokens) : done;
      at(first, () -> firstToken(r));
      at(done, () -> {
        busy--;
        while (busy < slots && !queue.isEmpty()) {
          start(queue.pollFirst());
        }
        finished(r);
      });
    }
  }

  private record Event(long time, long seq, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event o) {
      int c = Long.compare(time, o.time);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
