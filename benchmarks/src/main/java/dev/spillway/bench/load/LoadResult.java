package dev.spillway.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Everything one load run observed, safe to record from many event loops at once. Every latency is measured
 * from the request's intended start (see {@link Schedule}), never from when it was actually sent. Latencies
 * are kept in microseconds. Per-second bins give the time series: completions (and their answer tokens) by
 * the second they completed in, latencies and errors by the second the request was intended to start in.
 * Time to first token is kept apart for streams (the first content event) and for non-streamed answers
 * (the response head). A result made {@link #LoadResult(long, int, long, boolean) with records} also keeps
 * one {@link Record} per request.
 */
public final class LoadResult {
  /** {@link Record#status()} of a request that got no complete response in time. */
  public static final int TIMEOUT = -1;
  /** {@link Record#status()} of a request whose connection failed or closed before its response was complete. */
  public static final int IO_ERROR = -2;
  /** {@link Record#status()} of a request the generator's own connection cap kept from being sent. */
  public static final int CLIENT_LIMITED = -3;
  /**
   * {@link Record#status()} of a request still running when the generator gave up on it at the end of a run
   * (see {@link LoadRunner#runAbandoning}); its first token, if one came, is kept.
   */
  public static final int ABANDONED = -4;

  /**
   * How one request ended. Times are nanoseconds from the run's origin; {@code firstTokenNanos} is -1 when no
   * token arrived; {@code status} is the HTTP status, or {@link #TIMEOUT}, {@link #IO_ERROR} or
   * {@link #CLIENT_LIMITED}. {@code sentNanos} is when the request was written (its intended start when not
   * known); {@code shedReason} the shed answer's {@code x-spillway-shed-reason}, else {@code null}.
   */
  public record Record(long intendedNanos, long endNanos, int status, boolean stream, long firstTokenNanos,
      int tokens, int kind, long sentNanos, String shedReason) {
    public Record(long intendedNanos, long endNanos, int status, boolean stream, long firstTokenNanos, int tokens,
        int kind) {
      this(intendedNanos, endNanos, status, stream, firstTokenNanos, tokens, kind, intendedNanos, null);
    }

    public boolean ok() {
      return status >= 200 && status < 300;
    }

    public boolean shed() {
      return isShed(status);
    }
  }

  private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);
  private static final long BIN_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final long originNanos;
  private final long stallNanos;
  private final int binCount;
  private final ConcurrentHistogram ok = new ConcurrentHistogram(MAX_MICROS, 3);
  private final ConcurrentHistogram shed = new ConcurrentHistogram(MAX_MICROS, 3);
  private final ConcurrentHistogram ttft = new ConcurrentHistogram(MAX_MICROS, 3);
  private final ConcurrentHistogram ttftJson = new ConcurrentHistogram(MAX_MICROS, 3);
  private final LongAdder okTokens = new LongAdder();
  private final AtomicLongArray tokensByCompletion;
  private final AtomicLongArray streamedTokensByArrival;
  private final ConcurrentLinkedQueue<Record> records;
  private final AtomicLongArray statuses = new AtomicLongArray(600);
  private final LongAdder sent = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder connectErrors = new LongAdder();
  private final LongAdder ioErrors = new LongAdder();
  private final LongAdder clientLimited = new LongAdder();
  private final LongAdder stalls = new LongAdder();
  private final LongAdder abandoned = new LongAdder();
  private volatile boolean abandoning;
  private final AtomicLongArray okByCompletion;
  private final AtomicLongArray shedByCompletion;
  private final AtomicLongArray errorsByIntended;
  private final AtomicReferenceArray<ConcurrentHistogram> okLatencyByIntended;

  /**
   * A result whose bins start at {@code originNanos} (the ticker reading of request 0's intended start) and
   * cover {@code seconds}; a stream with a silence longer than {@code stallNanos} between chunks is a stall.
   */
  public LoadResult(long originNanos, int seconds, long stallNanos) {
    this(originNanos, seconds, stallNanos, false);
  }

  /** As {@link #LoadResult(long, int, long)}; with {@code keepRecords}, also one {@link Record} per request. */
  public LoadResult(long originNanos, int seconds, long stallNanos, boolean keepRecords) {
    this.originNanos = originNanos;
    records = keepRecords ? new ConcurrentLinkedQueue<>() : null;
    this.stallNanos = stallNanos;
    binCount = Math.max(1, seconds);
    okByCompletion = new AtomicLongArray(binCount);
    tokensByCompletion = new AtomicLongArray(binCount);
    streamedTokensByArrival = new AtomicLongArray(binCount);
    shedByCompletion = new AtomicLongArray(binCount);
    errorsByIntended = new AtomicLongArray(binCount);
    okLatencyByIntended = new AtomicReferenceArray<>(binCount);
  }

  /** Whether a status is a load-shedding answer: 429 or 503. */
  public static boolean isShed(int status) {
    return status == 429 || status == 503;
  }

  public void sent() {
    sent.increment();
  }

  /**
   * A complete response. {@code ttftNanos} is the ticker reading of the first {@code data:} event, or -1 for
   * a response without one; {@code maxGapNanos} the longest silence between body chunks.
   */
  public void response(long intendedNanos, long endNanos, int status, long ttftNanos, long maxGapNanos) {
    response(intendedNanos, endNanos, status, ttftNanos != -1, ttftNanos, maxGapNanos, 0, 0);
  }

  /**
   * A complete response to a streamed request or not. {@code ttftNanos} is the ticker reading of the first
   * token (a stream's first content event, a JSON answer's response head), or -1 without one; {@code tokens}
   * the answer's token count; {@code kind} the request's kind in its {@link RequestMix}.
   */
  public void response(long intendedNanos, long endNanos, int status, boolean stream, long ttftNanos,
      long maxGapNanos, int tokens, int kind) {
    response(intendedNanos, intendedNanos, endNanos, status, null, stream, ttftNanos, maxGapNanos, tokens, kind);
  }

  /**
   * As above, with when the request was written ({@code sentNanos}) and a shed answer's stated reason (its
   * {@code x-spillway-shed-reason}, or {@code null}), so shed latency can be split by cause and into the
   * generator's own delay before sending and the answer's time after it.
   */
  public void response(long intendedNanos, long sentNanos, long endNanos, int status, String shedReason,
      boolean stream, long ttftNanos, long maxGapNanos, int tokens, int kind) {
    statuses.incrementAndGet(Math.min(Math.max(status, 0), 599));
    long micros = micros(endNanos - intendedNanos);
    if (records != null) {
      records.add(new Record(intendedNanos - originNanos, endNanos - originNanos, status, stream,
          ttftNanos == -1 ? -1 : ttftNanos - originNanos, tokens, kind, sentNanos - originNanos, shedReason));
    }
    if (status >= 200 && status < 300) {
      ok.recordValue(micros);
      add(okByCompletion, endNanos);
      okTokens.add(tokens);
      tokensByCompletion.addAndGet(bin(endNanos), tokens);
      int bin = bin(intendedNanos);
      ConcurrentHistogram h = okLatencyByIntended.get(bin);
      if (h == null) {
        okLatencyByIntended.compareAndSet(bin, null, new ConcurrentHistogram(MAX_MICROS, 2));
        h = okLatencyByIntended.get(bin);
      }
      h.recordValue(micros);
      if (ttftNanos != -1) {
        (stream ? ttft : ttftJson).recordValue(micros(ttftNanos - intendedNanos));
      }
      if (maxGapNanos > stallNanos) {
        stalls.increment();
      }
    } else if (isShed(status)) {
      shed.recordValue(micros);
      add(shedByCompletion, endNanos);
    } else {
      add(errorsByIntended, intendedNanos);
    }
  }

  /** {@code count} tokens of a 2xx stream arrived at {@code nowNanos}. */
  public void streamedTokens(long nowNanos, int count) {
    streamedTokensByArrival.addAndGet(bin(nowNanos), count);
  }

  /** Tokens of 2xx streams that arrived in second {@code bin}, complete streams or not. */
  public long streamedTokensInBin(int bin) {
    return streamedTokensByArrival.get(bin);
  }

  /** No complete response within the client's timeout. */
  public void timeout(long intendedNanos) {
    timeouts.increment();
    failed(intendedNanos, TIMEOUT);
    add(errorsByIntended, intendedNanos);
  }

  /** The TCP connect failed. */
  public void connectError(long intendedNanos) {
    connectErrors.increment();
    failed(intendedNanos, IO_ERROR);
    add(errorsByIntended, intendedNanos);
  }

  /** The connection closed or reset before the response was complete. */
  public void ioError(long intendedNanos) {
    ioErrors.increment();
    failed(intendedNanos, IO_ERROR);
    add(errorsByIntended, intendedNanos);
  }

  /** The generator's own connection cap was reached, so the request was never sent. */
  public void clientLimited(long intendedNanos) {
    clientLimited.increment();
    failed(intendedNanos, CLIENT_LIMITED);
    add(errorsByIntended, intendedNanos);
  }

  /** From now on, requests ending without a response are abandoned by the generator, not failures. */
  public void abandon() {
    abandoning = true;
  }

  public boolean isAbandoning() {
    return abandoning;
  }

  /**
   * A request the generator gave up on (see {@link #abandon()}) at {@code endNanos}, streamed or not; {@code firstTokenNanos} is the ticker reading
   * of its first token, -1 if none came. Counted apart: neither an error nor a success.
   */
  public void abandoned(long intendedNanos, long endNanos, boolean stream, long firstTokenNanos) {
    abandoned.increment();
    if (records != null) {
      records.add(new Record(intendedNanos - originNanos, endNanos - originNanos, ABANDONED, stream,
          firstTokenNanos == -1 ? -1 : firstTokenNanos - originNanos, 0, -1));
    }
  }

  /** Requests the generator gave up on at the end of the run. */
  public long abandonedCount() {
    return abandoned.sum();
  }

  private void failed(long intendedNanos, int status) {
    if (records != null) {
      records.add(new Record(intendedNanos - originNanos, -1, status, false, -1, 0, -1));
    }
  }

  private static long micros(long nanos) {
    return Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
  }

  private int bin(long nanos) {
    long b = (nanos - originNanos) / BIN_NANOS;
    return (int) Math.min(binCount - 1, Math.max(0, b));
  }

  private void add(AtomicLongArray bins, long nanos) {
    bins.incrementAndGet(bin(nanos));
  }

  public long sentCount() {
    return sent.sum();
  }

  /** Responses, timeouts and errors: every request that has finished one way or another. */
  public long finishedCount() {
    long n = timeouts.sum() + connectErrors.sum() + ioErrors.sum() + clientLimited.sum() + abandoned.sum();
    for (int i = 0; i < statuses.length(); i++) {
      n += statuses.get(i);
    }
    return n;
  }

  public Histogram okLatency() {
    return ok.copy();
  }

  public Histogram shedLatency() {
    return shed.copy();
  }

  /** Time to first token of 2xx streams: from the intended start to the first content event. */
  public Histogram timeToFirstToken() {
    return ttft.copy();
  }

  /** Time to first token of 2xx non-streamed answers: from the intended start to the response head. */
  public Histogram timeToResponseHead() {
    return ttftJson.copy();
  }

  /** Answer tokens of all 2xx responses. */
  public long okTokens() {
    return okTokens.sum();
  }

  /** Answer tokens of the 2xx responses completed in second {@code bin}. */
  public long tokensInBin(int bin) {
    return tokensByCompletion.get(bin);
  }

  /** One record per finished request, in no particular order; empty unless made with records. */
  public List<Record> records() {
    return records == null ? List.of() : new ArrayList<>(records);
  }

  /** The ticker reading of request 0's intended start. */
  public long originNanos() {
    return originNanos;
  }

  public long okCount() {
    return ok.getTotalCount();
  }

  public long shedCount() {
    return shed.getTotalCount();
  }

  public long timeouts() {
    return timeouts.sum();
  }

  public long connectErrors() {
    return connectErrors.sum();
  }

  public long ioErrors() {
    return ioErrors.sum();
  }

  public long clientLimitedCount() {
    return clientLimited.sum();
  }

  public long stalls() {
    return stalls.sum();
  }

  /** Requests that got neither a 2xx nor a shed answer: other statuses, timeouts, connection errors. */
  public long errorCount() {
    return finishedCount() - okCount() - shedCount() - abandoned.sum();
  }

  /** Count per status code seen, in code order. */
  public Map<Integer, Long> statusCounts() {
    Map<Integer, Long> counts = new TreeMap<>();
    for (int i = 0; i < statuses.length(); i++) {
      if (statuses.get(i) > 0) {
        counts.put(i, statuses.get(i));
      }
    }
    return counts;
  }

  public int binCount() {
    return binCount;
  }

  /** 2xx responses completed in second {@code bin}. */
  public long okInBin(int bin) {
    return okByCompletion.get(bin);
  }

  /** Shed answers completed in second {@code bin}. */
  public long shedInBin(int bin) {
    return shedByCompletion.get(bin);
  }

  /** Errors (not 2xx, not shed) among requests intended to start in second {@code bin}. */
  public long errorsInBin(int bin) {
    return errorsByIntended.get(bin);
  }

  /** The 2xx latency percentile, in microseconds, of requests intended in second {@code bin}; -1 if none. */
  public long okPercentileInBin(int bin, double percentile) {
    ConcurrentHistogram h = okLatencyByIntended.get(bin);
    return h == null || h.getTotalCount() == 0 ? -1 : h.getValueAtPercentile(percentile);
  }
}
