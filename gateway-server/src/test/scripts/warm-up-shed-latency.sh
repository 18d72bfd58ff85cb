#!/usr/bin/env bash
# Measures the gateway's own shed latency (spillway_shed_duration_seconds) of the first sheds of a fresh JVM,
# with the start-up warm-up off and on. For each setting and run: a mock backend with one slot and a slow
# answer, Spillway in front with a static limit of 1 and no waiting room; one request holds the slot, then
# SHEDS requests are sent one every 100 ms (each is shed, 503), and /metrics is read after each (the sum's
# growth is that shed's own time). Prints two lines per run. Everything runs on 127.0.0.1 and is stopped at
# the end.
#
#   ./mvnw -q -o -pl gateway-server -am package -DskipTests
#   gateway-server/src/test/scripts/warm-up-shed-latency.sh [RUNS] [SHEDS]
set -euo pipefail
JAR=${JAR:-gateway-server/target/spillway.jar}
RUNS=${1:-3}
SHEDS=${2:-20}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx512m}
WORK=$(mktemp -d /tmp/warm-up-measure.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; echo "timeout: $2 in $1" >&2; return 1; }
# "count sum" of all reasons of spillway_shed_duration_seconds
shed_stats() {
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^spillway_shed_duration_seconds_count/ {c+=$2} /^spillway_shed_duration_seconds_sum/ {s+=$2} END {printf "%d %.6f", c, s}'
}
# cumulative counts at le=0.001 / 0.002 of the 503 sheds (queue_full)
shed_buckets() {
  curl -s "http://127.0.0.1:$1/metrics" | awk -F'[ ]' '/^spillway_shed_duration_seconds_bucket\{reason="queue_full",le="(5.0E-4|0.001|0.002|0.005)"\}/ {match($1,/le="[^"]*"/); printf "%s=%s ", substr($1,RSTART+3,RLENGTH-4), $2}'
}

for run in $(seq 1 "$RUNS"); do
  for warm in 0 2000; do
    MOCK=$(free_port); GW=$(free_port); ADMIN=$(free_port)
    java -Xmx128m -jar "$JAR" mock-backend --port "$MOCK" --capacity 1 --latency 60s >"$WORK/mock.log" 2>&1 &
    PIDS+=($!); MOCK_PID=$!
    cat >"$WORK/spillway.yaml" <<YAML
server:
  host: 127.0.0.1
  port: $GW
  ioThreads: 1
  shutdownTimeout: 1s
  warmUpRequests: $warm
backends:
  b:
    endpoints: [http://127.0.0.1:$MOCK]
    concurrency: {mode: static, limit: 1}
    waitingRoom: {maxQueue: 0}
routes:
  - name: chat
    match: {pathPrefix: /}
    backend: b
admin:
  enabled: true
  host: 127.0.0.1
  port: $ADMIN
accessLog:
  enabled: false
YAML
    START=$(date +%s%N)
    java $JAVA_OPTS -jar "$JAR" run --no-watch-config --config "$WORK/spillway.yaml" >"$WORK/gw.log" 2>&1 &
    PIDS+=($!); GW_PID=$!
    wait_for "$WORK/gw.log" "Spillway listening"
    LISTEN_MS=$(( ($(date +%s%N) - START) / 1000000 ))
    sleep 1 # the admin server starts right after the listener
    BODY='{"model":"m","max_tokens":4,"messages":[{"role":"user","content":"hi"}]}'
    curl -s -o /dev/null -m 70 -H 'Content-Type: application/json' -d "$BODY" \
      "http://127.0.0.1:$GW/v1/chat/completions" & HOLD=$!
    sleep 0.5
    EACH=""; PREV=0
    for i in $(seq 1 "$SHEDS"); do
      code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$BODY" \
        "http://127.0.0.1:$GW/v1/chat/completions")
      [ "$code" = 503 ] || echo "unexpected status $code" >&2
      NOW=$(shed_stats "$ADMIN"); [ "$i" = 5 ] && FIRST5=$NOW
      SUM=${NOW#* }; EACH="$EACH $(awk -v a="$SUM" -v b="$PREV" 'BEGIN {printf "%.2f", (a - b) * 1000}')"; PREV=$SUM
      sleep 0.1
    done
    ALL=$(shed_stats "$ADMIN")
    BUCKETS=$(shed_buckets "$ADMIN")
    WARMLINE=$(grep -o 'warm-up: [0-9]* requests in [0-9]* ms' "$WORK/gw.log" || echo "warm-up: off")
    read -r c5 s5 <<<"$FIRST5"; read -r c s <<<"$ALL"
    awk -v run="$run" -v warm="$warm" -v c5="$c5" -v s5="$s5" -v c="$c" -v s="$s" -v b="$BUCKETS" \
      -v l="$LISTEN_MS" -v w="$WARMLINE" 'BEGIN {
        printf "run %d warmUpRequests=%-4d | first %d sheds mean %.3f ms | all %d sheds mean %.3f ms | buckets(le s) %s| listening after %d ms (%s)\n",
          run, warm, c5, c5 ? s5 * 1000 / c5 : 0, c, c ? s * 1000 / c : 0, b, l, w }'
    echo "      each shed (ms):$EACH"
    kill "$HOLD" 2>/dev/null || true
    kill "$GW_PID" "$MOCK_PID"; wait "$GW_PID" "$MOCK_PID" 2>/dev/null || true
  done
done
rm -rf "$WORK"
