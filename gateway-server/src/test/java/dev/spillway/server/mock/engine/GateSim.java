package dev.spillway.server.mock.engine;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.admission.concurrency.Waiter;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic fake-time run of clients, the real {@link BackendAdmission} and the real {@link BatchScheduler}
 * of the {@code llm} mock: the development loop of the adaptive limit on a faithful engine, measured as the
 * unknown-capacity benchmark measures it. No threads, no sleeps.
 *
 * <p>The engine steps as {@link LlmEngine} does, back to back ({@link BatchScheduler#planStep} then, when the
 * step's time is up, {@link BatchScheduler#completeStep}). A stream's first token gives its permit
 * {@link Permit#onFirstToken} and its end {@code onSuccess}; a non-streamed answer gives
 * {@link LatencySample#perToken} at its end; an engine rejection is {@code onDropped}. Each sample carries the
 * request's body size ({@value #BYTES_PER_PROMPT_TOKEN} bytes per prompt token plus a JSON envelope), as the
 * proxy counts it. A client gives up {@link #CLIENT_TIMEOUT_NANOS} after it started: the engine aborts its
 * sequence and the permit is ignored, as when a client disconnects.
 */
final class GateSim {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  static final long CLIENT_TIMEOUT_NANOS = 60 * SECOND;
  static final int BYTES_PER_PROMPT_TOKEN = 4;
  /** Bytes of a chat request around its message text (model, role, max_tokens, stream flags). */
  static final int ENVELOPE_BYTES = 120;
  static final long TRACE_STEP_NANOS = 100 * MS;
  private static final int TENANTS = 1000;

  final EngineOptions options;
  final BatchScheduler scheduler;
  final BackendAdmission admission;
  final List<GCall> calls = new ArrayList<>();
  /** The limit every {@link #TRACE_STEP_NANOS}. */
  final List<Integer> limitTrace = new ArrayList<>();
  /** Answer tokens delivered per {@link #TRACE_STEP_NANOS}: streamed ones as they come, others at the end. */
  final List<Long> tokenTrace = new ArrayList<>();
  /** Sheds while the engine could have started the request at once (no queue, a slot and cache free). */
  int shedWithFreeEngine;

  private final FakeTicker ticker = new FakeTicker();
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final PriorityQueue<Event> events = new PriorityQueue<>();
  private long now;
  private long seq;
  private boolean stepping;
  private long nextTrace;

  GateSim(EngineOptions options, ConcurrencyConfig concurrency) {
    this.options = options;
    this.scheduler = new BatchScheduler(options, new LengthSampler(options), new EngineStats());
    this.admission = null;
  }

  /** Simulated nanos since the start. */
  long now() {
    return now;
  }

  /** Schedules {@code action} at {@code t} (nanos from the start). */
  void at(long t, Runnable action) {
    events.add(new Event(t, seq++, action));
  }

  /** Schedules {@code call}'s arrival. */
  void arrival(GCall call) {
    at(call.arrivedAt, () -> arrive(call));
  }

  /** Runs every event up to {@code end}. */
  void run(long end) {
    Event e;
    while ((e = events.peek()) != null && e.time <= end) {
      events.poll();
      moveTo(e.time);
      e.action.run();
      channel.runPendingTasks();
    }
    moveTo(end);
  }

  void close() {
    channel.finishAndReleaseAll();
  }

  private void moveTo(long t) {
    while (nextTrace <= t) {
      limitTrace.add(gate());
      tokenTrace.add(0L);
      nextTrace += TRACE_STEP_NANOS;
    }
    long delta = t - now;
    if (delta > 0) {
      ticker.advanceNanos(delta);
      channel.advanceTimeBy(delta, TimeUnit.NANOSECONDS);
      now = t;
      channel.runPendingTasks();
    }
  }

  static int GATE_K = Integer.getInteger("k", 2);
  static int GATE_L = Integer.getInteger("L", 64);
  static long GATE_T = Long.getLong("T", 100) * MS;
  static boolean REAL_FIRST = Boolean.parseBoolean(System.getProperty("real", "true"));
  static double EST = Double.parseDouble(System.getProperty("est", "1.0"));
  int inflight;
  int awaiting;
  final java.util.ArrayDeque<GCall> room = new java.util.ArrayDeque<>();

  private void arrive(GCall call) {
    calls.add(call);
    if (inflight < GATE_L && awaiting < gate()) {
      admit(call);
      return;
    }
    if (awaiting >= gate()) binding = true;
    room.addLast(call);
    at(now + GATE_T, () -> { if (call.state == GCall.State.WAITING && room.remove(call)) { call.state = GCall.State.SHED; call.shedAt = now; if (engineFree()) shedWithFreeEngine++; } });
    at(call.arrivedAt + CLIENT_TIMEOUT_NANOS, () -> giveUp(call));
  }

  static boolean ADAPT = Boolean.getBoolean("adapt");
  static double GROW = Double.parseDouble(System.getProperty("grow", "0.1"));
  static double CUT = Double.parseDouble(System.getProperty("cut", "0.5"));
  static double THETA = Double.parseDouble(System.getProperty("theta", "0.5"));
  static double M = Double.parseDouble(System.getProperty("M", "2"));
  double k = ADAPT ? 1 : GATE_K;
  boolean binding;
  long cutEpoch;
  long admitSeq;

  int gate() { return Math.max(1, (int) k); }

  private void admit(GCall call) {
    inflight++;
    awaiting++;
    call.gateOpen = false;
    call.admitSeq = ++admitSeq;
    long est = (long) (M * (15 * MS + call.promptTokens * MS / 8));
    if (!call.stream && !REAL_FIRST) {
      at(now + (long) (EST * (30 * MS + call.promptTokens * MS / 8)), () -> firstSeen(call));
    } else if (ADAPT && M > 0) {
      at(now + est, () -> firstSeen(call));
    }
    send(call, null);
  }

  void sampleFirst(GCall call) {
    if (!ADAPT) return;
    long q = (now - call.sentAt) - (15 * MS + call.promptTokens * MS / 8);
    long u = 15 * MS + call.promptTokens * MS / 8;
    if (q > THETA * u) {
      if (call.admitSeq > cutEpoch) { k = Math.max(1, k * CUT); cutEpoch = admitSeq; }
    } else if (binding && q < 0.2 * u) {
      k += GROW / gate();
      binding = false;
    }
  }

  void firstSeen(GCall call) {
    if (call.gateOpen) return;
    call.gateOpen = true;
    awaiting--;
    drain();
  }

  void done(GCall call) {
    firstSeen(call);
    inflight--;
    drain();
  }

  void drain() {
    while (inflight < GATE_L && awaiting < gate() && !room.isEmpty()) {
      GCall c = room.pollLast();
      admit(c);
    }
  }

  /** Whether a request offered now would join the batch at once: no queue, a slot and a median prompt's cache. */
  boolean engineFree() {
    return scheduler.waiting() == 0 && scheduler.running() < options.maxRunning()
        && scheduler.kvUsed() + LengthSampler.PROMPT_MEDIAN + 1 <= options.kvCacheTokens();
  }

  private void send(GCall call, Permit permit) {
    call.permit = permit;
    call.sentAt = now;
    call.state = GCall.State.SENT;
    call.sequence = new Sequence(new LengthSampler.Asked(call.promptTokens, call.answerTokens), listener(call));
    BatchScheduler.Offer offer = scheduler.offer(call.sequence, now);
    if (offer != BatchScheduler.Offer.ACCEPTED) {
      call.state = GCall.State.REJECTED;
      call.endedAt = now;
      done(call);
      return;
    }
    if (!stepping) {
      nextStep();
    }
  }

  private SequenceListener listener(GCall call) {
    return new SequenceListener() {
      @Override
      public void onTokens(int count) {
        if (call.firstTokenAt < 0) {
          call.firstTokenAt = now;
          if (call.stream) {
          }
          if (call.stream) sampleFirst(call);
          if (call.stream || REAL_FIRST) firstSeen(call);
        }
        if (call.stream) {
          addTokens(count);
        }
      }

      @Override
      public void onFinished(Sequence sequence) {
        call.endedAt = now;
        call.state = GCall.State.OK;
        if (!call.stream) {
          addTokens(sequence.answerTokens());
        }
        done(call);
      }

      @Override
      public void onRejected(Sequence sequence, Rejection rejection) {
        throw new AssertionError("rejections come from offer");
      }
    };
  }

  /** The sample as the proxy gives it: with the bytes it sent before the answer began. */
  private static LatencySample sample(GCall call, LatencySample s) {
    return s.withRequestBytes((long) call.promptTokens * BYTES_PER_PROMPT_TOKEN + ENVELOPE_BYTES);
  }

  private void addTokens(long n) {
    int i = tokenTrace.size() - 1;
    tokenTrace.set(i, tokenTrace.get(i) + n);
  }

  private void giveUp(GCall call) {
    switch (call.state) {
      case WAITING -> {
        room.remove(call);
        call.state = GCall.State.ABANDONED;
      }
      case SENT -> {
        scheduler.abort(call.sequence);
        done(call);
        call.state = GCall.State.ABANDONED;
      }
      default -> { }
    }
  }

  private void nextStep() {
    long nanos = scheduler.planStep();
    if (nanos < 0) {
      stepping = false;
      return;
    }
    stepping = true;
    at(now + nanos, () -> {
      scheduler.completeStep(now);
      nextStep();
    });
  }

  /** One client request and what became of it (times in nanos from the start, -1 for never). */
  static final class GCall {
    enum State { WAITING, SENT, OK, SHED, REJECTED, ABANDONED }

    final long arrivedAt;
    final boolean stream;
    final int promptTokens;
    final int answerTokens;
    State state = State.WAITING;
    Waiter waiter = Waiter.NOOP;
    Permit permit;
    Sequence sequence;
    long sentAt = -1;
    long firstTokenAt = -1;
    long endedAt = -1;
    long shedAt = -1;
    boolean gateOpen;
    long admitSeq;

    GCall(long arrivedAt, boolean stream, int promptTokens, int answerTokens) {
      this.arrivedAt = arrivedAt;
      this.stream = stream;
      this.promptTokens = promptTokens;
      this.answerTokens = answerTokens;
    }

    /** What the benchmark calls time to first token: to a stream's first token, or a JSON answer's head. */
    long ttftNanos() {
      if (state == State.SHED || state == State.REJECTED) {
        return -1;
      }
      long head = stream ? firstTokenAt : endedAt;
      return head < 0 ? -1 : head - arrivedAt;
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
