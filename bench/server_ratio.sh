#!/usr/bin/env bash
# Throughput of pulsards (on Deno and on Bun) relative to redis-server, with
# redis-benchmark, without pipelining and with -P 16. Servers run one at a
# time (the others are stopped) so they do not compete for the CPU.
#
# Usage: bash bench/server_ratio.sh [requests=100000] [clients=50] [targets="redis deno bun"]
# Env:   TESTS (default set,get,incr,lpush,lpop,sadd,hset,zadd), PIPELINES (default "1 16")
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
C=${2:-50}
TARGETS=${3:-"redis deno bun"}
TESTS=${TESTS:-set,get,incr,lpush,lpop,sadd,hset,zadd}
PIPELINES=${PIPELINES:-"1 16"}
PORT=${PORT:-6594}

pid=""
stop() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}
trap stop EXIT

start() {
  case "$1" in
    redis) redis-server --port "$PORT" --save "" --appendonly no --dir /tmp >/dev/null & ;;
    deno) deno run -A cli.ts --port "$PORT" --save 0 >/dev/null & ;;
    bun) bun run cli.ts --port "$PORT" --save 0 >/dev/null & ;;
  esac
  pid=$!
  for _ in $(seq 1 100); do redis-cli -p "$PORT" PING >/dev/null 2>&1 && return; sleep 0.1; done
  echo "Cannot start $1" >&2
  exit 1
}

declare -A rps
for target in $TARGETS; do
  for P in $PIPELINES; do
    start "$target"
    # A short warm-up lets the JIT settle before the measured run.
    redis-benchmark -p "$PORT" -t "$TESTS" -n $((N / 10)) -c "$C" -P "$P" -q >/dev/null 2>&1 || true
    out=$(redis-benchmark -p "$PORT" -t "$TESTS" -n "$N" -c "$C" -P "$P" -q 2>/dev/null |
      tr '\r' '\n' | grep "requests per second" | grep -v "rps=")
    while read -r line; do
      cmd=$(echo "$line" | cut -d: -f1 | awk '{print $1}')
      value=$(echo "$line" | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
      rps["$target,$P,$cmd"]=$value
    done <<<"$out"
    stop
  done
done

printf "%-6s %-3s" cmd P
for target in $TARGETS; do printf " %10s" "$target"; done
for target in $TARGETS; do [ "$target" != redis ] && printf " %7s" "$target/r"; done
printf "\n"
for P in $PIPELINES; do
  for cmd in $(echo "$TESTS" | tr 'a-z,' 'A-Z '); do
    printf "%-6s %-3s" "$cmd" "$P"
    for target in $TARGETS; do printf " %10s" "${rps["$target,$P,$cmd"]:-0}"; done
    r=${rps["redis,$P,$cmd"]:-0}
    for target in $TARGETS; do
      [ "$target" = redis ] && continue
      v=${rps["$target,$P,$cmd"]:-0}
      if [ "$r" != 0 ]; then printf " %7.2f" "$(echo "$v / $r" | bc -l)"; else printf " %7s" -; fi
    done
    printf "\n"
  done
done
