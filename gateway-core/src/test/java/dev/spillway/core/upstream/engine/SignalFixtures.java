package dev.spillway.core.upstream.engine;

/** Test helpers for packages that read {@link EngineSignals}: record a scrape by hand. */
public final class SignalFixtures {
  private SignalFixtures() {}

  /** Records a scrape of endpoint {@code index} at the signals' ticker's now. */
  public static void record(EngineSignals signals, int index, double running, double waiting, double kv) {
    signals.all().get(index).record(new EngineSample(running, waiting, kv, signals.ticker().nanoTime()));
  }

  public static void fail(EngineSignals signals, int index, String why) {
    signals.all().get(index).fail(why);
  }
}
