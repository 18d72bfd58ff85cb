package dev.spillway.core.upstream.engine;

import dev.spillway.core.admission.concurrency.EngineLoad;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.Endpoint;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The engine metrics of one backend's endpoints, in the backend's endpoint order, as the {@link EngineScraper}
 * last read them. The picker reads one endpoint's fresh sample by position; the concurrency limit reads the
 * mean waiting queue through {@link EngineLoad}. Thread-safe.
 */
public final class EngineSignals implements EngineLoad {
  private final EngineSignalConfig config;
  private final Ticker ticker;
  private final EndpointSignal[] signals;
  private final List<EndpointSignal> list;

  public EngineSignals(List<Endpoint> endpoints, EngineSignalConfig config, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.signals = new EndpointSignal[endpoints.size()];
    long staleNanos = config.staleAfter().toNanos();
    for (int i = 0; i < signals.length; i++) {
      signals[i] = new EndpointSignal(endpoints.get(i), staleNanos);
    }
    this.list = Collections.unmodifiableList(new ArrayList<>(List.of(signals)));
  }

  public EngineSignalConfig config() {
    return config;
  }

  public Ticker ticker() {
    return ticker;
  }

  /** Every endpoint's signal, in the backend's endpoint order. */
  public List<EndpointSignal> all() {
    return list;
  }

  /** The fresh sample of the endpoint at {@code index} (backend order), or {@code null}. */
  public EngineSample fresh(int index, long nowNanos) {
    return signals[index].fresh(nowNanos);
  }

  public int size() {
    return signals.length;
  }

  @Override
  public double waitingPerEngine(long nowNanos) {
    double waiting = 0;
    int fresh = 0;
    for (EndpointSignal s : signals) {
      EngineSample sample = s.fresh(nowNanos);
      if (sample != null) {
        waiting += sample.waiting();
        fresh++;
      }
    }
    return fresh == 0 ? Double.NaN : waiting / fresh;
  }
}
