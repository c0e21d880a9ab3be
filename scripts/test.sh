#!/usr/bin/env bash
# The whole test suite: strict type check, then every uvu test against the TypeScript sources.
# Ends with one plain line "N passed, N failed" (uvu's own summary is not what CI reads).
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
failed=0
passed=0
if npx tsc --noEmit -p tsconfig.json > "$out" 2>&1; then
  passed=$((passed + 1)); echo "typecheck: ok"
else
  failed=$((failed + 1)); echo "typecheck: FAILED"; head -50 "$out"
fi
# The build: bin/comms-watch.mjs runs it while it is current, and worker threads (--threads) run only it.
if npm run --silent build > "$out" 2>&1; then
  passed=$((passed + 1)); echo "build: ok"
else
  failed=$((failed + 1)); echo "build: FAILED"; head -50 "$out"
fi
# Each file runs in its own process so one crashing file cannot hide the others' results.
while IFS= read -r f; do
  NODE_OPTIONS=--import=tsx npx uvu "$(dirname "$f")" "$(basename "$f")\$" --no-color > "$out" 2>&1
  rc=$?
  total=$(awk '/^  Total:/ {print $2}' "$out" | tail -1)
  ok=$(awk '/^  Passed:/ {print $2}' "$out" | tail -1)
  total=${total:-0}; ok=${ok:-0}
  bad=$((total - ok))
  if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
  if [ "$total" -eq 0 ] && [ "$rc" -eq 0 ]; then bad=1; echo "$f: ran no test"; fi
  passed=$((passed + ok)); failed=$((failed + bad))
  if [ "$bad" -gt 0 ]; then echo "FAIL $f ($ok/$total)"; sed -n '1,80p' "$out"; else echo "ok   $f ($ok)"; fi
done < <(find test -name '*.test.ts' | sort)
rm -f "$out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
