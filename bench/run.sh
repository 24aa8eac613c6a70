#!/usr/bin/env bash
# Benchmarks @pulsar/datastore against other Redis clients and redis-benchmark.
#
# Usage (from anywhere):
#   bash bench/run.sh                      # everything, 3 rounds (~5 min on 2 cores)
#   ROUNDS=1 bash bench/run.sh             # one round
#   CLIENTS="pulsar-deno pulsar-bun" WORKLOADS=a,b bash bench/run.sh
#   KEEP_RAW=1 bash bench/run.sh           # also keep the raw JSON lines in bench/.tmp/
#   RESULTS=path.md bash bench/run.sh      # where the table goes (see below)
#
# Needs deno, bun, node, npm, redis-server, redis-cli and redis-benchmark on PATH.
# Installs the npm clients into bench/node_modules (npm ci) when they are missing.
#
# What it does: starts its own redis-server on a free port (no RDB, no AOF), then,
# ROUNDS times, runs redis-benchmark (the reference) and each client's script one
# after another, each as its own process under a hard timeout. The scripts share
# the workloads of bench/workloads.mjs:
#   (a) 20k sequential awaited SET then GET      ref: redis-benchmark -t set,get -n 20000 -c 1 -P 1
#   (b) 200k SET + 200k GET, none awaited         ref: redis-benchmark -t set,get -n 200000 -c 50 -P 16
#   (c) 200 SET/GET of 1 MiB values, awaited      ref: redis-benchmark -t set,get -n 200 -d 1048576 -c 1
#   (d) 50 callers x 2,000 awaited INCR, 1 conn   ref: redis-benchmark -t incr -n 100000 -c 50 -P 1
#   (e) 100k PUBLISH (16 B) not awaited, to one subscriber connection in the same process,
#       timed until the subscriber got the last one
#                                                 ref: redis-benchmark -n 100000 -c 1 -P 16 PUBLISH bench:ch <16 B>
#       (redis-benchmark 7.0 has no publish test, -t publish runs nothing: the reference is the
#       custom command, with no subscriber; a run with one redis-cli subscriber is shown for scale.)
#       pulsar-deno-iter and pulsar-bun-iter run only (e): our subscriber as a `for await` loop
#       instead of an addClient() callback.
# For SET+GET workloads the reference is the combined rate of its SET and GET runs
# (2 / (1/set + 1/get), the rate of doing N SETs then N GETs). Each client's ratio
# is taken per round against the reference measured in that same round, then the
# median over rounds is reported (the machine is shared and noisy).
# The table goes to stdout and to $RESULTS: bench/results.md when every workload
# ran, bench/results_<workloads>.md (e.g. results_e.md) for a subset.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH_DIR")"
cd "$ROOT"

ROUNDS="${ROUNDS:-3}"
PROCESS_TIMEOUT="${PROCESS_TIMEOUT:-150}" # seconds per client process (all workloads)
ALL_WORKLOADS="a,b,c,d,e"
WORKLOADS="${WORKLOADS:-$ALL_WORKLOADS}"
RESULTS="${RESULTS:-bench/results$([[ $WORKLOADS == "$ALL_WORKLOADS" ]] || echo "_${WORKLOADS//,/}").md}"
ALL_CLIENTS="pulsar-deno pulsar-bun pulsar-deno-iter pulsar-bun-iter ioredis-node ioredis-bun node-redis-node node-redis-bun bun-redis"
CLIENTS="${CLIENTS:-$ALL_CLIENTS}"

for tool in deno bun node npm redis-server redis-cli redis-benchmark timeout; do
  command -v "$tool" >/dev/null || { echo "Cannot run the benchmark: \"$tool\" is not on PATH" >&2; exit 1; }
done

# --- bench-only npm dependencies -------------------------------------------
if [[ ! -d bench/node_modules/ioredis || ! -d bench/node_modules/redis ]]; then
  echo "installing bench dependencies into bench/node_modules" >&2
  if [[ -f bench/package-lock.json ]]; then
    npm ci --prefix bench --no-audit --no-fund >&2
  else
    npm install --prefix bench --no-audit --no-fund >&2
  fi
fi

# --- the server --------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pulsar-bench.XXXXXX")"
RAW="$WORK/results.jsonl"
: >"$RAW"
# Run redis-server under its own name, so that another suite's broad
# `pkill redis-server` cleanup on a shared machine does not stop it mid-run.
ln -s "$(command -v redis-server)" "$WORK/pulsar-bench-redis"
REDIS_PID=""
PORT=""

cleanup() {
  if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  if [[ -n "${KEEP_RAW:-}" ]]; then mkdir -p bench/.tmp && cp "$RAW" bench/.tmp/results.jsonl; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

alive() {
  [[ -n "$PORT" ]] && [[ "$(redis-cli -p "$PORT" ping 2>/dev/null)" == "PONG" ]]
}

start_server() {
  if [[ -n "$REDIS_PID" ]]; then kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; fi
  PORT="$(free_port)"
  "$WORK/pulsar-bench-redis" --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$WORK" --logfile "$WORK/redis.log" --protected-mode no &
  REDIS_PID=$!
  for _ in $(seq 100); do
    alive && { export BENCH_REDIS_URL="redis://127.0.0.1:$PORT/0"; return 0; }
    sleep 0.05
  done
  echo "Cannot start redis-server on port $PORT: no PONG after 5 s" >&2
  cat "$WORK/redis.log" >&2 || true
  exit 1
}

# --- one client -------------------------------------------------------------
client_command() {
  case "$1" in
    pulsar-deno) echo "deno run --allow-net --allow-env bench/workloads_pulsar.ts" ;;
    pulsar-bun) echo "bun bench/workloads_pulsar.ts" ;;
    pulsar-deno-iter) echo "env BENCH_PUBSUB_RECEIVE=iterator deno run --allow-net --allow-env bench/workloads_pulsar.ts" ;;
    pulsar-bun-iter) echo "env BENCH_PUBSUB_RECEIVE=iterator bun bench/workloads_pulsar.ts" ;;
    ioredis-node) echo "node bench/workloads_ioredis.mjs" ;;
    ioredis-bun) echo "bun bench/workloads_ioredis.mjs" ;;
    node-redis-node) echo "node bench/workloads_node_redis.mjs" ;;
    node-redis-bun) echo "bun bench/workloads_node_redis.mjs" ;;
    bun-redis) echo "bun bench/workloads_bun_redis.mjs" ;;
    *) echo "Cannot run client: \"$1\" is not one of: $ALL_CLIENTS" >&2; return 1 ;;
  esac
}

