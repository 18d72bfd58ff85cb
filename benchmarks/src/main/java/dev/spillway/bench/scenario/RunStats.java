package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadResult;
import dev.spillway.bench.load.LoadResult.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * What one run of the unknown-capacity scenario measured, computed from its per-request records over a
 * window of the run (seconds from its origin; a phase of a staircase, say): requests counted by intended start
 * inside the window, goodput (2xx answers and their tokens) by completion inside it, per second;
 * shed count and shed answer latency, and time to first token of admitted requests (streams: first content
 * event; non-streamed: response head). A request still waiting for its first token when the generator gave up
 * on it is censored: it counts as slower than any measured value, so a percentile that falls among such
 * requests is {@link Double#POSITIVE_INFINITY} ("more than the run allowed").
 */
final class RunStats {
  /** Every record of the run. */
  private final List<Record> all;
  /** The records of requests intended to start inside the window. */
  private final List<Record> records;
  private final double fromSeconds;
  private final double toSeconds;

  /** Tokens of 2xx streams by the second they arrived in (empty when not known). */
  private final long[] streamedBins;

  /** The whole run, {@code seconds} long. */
  RunStats(LoadResult result, double seconds) {
    this(result.records(), streamedBins(result), 0, seconds);
  }

  /** The window {@code [fromSeconds, toSeconds)} of a run, without streamed-token bins. */
  RunStats(List<Record> all, double fromSeconds, double toSeconds) {
    this(all, new long[0], fromSeconds, toSeconds);
  }

  private RunStats(List<Record> all, long[] streamedBins, double fromSeconds, double toSeconds) {
    this.streamedBins = streamedBins;
    this.all = List.copyOf(all);
    this.fromSeconds = fromSeconds;
    this.toSeconds = toSeconds;
    long from = (long) (fromSeconds * 1e9);
    long to = (long) (toSeconds * 1e9);
    this.records = this.all.stream().filter(r -> r.intendedNanos() >= from && r.intendedNanos() < to).toList();
  }

  /** The same run over another window. */
  RunStats window(double from, double to) {
    return new RunStats(all, streamedBins, from, to);
  }

  private static long[] streamedBins(LoadResult result) {
    long[] bins = new long[result.binCount()];
    for (int b = 0; b < bins.length; b++) {
      bins[b] = result.streamedTokensInBin(b);
    }
    return bins;
  }

  /**
   * Answer tokens per second delivered inside the window, each stream token counted when it arrived and each
   * non-streamed answer's tokens when it completed. Smoother than {@link #tokenGoodput()} when answers take
   * longer than the window: it is the backend's decode throughput as the clients saw it. Bins are whole
   * seconds; a window edge inside a second takes that second in proportion.
   */
  double deliveredTokensPerSecond() {
    double streamed = 0;
    for (int b = 0; b < streamedBins.length; b++) {
      double overlap = Math.min(b + 1, toSeconds) - Math.max(b, fromSeconds);
      if (overlap > 0) {
        streamed += streamedBins[b] * overlap;
      }
    }
    long from = (long) (fromSeconds * 1e9);
    long to = (long) (toSeconds * 1e9);
    long json = all.stream().filter(r -> r.ok() && !r.stream() && r.endNanos() >= from && r.endNanos() < to)
        .mapToLong(Record::tokens).sum();
    return (streamed + json) / windowSeconds();
  }

  /** The records of requests intended inside the window. */
  List<Record> records() {
    return records;
  }

  double windowSeconds() {
    return toSeconds - fromSeconds;
  }

  long sent() {
    return records.size();
  }

  long ok() {
    return count(Record::ok);
  }

  long shed() {
    return count(Record::shed);
  }

  long abandoned() {
    return count(r -> r.status() == LoadResult.ABANDONED);
  }

  /** Neither 2xx, nor shed, nor given up on by the generator: other statuses, timeouts, connection errors. */
  long errors() {
    return count(r -> !r.ok() && !r.shed() && r.status() != LoadResult.ABANDONED);
  }

  long count(Predicate<Record> p) {
    return records.stream().filter(p).count();
  }

  /**
   * Goodput: 2xx answers completed inside the window, per second; never more than the backend can do. After a
   * rise in load it lags by about one answer time, which is why levels are measured after a settling time.
   */
  double goodput() {
    return completedPerSecond(fromSeconds, toSeconds);
  }

  /** Answer tokens of {@link #goodput()}'s answers, per second. */
  double tokenGoodput() {
    return completedTokensPerSecond(fromSeconds, toSeconds);
  }

  /** 2xx answers completed in {@code [fromSeconds, toSeconds)} (by completion time), per second. */
  double completedPerSecond(double fromSeconds, double toSeconds) {
    long from = (long) (fromSeconds * 1e9);
    long to = (long) (toSeconds * 1e9);
    return all.stream().filter(r -> r.ok() && r.endNanos() >= from && r.endNanos() < to).count()
        / (toSeconds - fromSeconds);
  }

  /** Answer tokens of the 2xx answers completed in {@code [fromSeconds, toSeconds)}, per second. */
  double completedTokensPerSecond(double fromSeconds, double toSeconds) {
    long from = (long) (fromSeconds * 1e9);
    long to = (long) (toSeconds * 1e9);
    return all.stream().filter(r -> r.ok() && r.endNanos() >= from && r.endNanos() < to)
        .mapToLong(Record::tokens).sum() / (toSeconds - fromSeconds);
  }

  /** The shed answers' latency percentile (0..100), in ms; NaN without any. */
  double shedMs(double percentile) {
    long[] v = records.stream().filter(Record::shed).mapToLong(r -> r.endNanos() - r.intendedNanos()).sorted()
        .toArray();
    return v.length == 0 ? Double.NaN : at(v, v.length, percentile) / 1e6;
  }

  /**
   * The shed answers' latency percentile (0..100) from when the request was written, in ms (leaves out the
   * generator's own lateness in sending); NaN without any.
   */
  double shedFromSentMs(double percentile) {
    long[] v = records.stream().filter(Record::shed).mapToLong(r -> r.endNanos() - r.sentNanos()).sorted()
        .toArray();
    return v.length == 0 ? Double.NaN : at(v, v.length, percentile) / 1e6;
  }

  /**
   * The shed answers split by cause, for the console log: per stated reason ("-" for none), count and p99 from
   * the intended start; then the p99 from when the request was written, which leaves out the generator's own
   * lateness in sending.
   */
  String shedSplit() {
    java.util.Map<String, List<Long>> byReason = new java.util.TreeMap<>();
    List<Long> fromSent = new ArrayList<>();
    for (Record r : records) {
      if (r.shed()) {
        byReason.computeIfAbsent(r.shedReason() == null ? "-" : r.shedReason(), k -> new ArrayList<>())
            .add(r.endNanos() - r.intendedNanos());
        fromSent.add(r.endNanos() - r.sentNanos());
      }
    }
    StringBuilder sb = new StringBuilder("sheds");
    byReason.forEach((reason, v) -> sb.append(String.format(java.util.Locale.ROOT, " %s=%d (p99 %.2f ms)", reason,
        v.size(), p99Ms(v))));
    return sb.append(String.format(java.util.Locale.ROOT, ", p99 from sent %.2f ms", p99Ms(fromSent))).toString();
  }

  private static double p99Ms(List<Long> v) {
    long[] a = v.stream().mapToLong(Long::longValue).sorted().toArray();
    return a.length == 0 ? Double.NaN : at(a, a.length, 99) / 1e6;
  }

  /**
   * The time-to-first-token percentile (0..100), in ms, of admitted requests of one kind ({@code stream} or
   * not) intended to start in {@code [fromNanos, toNanos)}; NaN without any, infinite when censored.
   */
  double ttftMs(boolean stream, double percentile, long fromNanos, long toNanos) {
    List<Long> measured = new ArrayList<>();
    int censored = 0;
    for (Record r : all) {
      if (r.stream() != stream || r.intendedNanos() < fromNanos || r.intendedNanos() >= toNanos) {
        continue;
      }
      if (r.ok() && r.firstTokenNanos() >= 0) {
        measured.add(r.firstTokenNanos() - r.intendedNanos());
      } else if (r.status() == LoadResult.ABANDONED) {
        if (r.firstTokenNanos() >= 0) {
          measured.add(r.firstTokenNanos() - r.intendedNanos());
        } else {
          censored++;
        }
      }
    }
    int n = measured.size() + censored;
    if (n == 0) {
      return Double.NaN;
    }
    long[] v = measured.stream().mapToLong(Long::longValue).sorted().toArray();
    int index = index(n, percentile);
    return index >= v.length ? Double.POSITIVE_INFINITY : v[index] / 1e6;
  }

  /** As {@link #ttftMs(boolean, double, long, long)} over the window. */
  double ttftMs(boolean stream, double percentile) {
    return ttftMs(stream, percentile, (long) (fromSeconds * 1e9), (long) (toSeconds * 1e9));
  }

  /** Whole-response time percentile of 2xx answers of one kind, in ms; NaN without any. */
  double totalMs(boolean stream, double percentile) {
    long[] v = records.stream().filter(r -> r.ok() && r.stream() == stream)
        .mapToLong(r -> r.endNanos() - r.intendedNanos()).sorted().toArray();
    return v.length == 0 ? Double.NaN : at(v, v.length, percentile) / 1e6;
  }

  /** Mean answer tokens per second of 2xx streams after their first token (their decode speed). */
  double streamTokensPerSecond() {
    double sum = 0;
    int n = 0;
    for (Record r : records) {
      if (r.ok() && r.stream() && r.firstTokenNanos() >= 0 && r.tokens() > 1 && r.endNanos() > r.firstTokenNanos()) {
        sum += (r.tokens() - 1) / ((r.endNanos() - r.firstTokenNanos()) / 1e9);
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  /** Mean whole-response time of 2xx answers, in seconds. */
  double meanServiceSeconds() {
    return records.stream().filter(Record::ok).mapToLong(r -> r.endNanos() - r.intendedNanos()).average()
        .orElse(Double.NaN) / 1e9;
  }

  /** 2xx completions per one-second bin of completion time, over {@code bins} seconds. */
  double[] goodputBins(int bins) {
    double[] out = new double[bins];
    for (Record r : all) {
      if (r.ok()) {
        int b = (int) (r.endNanos() / 1_000_000_000L);
        if (b >= 0 && b < bins) {
          out[b]++;
        }
      }
    }
    return out;
  }

  /** Shed answers per one-second bin of completion time. */
  double[] shedBins(int bins) {
    double[] out = new double[bins];
    for (Record r : all) {
      if (r.shed()) {
        int b = (int) (r.endNanos() / 1_000_000_000L);
        if (b >= 0 && b < bins) {
          out[b]++;
        }
      }
    }
    return out;
  }

  /** TTFT p99 of admitted streams and non-streams together, per one-second bin of intended start, in ms. */
  double[] ttftP99Bins(int bins) {
    double[] out = new double[bins];
    for (int b = 0; b < bins; b++) {
      long from = b * 1_000_000_000L;
      long to = from + 1_000_000_000L;
      double s = ttftMs(true, 99, from, to);
      double j = ttftMs(false, 99, from, to);
      out[b] = Double.isNaN(s) ? j : Double.isNaN(j) ? s : Math.max(s, j);
    }
    return out;
  }

  private static int index(int n, double percentile) {
    return (int) Math.min(n - 1, Math.max(0, Math.ceil(percentile / 100 * n) - 1));
  }

  private static long at(long[] sorted, int n, double percentile) {
    return sorted[index(n, percentile)];
  }

  @Override
  public String toString() {
    return "RunStats[sent=" + sent() + ", ok=" + ok() + ", shed=" + shed() + ", errors=" + errors() + ", abandoned="
        + abandoned() + ", goodput=" + String.format(java.util.Locale.ROOT, "%.1f", goodput()) + "/s"
        + ", ttftP99(stream)=" + String.format(java.util.Locale.ROOT, "%.1f", ttftMs(true, 99)) + " ms]";
  }
}
