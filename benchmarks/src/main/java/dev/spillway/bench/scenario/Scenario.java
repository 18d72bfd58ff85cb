package dev.spillway.bench.scenario;

import dev.spillway.bench.load.LoadClient;
import dev.spillway.bench.load.LoadRunner;

/** One load scenario: starts what it needs, runs, writes its page and charts, stops what it started. */
interface Scenario {
  /** The name on the command line and of the output files. */
  String name();

  /** Runs the scenario and returns its report (already written). */
  Report run(ScenarioOptions options, LoadClient client, LoadRunner runner) throws Exception;
}
