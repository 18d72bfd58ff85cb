#!/usr/bin/env bash
# Runs the load scenarios (dev.spillway.bench.scenario.Scenarios) from the repository root, building the
# jars first if they are missing. Arguments are passed on, e.g.:
#   benchmarks/run-scenarios.sh --quick            # every scenario, a few seconds each (CI)
#   benchmarks/run-scenarios.sh overload streams   # full mode, writes docs/benchmarks/
#   benchmarks/run-scenarios.sh unknown-capacity   # the adaptive limit against unknown backends (~20 min)
#   benchmarks/run-scenarios.sh --jfr overhead     # also record a JFR profile of each Spillway process
# Options for the runner's JVM go in SCENARIO_JAVA_OPTS (e.g. -Dproxies=spillway,nginx, -Dunknown.backends=llm).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f benchmarks/target/benchmarks.jar ] || [ ! -f gateway-server/target/spillway.jar ]; then
  ./mvnw -B -q -DskipTests package
fi
exec java ${SCENARIO_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar dev.spillway.bench.scenario.Scenarios "$@"
