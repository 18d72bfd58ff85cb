package dev.spillway.core.admission.concurrency;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * How many requests the backend was just seen to serve at once, counted from first tokens: the floor of a
 * first-token decrease. A request admitted with {@code k} in flight that started by time {@code s} (its first
 * token came after it started) found, in a FIFO backend, every one of the {@code k - 1} ahead of it running at
 * {@code s}, except those that had left: so {@code k - (releases between its admission and s)} ran at once,
 * a lower bound of the backend's slots that is exact when none left after it started. The largest of these
 * bounds over the last {@link #SPAN_NANOS} is a count of the slots that needs no departure rate: Little's law
 * from the rate assumes departures spread evenly, but a backend with exact service times repeats whatever
 * burst of starts a jump of the limit sent it (the waiting room admits all it holds at once), so a request
 * queued behind a few may wait nearly a whole service time for the next burst and read as a deep queue.
 * Older bounds (beyond the last {@value #MIN_BOUNDS}) are forgotten, so a backend that lost slots is followed; the second largest is used, so one
 * request that overtook others on its way (a fresh connection for one, a reused one for another) does not set
 * it alone. Not thread-safe.
 */
final class ServedAtOnce {
  /** Which of the recent bounds is the floor. */
  enum Rank {
    /** The second largest: each bound is a lower bound of the slots. */
    SECOND_LARGEST,
    /** The lower quartile: for counts that swing around what the backend holds. */
    LOWER_QUARTILE
  }

  static final long SPAN_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Bounds kept however old: a backend answering a few first tokens a second gives too few in a second. */
  static final int MIN_BOUNDS = 16;
  private static final int CAPACITY = 256;

  private final long[] times = new long[CAPACITY];
  private final int[] counts = new int[CAPACITY];
  private final int[] scratch = new int[CAPACITY];
  private final Rank rank;
  private int next;
  private int size;

  ServedAtOnce(Rank rank) {
    this.rank = rank;
  }

  /** A first token that came at {@code now} shows the backend ran at least {@code ranAtOnce} together. */
  void add(int ranAtOnce, long now) {
    times[next] = now;
    counts[next] = ranAtOnce;
    next = (next + 1) % CAPACITY;
    size = Math.min(size + 1, CAPACITY);
  }

  /**
   * The second largest (or lower quartile, by {@link Rank}) bound of the last {@link #SPAN_NANOS}, or of the last
   * {@value #MIN_BOUNDS} if those are older; 0 with fewer than two.
   */
  int floor(long now) {
    return floor(now, rank);
  }

  /** As {@link #floor(long)}, by {@code by}. */
  int floor(long now, Rank by) {
    int n = 0;
    for (int k = 0; k < size; k++) {
      int i = (next - 1 - k + CAPACITY) % CAPACITY;
      if (k >= MIN_BOUNDS && now - times[i] > SPAN_NANOS) {
        break;
      }
      scratch[n++] = counts[i];
    }
    if (n < 2) {
      return 0;
    }
    Arrays.sort(scratch, 0, n);
    return by == Rank.LOWER_QUARTILE ? scratch[(n - 1) / 4] : scratch[n - 2];
  }
}
