#!/usr/bin/env bash
# `npm test`: lint, type check, build, provision PostgreSQL + Kafka (and Chromium for the web UI's browser tests), then
# every test (unit and integration) in Vitest.
# Services this run had to start are stopped again at the end; ones that were already running are left alone.
set -euo pipefail
cd "$(dirname -- "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "lint"
npx eslint . --max-warnings 0
step "type check"
npx tsc -p tsconfig.json
npx tsc -p apps/web
step "build"
npm run -s build

started=()
for service in postgres kafka; do
  bash scripts/services.sh status "$service" >/dev/null 2>&1 || started+=("$service")
done
cleanup() {
  if [[ ${#started[@]} -gt 0 ]]; then
    step "stopping what this run started: ${started[*]}"
    bash scripts/services.sh down "${started[@]}" || true
  fi
}
trap cleanup EXIT
step "services"
bash scripts/services.sh up

step "tests"
results=.kabar/test-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
cleanup
trap - EXIT
# The closing line, from the runner's own JSON report: "tests: N passed, N failed[, N skipped]".
if [[ -f $results ]]; then
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
  ' "$results"
fi
exit "$status"