# Emits a line of JSON: {"kind":"process",...} describing how a process ended.
process_record() { # label round exit seconds stderr_file workloads
  node -e '
    const [label, round, exit, seconds, file, workloads] = process.argv.slice(1);
    const stderr = require("fs").readFileSync(file, "utf8").trim().split("\n").slice(-5).join("\n");
    console.log(JSON.stringify({ kind: "process", label, round: +round, exit: +exit, seconds: +seconds, workloads, stderr }));
  ' "$@"
}

# The workloads a client runs: the *-iter clients (a variant of the pubsub subscriber) only (e).
client_workloads() { # label
  case "$1" in
    *-iter) [[ ",$WORKLOADS," == *,e,* ]] && echo e || true ;;
    *) echo "$WORKLOADS" ;;
  esac
}

run_client() { # label round
  local label="$1" round="$2" cmd out err rc start attempt workloads
  cmd="$(client_command "$label")"
  workloads="$(client_workloads "$label")"
  [[ -n "$workloads" ]] || return 0
  out="$WORK/out.jsonl"
  err="$WORK/err.txt"
  for attempt in 1 2; do
    alive || start_server
    start=$SECONDS
    rc=0
    BENCH_LABEL="$label" BENCH_ROUND="$round" timeout -k 5 "$PROCESS_TIMEOUT" $cmd "$workloads" >"$out" 2>"$err" || rc=$?
    # A server that died under the client (not the client's fault) gets one retry.
    if alive || [[ $attempt == 2 ]]; then break; fi
    echo "  redis-server died during $label; restarting it and running $label again" >&2
  done
  grep '^{' "$out" >>"$RAW" || true
  process_record "$label" "$round" "$rc" "$((SECONDS - start))" "$err" "$workloads" >>"$RAW"
  local summary
  summary="$(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("{"));
    console.log(lines.map((l) => JSON.parse(l)).map((r) => `${r.workload}=${r.ok ? r.opsPerSec : "FAIL"}`).join(" "));
  ' "$out")"
  echo "  $label: ${summary:-no output} (exit $rc)" >&2
}

# --- the reference ----------------------------------------------------------
# Prints the rps of each test in redis-benchmark's CSV output as "TEST rps" lines.
bench_csv() {
  redis-benchmark -p "$PORT" --csv "$@" 2>/dev/null | tr -d '"' | awk -F, 'NR > 1 && NF > 1 { print $1, $2 }'
}

reference_record() { # round workload note "rps" ["rps" ...]: their combined rate
  node -e '
    const [round, workload, note, ...rates] = process.argv.slice(1);
    const rps = rates.map(Number);
    const ok = rps.length > 0 && rps.every((r) => r > 0);
    const combined = ok ? rps.length / rps.reduce((s, r) => s + 1 / r, 0) : 0;
    console.log(JSON.stringify({
      round: +round, label: "redis-benchmark", client: "redis-benchmark", runtime: "C",
      workload, ok, opsPerSec: Math.round(combined), note,
      ...(ok ? {} : { error: "redis-benchmark gave no rate" }),
    }));
  ' "$@"
}

# PUBLISH rate of redis-benchmark's custom command, as in (e): 100k 16-byte messages.
bench_publish() {
  bench_csv -n 100000 -c 1 -P 16 PUBLISH bench:ch 0123456789abcdef | awk '$1 == "PUBLISH" { print $NF }'
}

run_reference() { # round
  local round="$1" out set get incr pub sub_pid
  alive || start_server
  local wanted=",$WORKLOADS,"
  if [[ $wanted == *,a,* ]]; then
    out="$(bench_csv -t set,get -n 20000 -r 20000 -c 1 -P 1)"
    set="$(awk '$1 == "SET" { print $2 }' <<<"$out")"; get="$(awk '$1 == "GET" { print $2 }' <<<"$out")"
    reference_record "$round" a "-t set,get -n 20000 -r 20000 -c 1 -P 1" "$set" "$get" >>"$RAW"
  fi
  if [[ $wanted == *,b,* ]]; then
    out="$(bench_csv -t set,get -n 200000 -r 200000 -c 50 -P 16)"
    set="$(awk '$1 == "SET" { print $2 }' <<<"$out")"; get="$(awk '$1 == "GET" { print $2 }' <<<"$out")"
    reference_record "$round" b "-t set,get -n 200000 -r 200000 -c 50 -P 16" "$set" "$get" >>"$RAW"
    # Not the ratio's base; shown for scale: one connection, deep pipeline, like one client.
    out="$(bench_csv -t set,get -n 200000 -r 200000 -c 1 -P 1000)"
    set="$(awk '$1 == "SET" { print $2 }' <<<"$out")"; get="$(awk '$1 == "GET" { print $2 }' <<<"$out")"
    reference_record "$round" b1 "-t set,get -n 200000 -r 200000 -c 1 -P 1000" "$set" "$get" >>"$RAW"
  fi
  if [[ $wanted == *,c,* ]]; then
    redis-cli -p "$PORT" flushdb >/dev/null
    out="$(bench_csv -t set,get -n 200 -d 1048576 -c 1 -P 1)"
    set="$(awk '$1 == "SET" { print $2 }' <<<"$out")"; get="$(awk '$1 == "GET" { print $2 }' <<<"$out")"
    reference_record "$round" c "-t set,get -n 200 -d 1048576 -c 1 -P 1" "$set" "$get" >>"$RAW"
  fi
  if [[ $wanted == *,d,* ]]; then
    out="$(bench_csv -t incr -n 100000 -c 50 -P 1)"
    incr="$(awk '$1 == "INCR" { print $2 }' <<<"$out")"
    reference_record "$round" d "-t incr -n 100000 -c 50 -P 1" "$incr" >>"$RAW"
  fi
  if [[ $wanted == *,e,* ]]; then
    pub="$(bench_publish)"
    reference_record "$round" e "-n 100000 -c 1 -P 16 PUBLISH bench:ch 0123456789abcdef" "$pub" >>"$RAW"
    # For scale, not the ratio's base: the same with one subscriber (redis-cli) to deliver to.
    redis-cli -p "$PORT" subscribe bench:ch >/dev/null &
    sub_pid=$!
    for _ in $(seq 100); do
      [[ "$(redis-cli -p "$PORT" pubsub numsub bench:ch | tail -1)" == 1 ]] && break
      sleep 0.05
    done
    pub="$(bench_publish)"
    kill "$sub_pid" 2>/dev/null || true
    wait "$sub_pid" 2>/dev/null || true
    reference_record "$round" e1 "-n 100000 -c 1 -P 16 PUBLISH bench:ch 0123456789abcdef, one redis-cli subscriber" "$pub" >>"$RAW"
  fi
  redis-cli -p "$PORT" flushdb >/dev/null
  echo "  redis-benchmark: $(grep '"label":"redis-benchmark"' "$RAW" | grep "\"round\":$round," |
    node -e 'console.log(require("fs").readFileSync(0, "utf8").trim().split("\n").map((l) => JSON.parse(l)).map((r) => `${r.workload}=${r.opsPerSec}`).join(" "))')" >&2
}

# --- main -------------------------------------------------------------------
start_server
{
  echo "{\"kind\":\"meta\",\"date\":\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",\"rounds\":$ROUNDS,\"workloads\":\"$WORKLOADS\",\"cpus\":$(nproc),\"cpu\":\"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)\",\"redis\":\"$(redis-server --version | sed 's/.* v=\([^ ]*\).*/\1/')\",\"deno\":\"$(deno --version | awk 'NR == 1 { print $2 }')\",\"bun\":\"$(bun --version)\",\"node\":\"$(node --version)\",\"ioredis\":\"$(node -p 'require("./bench/node_modules/ioredis/package.json").version')\",\"nodeRedis\":\"$(node -p 'require("./bench/node_modules/redis/package.json").version')\"}"
} >>"$RAW"

for round in $(seq "$ROUNDS"); do
  echo "round $round/$ROUNDS (redis-server on port $PORT)" >&2
  run_reference "$round"
  for label in $CLIENTS; do run_client "$label" "$round"; done
done

node bench/report.mjs "$RAW" >"$RESULTS"
# The repository's `deno fmt --check` covers bench/ too (line width 100, as in deno.json).
deno fmt -q --line-width 100 "$RESULTS" || true
cat "$RESULTS"
