package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;

final class SpikeScenario implements Scenario {
  @Override
  public String name() {
    return "spike";
  }

  @Override
  public Report run(ScenarioOptions o, LoadClient client, LoadRunner runner) {
    throw new UnsupportedOperationException();
  }
}
