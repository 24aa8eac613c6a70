#!/usr/bin/env bash
# Runs every test under Deno and under Bun and prints one closing line:
# "N passed, N failed" summing both runtimes. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

deno_cmd=(deno)
command -v deno >/dev/null 2>&1 || deno_cmd=(npx -y deno@2)
bun_cmd=(bun)
command -v bun >/dev/null 2>&1 || bun_cmd=(npx -y bun@1)

export NO_COLOR=1
log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT

echo "== deno test"
"${deno_cmd[@]}" test --allow-net --allow-read --allow-write --allow-env --allow-run --allow-sys \
  tests/ 2>&1 | tee "$log_dir/deno.log"
deno_status=${PIPESTATUS[0]}

echo "== deno test --doc (the JSDoc examples)"
"${deno_cmd[@]}" test --allow-net --allow-read --allow-write --allow-env --doc mod.ts server.ts src/ \
  2>&1 | tee "$log_dir/doc.log"
doc_status=${PIPESTATUS[0]}

echo "== bun test"
"${bun_cmd[@]}" test --timeout 60000 tests/ 2>&1 | tee "$log_dir/bun.log"
bun_status=${PIPESTATUS[0]}

# Deno: "ok | 12 passed (40 steps) | 0 failed (2s)"; node:test `it`s are steps.
read -r deno_pass deno_fail < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const m = text.match(/\| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?/);
  if (!m) { console.log("0 1"); process.exit(0); }
  const pass = Number(m[2] ?? m[1]);
  const fail = Number(m[4] ?? 0) || Number(m[3]);
  console.log(pass, fail);
' "$log_dir/deno.log")
read -r doc_pass doc_fail < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const m = text.match(/\| (\d+) passed \| (\d+) failed/);
  console.log(m ? `${m[1]} ${m[2]}` : "0 1");
' "$log_dir/doc.log")
[ "$doc_status" -ne 0 ] && [ "$doc_fail" -eq 0 ] && doc_fail=1
deno_pass=$((deno_pass + doc_pass))
deno_fail=$((deno_fail + doc_fail))
# Bun: " 40 pass" / " 0 fail" lines in its summary.
read -r bun_pass bun_fail < <(node -e '
  const text = require("fs").readFileSync(process.argv[1], "utf8");
  const pass = text.match(/^\s*(\d+) pass$/m), fail = text.match(/^\s*(\d+) fail$/m);
  if (!pass) { console.log("0 1"); process.exit(0); }
  console.log(Number(pass[1]), fail ? Number(fail[1]) : 0);
' "$log_dir/bun.log")

[ "$deno_status" -ne 0 ] && [ "$deno_fail" -eq 0 ] && deno_fail=1
[ "$bun_status" -ne 0 ] && [ "$bun_fail" -eq 0 ] && bun_fail=1
echo "deno: $deno_pass passed, $deno_fail failed; bun: $bun_pass passed, $bun_fail failed"
echo "$((deno_pass + bun_pass)) passed, $((deno_fail + bun_fail)) failed"
[ $((deno_fail + bun_fail)) -eq 0 ]
