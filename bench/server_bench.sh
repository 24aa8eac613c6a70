#!/usr/bin/env bash
# Compares pulsards (on Deno and on Bun) with redis-server using redis-benchmark.
# Usage: bash bench/server_bench.sh [requests=100000] [clients=50]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
C=${2:-50}
TESTS=set,get,incr
REDIS_PORT=6591
DENO_PORT=6592
BUN_PORT=6593
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

redis-server --port $REDIS_PORT --save "" --appendonly no --dir /tmp >/dev/null & pids+=($!)
deno run --allow-net --allow-read --allow-write --allow-env cli.ts --port $DENO_PORT >/dev/null & pids+=($!)
bun run cli.ts --port $BUN_PORT >/dev/null & pids+=($!)
for port in $REDIS_PORT $DENO_PORT $BUN_PORT; do
  for _ in $(seq 1 100); do redis-cli -p $port PING >/dev/null 2>&1 && break; sleep 0.1; done
done

declare -A rps
for P in 1 16; do
  for target in redis:$REDIS_PORT deno:$DENO_PORT bun:$BUN_PORT; do
    name=${target%%:*}; port=${target##*:}
    out=$(redis-benchmark -p "$port" -t $TESTS -n "$N" -c "$C" -P "$P" -q 2>/dev/null | tr '\r' '\n' | grep "requests per second" | grep -v "rps=")
    while read -r line; do
      cmd=$(echo "$line" | cut -d: -f1)
      value=$(echo "$line" | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
      rps["$name,$P,$cmd"]=$value
    done <<< "$out"
  done
done

printf "%-6s %-4s %12s %12s %12s %8s %8s\n" cmd P redis deno bun deno/r bun/r
for P in 1 16; do
  for cmd in SET GET INCR; do
    r=${rps["redis,$P,$cmd"]:-0}; d=${rps["deno,$P,$cmd"]:-0}; b=${rps["bun,$P,$cmd"]:-0}
    printf "%-6s %-4s %12s %12s %12s %8.2f %8.2f\n" "$cmd" "$P" "$r" "$d" "$b" \
      "$(echo "$d / $r" | bc -l)" "$(echo "$b / $r" | bc -l)"
  done
done
