#!/usr/bin/env bash
# Throughput of pulsards (on Deno and on Bun) relative to redis-server, with
# redis-benchmark, without pipelining and with -P 16. The three servers run
# side by side (idle ones cost nothing) and each test is run on each of them
# back to back, so a load change on a shared machine hits all of them alike;
# with ROUNDS > 1 the best result of each is kept.
#
# Usage: bash bench/server_ratio.sh [requests=100000] [clients=50] [targets="redis deno bun"]
#        (a target "deno@DIR" or "bun@DIR" serves the cli.ts of the checkout in DIR)
# Env:   TESTS (default set,get,incr,lpush,lpop,sadd,hset,zadd), PIPELINES (default "1 16"),
#        ROUNDS (default 1), PORT (first of three ports, default 6594)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
C=${2:-50}
TARGETS=${3:-"redis deno bun"}
TESTS=${TESTS:-set,get,incr,lpush,lpop,sadd,hset,zadd}
PIPELINES=${PIPELINES:-"1 16"}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-6594}

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

declare -A ports pids_of
port=$PORT
for target in $TARGETS; do
  ports[$target]=$port
  # "deno@DIR" / "bun@DIR" run the cli.ts of another checkout (e.g. a baseline copy).
  dir=.
  [[ "$target" == *@* ]] && dir=${target#*@}
  case "${target%%@*}" in
    redis) redis-server --port "$port" --save "" --appendonly no --dir /tmp >/dev/null & ;;
    deno) deno run -A "$dir/cli.ts" --port "$port" >/dev/null & ;;
    bun) bun run "$dir/cli.ts" --port "$port" >/dev/null & ;;
    *) echo "Unknown target $target" >&2; exit 1 ;;
  esac
  pids+=($!)
  pids_of[$target]=$!
  port=$((port + 1))
done
for target in $TARGETS; do
  ok=0
  for _ in $(seq 1 100); do
    if redis-cli -p "${ports[$target]}" PING >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
  done
  [ $ok = 1 ] || { echo "Cannot start $target" >&2; exit 1; }
  # A warm-up lets the JIT settle before the measured runs.
  redis-benchmark -p "${ports[$target]}" -t "$TESTS" -n $((N / 5)) -c "$C" -P 16 -q >/dev/null 2>&1 || true
  redis-benchmark -p "${ports[$target]}" -t "$TESTS" -n $((N / 10)) -c "$C" -q >/dev/null 2>&1 || true
done

# CPU time (user + system, in clock ticks) a server process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

declare -A rps cpu
for round in $(seq 1 "$ROUNDS"); do
  for P in $PIPELINES; do
    for test in ${TESTS//,/ }; do
      for target in $TARGETS; do
        before=$(cpu_ticks "${pids_of[$target]}")
        line=$(redis-benchmark -p "${ports[$target]}" -t "$test" -n "$N" -c "$C" -P "$P" -q 2>/dev/null |
          tr '\r' '\n' | grep "requests per second" | grep -v "rps=" | head -1)
        used=$(($(cpu_ticks "${pids_of[$target]}") - before))
        value=$(echo "$line" | sed -E 's/.*: ([0-9.]+) requests per second.*/\1/')
        key="$target,$P,$test"
        best=${rps[$key]:-0}
        if [ "$(echo "$value > $best" | bc -l)" = 1 ]; then rps[$key]=$value; fi
        # Server CPU microseconds per request: less sensitive to a busy machine.
        us=$(echo "$used * $TICK_US / $N" | bc -l)
        least=${cpu[$key]:-1000000}
        if [ "$(echo "$us < $least" | bc -l)" = 1 ]; then cpu[$key]=$us; fi
      done
    done
  done
done

printf "%-6s %-3s" cmd P
for target in $TARGETS; do printf " %10s" "${target:0:10}"; done
for target in $TARGETS; do [ "$target" != redis ] && printf " %7s" "${target:0:5}/r"; done
printf "\n"
for P in $PIPELINES; do
  for test in ${TESTS//,/ }; do
    printf "%-6s %-3s" "${test^^}" "$P"
    for target in $TARGETS; do printf " %10.0f" "${rps["$target,$P,$test"]:-0}"; done
    r=${rps["redis,$P,$test"]:-0}
    for target in $TARGETS; do
      [ "$target" = redis ] && continue
      v=${rps["$target,$P,$test"]:-0}
      if [ "$r" != 0 ]; then printf " %7.2f" "$(echo "$v / $r" | bc -l)"; else printf " %7s" -; fi
    done
    printf "\n"
  done
done

echo
echo "Server CPU time per request (us; redis/target = how close to redis's efficiency)"
printf "%-6s %-3s" cmd P
for target in $TARGETS; do printf " %10s" "${target:0:10}"; done
for target in $TARGETS; do [ "$target" != redis ] && printf " %7s" "r/${target:0:5}"; done
printf "\n"
for P in $PIPELINES; do
  for test in ${TESTS//,/ }; do
    printf "%-6s %-3s" "${test^^}" "$P"
    for target in $TARGETS; do printf " %10.2f" "${cpu["$target,$P,$test"]:-0}"; done
    r=${cpu["redis,$P,$test"]:-0}
    for target in $TARGETS; do
      [ "$target" = redis ] && continue
      v=${cpu["$target,$P,$test"]:-0}
      if [ "$(echo "$v > 0" | bc -l)" = 1 ]; then printf " %7.2f" "$(echo "$r / $v" | bc -l)"; else printf " %7s" -; fi
    done
    printf "\n"
  done
done
