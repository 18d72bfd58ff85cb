package dev.spillway.server.status;

/**
 * Per-second values of one component, oldest first, for the status page's charts, in the outcome vocabulary
 * of {@link dev.spillway.core.observe.RequestResult}. A second without data has zero counts and NaN latencies.
 *
 * @param from the (relative) second of the first value
 */
public record Series(long from, long[] served, long[] failed, long[] shed, long[] rateLimited, long[] rejected,
    int[] queued, double[] p50Millis, double[] p99Millis) {}
