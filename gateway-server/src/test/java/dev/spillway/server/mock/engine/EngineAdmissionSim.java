package dev.spillway.server.mock.engine;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.admission.concurrency.LatencySample;
import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.concurrency.PermitCallback;
import dev.spillway.core.admission.concurrency.WaitRequest;
import dev.spillway.core.admission.concurrency.Waiter;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
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
 * proxy counts it, and each permit is told at send whether its request streams ({@code Permit#onRequestKind}),
 * as the proxy tells it from the body ({@code -Dnokind=true}: not told). A client gives up
 * {@link #CLIENT_TIMEOUT_NANOS} after it started: the engine aborts its sequence and the permit is ignored, as
 * when a client disconnects.
 */
final class EngineAdmissionSim {
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  static final long CLIENT_TIMEOUT_NANOS = 60 * SECOND;
  static final int BYTES_PER_PROMPT_TOKEN = 4;
  /** Bytes of a chat request around its message text (model, role, max_tokens, stream flags). */
  static final int ENVELOPE_BYTES = 120;
  static final long TRACE_STEP_NANOS = 100 * MS;
  private static final int TENANTS = 1000;
  /** Whether permits are told their request's kind ({@code -Dnokind=true} for a proxy that could not tell). */
  static final boolean TELL_KIND = !Boolean.getBoolean("nokind");
  /**
   * {@code -Dengine=min|override}: an adaptive limit bounded by the engine's waiting queue, read every 500 ms as
   * the gateway's scraper reads {@code vllm:num_requests_waiting}.
   */
  static final String ENGINE_SIGNAL = System.getProperty("engine", "");
  private static final long SCRAPE_NANOS = EngineSignalConfig.DEFAULT_INTERVAL.toNanos();

  final EngineOptions options;
  final BatchScheduler scheduler;
  final BackendAdmission admission;
  final List<SimCall> calls = new ArrayList<>();
  /** The limit every {@link #TRACE_STEP_NANOS}. */
  final List<Integer> limitTrace = new ArrayList<>();
  /** The prefill gate's width every {@link #TRACE_STEP_NANOS} (0: not active). */
  final List<Integer> gateTrace = new ArrayList<>();
  final List<Integer> inFlightTrace = new ArrayList<>();
  final List<Integer> engineWaitingTrace = new ArrayList<>();
  final List<Integer> roomTrace = new ArrayList<>();
  final List<Integer> kvTrace = new ArrayList<>();
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
  private double scrapedWaiting = Double.NaN;
  private long nextTrace;

  EngineAdmissionSim(EngineOptions options, ConcurrencyConfig concurrency) {
    this.options = options;
    this.scheduler = new BatchScheduler(options, new LengthSampler(options), new EngineStats());
    ConcurrencyConfig config = withEngineSignal(concurrency);
    this.admission = new BackendAdmission(config, WaitingRoomConfig.DEFAULTS, ticker,
        config.engineSignal() == null ? null : nowNanos -> scrapedWaiting);
    if (config.engineSignal() != null) {
      at(SCRAPE_NANOS, this::scrape);
    }
  }

  private static ConcurrencyConfig withEngineSignal(ConcurrencyConfig c) {
    if (ENGINE_SIGNAL.isEmpty() || c.mode() != ConcurrencyConfig.Mode.ADAPTIVE) {
      return c;
    }
    EngineSignalConfig v = EngineSignalConfig.of(EngineSignalConfig.EnginePreset.VLLM);
    EngineSignalConfig e = new EngineSignalConfig(v.preset(), v.path(), v.runningMetric(), v.waitingMetric(),
        v.kvCacheMetric(), v.interval(), v.timeout(), v.staleAfter(), v.targetWaiting(), v.maxResponseBytes(),
        EngineSignalConfig.Combine.valueOf(ENGINE_SIGNAL.toUpperCase(java.util.Locale.ROOT)));
    return new ConcurrencyConfig(c.mode(), c.limit(), c.minLimit(), c.maxLimit(), e, c.prefillGate());
  }

  /** One scrape of the engine's waiting gauge, then the limit re-read, as the gateway's monitors do. */
  private void scrape() {
    scrapedWaiting = scheduler.waiting();
    admission.refreshLimit();
    at(now + SCRAPE_NANOS, this::scrape);
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
  void arrival(SimCall call) {
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
      limitTrace.add(admission.limit());
      gateTrace.add(admission.prefillGateWidth());
      inFlightTrace.add(admission.inFlight());
      engineWaitingTrace.add(scheduler.waiting());
      roomTrace.add(admission.queued());
      kvTrace.add((int) (scheduler.kvUsed() / 1000));
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

  private void arrive(SimCall call) {
    calls.add(call);
    WaitRequest w = WaitRequest.withoutDeadline(PriorityClass.STANDARD, "t" + (calls.size() % TENANTS), false);
    call.waiter = admission.acquire(w, channel.eventLoop(), new PermitCallback() {
      @Override
      public void onPermit(Permit permit) {
        send(call, permit);
      }

      @Override
      public void onShed(ShedReason reason, long retryAfterNanos) {
        call.shedAt = now;
        call.shedReason = reason;
        call.state = SimCall.State.SHED;
        if (engineFree()) {
          shedWithFreeEngine++;
        }
      }
    });
    at(call.arrivedAt + CLIENT_TIMEOUT_NANOS, () -> giveUp(call));
  }

  /** Whether a request offered now would join the batch at once: no queue, a slot and a median prompt's cache. */
  boolean engineFree() {
    return scheduler.waiting() == 0 && scheduler.running() < options.maxRunning()
        && scheduler.kvUsed() + LengthSampler.PROMPT_MEDIAN + 1 <= options.kvCacheTokens();
  }

  private void send(SimCall call, Permit permit) {
    call.permit = permit;
    call.sentAt = now;
    call.engineAtSend = scheduler.running() + "r/" + scheduler.waiting() + "w/" + scheduler.kvUsed() / 1000 + "kkv/"
        + admission.inFlight() + "if";
    call.state = SimCall.State.SENT;
    call.sequence = new Sequence(new LengthSampler.Asked(call.promptTokens, call.answerTokens), listener(call));
    if (TELL_KIND) {
      permit.onRequestKind(call.stream);
    }
    BatchScheduler.Offer offer = scheduler.offer(call.sequence, now);
    if (offer != BatchScheduler.Offer.ACCEPTED) {
      call.state = SimCall.State.REJECTED;
      call.endedAt = now;
      permit.onDropped();
      return;
    }
    if (!stepping) {
      nextStep();
    }
  }

  private SequenceListener listener(SimCall call) {
    return new SequenceListener() {
      @Override
      public void onTokens(int count) {
        if (call.firstTokenAt < 0) {
          call.firstTokenAt = now;
          if (call.stream) {
            call.permit.onFirstToken(sample(call, LatencySample.firstToken(now - call.sentAt)));
          }
        }
        if (call.stream) {
          addTokens(count);
        }
      }

      @Override
      public void onFinished(Sequence sequence) {
        call.endedAt = now;
        call.state = SimCall.State.OK;
        if (!call.stream) {
          addTokens(sequence.answerTokens());
        }
        call.permit.onSuccess(call.stream ? LatencySample.NONE
            : sample(call, LatencySample.perToken(now - call.sentAt, sequence.answerTokens())));
      }

      @Override
      public void onRejected(Sequence sequence, Rejection rejection) {
        throw new AssertionError("rejections come from offer");
      }
    };
  }

  /** The sample as the proxy gives it: with the bytes it sent before the answer began. */
  private static LatencySample sample(SimCall call, LatencySample s) {
    return s.withRequestBytes((long) call.promptTokens * BYTES_PER_PROMPT_TOKEN + ENVELOPE_BYTES);
  }

  private void addTokens(long n) {
    int i = tokenTrace.size() - 1;
    tokenTrace.set(i, tokenTrace.get(i) + n);
  }

  private void giveUp(SimCall call) {
    switch (call.state) {
      case WAITING -> {
        call.waiter.cancel();
        call.state = SimCall.State.ABANDONED;
      }
      case SENT -> {
        scheduler.abort(call.sequence);
        call.permit.onIgnore();
        call.state = SimCall.State.ABANDONED;
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
  static final class SimCall {
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
    String engineAtSend;
    ShedReason shedReason;

    SimCall(long arrivedAt, boolean stream, int promptTokens, int answerTokens) {
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
