package dev.spillway.server.status;

/**
 * One component's chart values per second, oldest first, as {@link ChartLane} closed them.
 *
 * @param from the (relative) second of the first value
 * @param counts per {@link ChartLane.Count}, one value per second
 * @param millis per {@link ChartLane.Millis}, one value per second, NaN where the second had no request
 */
record ChartSeries(long from, long[][] counts, double[][] millis) {
  long[] count(ChartLane.Count c) {
    return counts[c.ordinal()];
  }

  double[] millis(ChartLane.Millis m) {
    return millis[m.ordinal()];
  }

  int length() {
    return counts[0].length;
  }
}
