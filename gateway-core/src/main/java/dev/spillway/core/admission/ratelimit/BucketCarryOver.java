package dev.spillway.core.admission.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import java.util.function.IntFunction;

/**
 * Moves buckets from one config's limits to the next one's, by limit name: a limit that keeps its name keeps
 * its bucket, reconfigured in place with {@link TokensInheritanceStrategy#AS_IS}, so its level never rises on a
 * reload. A limit whose capacity went down is cut to the new capacity; one whose capacity went up keeps the
 * tokens it had (it refills at the new rate from there). A bucket in debt stays in debt. Windows of a limit are
 * matched by period (their Bucket4j bandwidth id); a new window starts full, as a new limit does.
 */
final class BucketCarryOver {
  static final TokensInheritanceStrategy INHERITANCE = TokensInheritanceStrategy.AS_IS;

  private BucketCarryOver() {}

  /**
   * The buckets for {@code to}: those of {@code from} under the same limit name (reconfigured when their limit
   * changed), else {@code create}'s new ones.
   */
  static Bucket[] carryOver(LimitSet from, Bucket[] fromBuckets, LimitSet to, IntFunction<Bucket> create) {
    return carryOver(from, fromBuckets, to, create, Runnable::run);
  }

  /** As above, handing each reconfiguration to {@code apply} (to run now, or when a reload commits). */
  static Bucket[] carryOver(LimitSet from, Bucket[] fromBuckets, LimitSet to, IntFunction<Bucket> create,
      java.util.function.Consumer<Runnable> apply) {
    Bucket[] out = new Bucket[to.size()];
    for (int i = 0; i < out.length; i++) {
      int j = from.indexOf(to.name(i));
      if (j < 0) {
        out[i] = create.apply(i);
        continue;
      }
      Bucket bucket = fromBuckets[j];
      BucketConfiguration next = to.configuration(i);
      if (!from.configuration(j).equals(next)) {
        apply.accept(() -> bucket.replaceConfiguration(next, INHERITANCE));
      }
      out[i] = bucket;
    }
    return out;
  }
}
