#!/usr/bin/env bash
# The whole check, as CI runs it (`npm test` runs scripts/setup.sh first): types, lint and
# formatting, then every test with Node's test runner: the unit tests beside each package,
# then the cross-package tests in tests/. With CI set (as CI services set it), a skipped
# test or suite fails the run. Arguments, if any, are the test files to run
# instead of all of them (e.g. `npm test -- tests/conformance.test.ts`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n[test] %s\n' "$*"; }

step "type check"
npx tsc -b gpu viz kernel
npx tsc -p extension --noEmit
for p in gpu viz kernel; do npx tsc -p "$p/tsconfig.test.json"; done
npx tsc -p tests
npx tsc -p bench
step "lint and formatting"
npx eslint .
npx prettier --check .

unit=()
cross=()
if (($#)); then
  for f in "$@"; do
    [[ -f $f ]] || { echo "[test] no such test file: $f" >&2; exit 2; }
    if [[ $f == tests/* ]]; then cross+=("$f"); else unit+=("$f"); fi
  done
else
  mapfile -t unit < <(find gpu/src viz/src kernel/src extension/src -name '*.test.ts' | sort)
  mapfile -t cross < <(find tests -name '*.test.ts' | sort)
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
# Runs one group of test files, keeping the runner's output for the summary. The
# cross-package tests run one file at a time: each starts servers and a browser.
run_tests() {
  local name=$1 serial=()
  shift
  (($#)) || return 0
  [[ $name == cross-package ]] && serial=(--test-concurrency=1)
  step "$name tests ($# files)"
  node --import tsx --test --test-reporter=spec "${serial[@]}" "$@" 2>&1 | tee "$logs/$name" ||
    status=1
}
run_tests unit "${unit[@]}"
run_tests cross-package "${cross[@]}"

# The runner's closing lines for each group, then one line for the whole run.
count() {
  local n
  n=$(grep -E "^ℹ $2 [0-9]+$" "$1" | tail -1 | awk '{print $3}') || true
  echo "${n:-0}"
}
step "summary"
passed=0 failed=0
for name in unit cross-package; do
  log=$logs/$name
  [[ -f $log ]] || continue
  echo "$name:"
  grep -E '^ℹ (tests|pass|fail|cancelled|skipped|todo) [0-9]+$' "$log" | sed 's/^/  /' || true
  passed=$((passed + $(count "$log" pass)))
  failed=$((failed + $(count "$log" fail) + $(count "$log" cancelled)))
done
# The runner counts skipped tests but not skipped suites (describe with skip): the marker
# lines name both.
skips=$(grep -h '^ *﹣ ' "$logs"/* 2>/dev/null || true)
skipped=$(grep -c . <<<"$skips" || true)
echo "all: $passed passed, $failed failed, $skipped skipped (tests or suites)"
# Under CI everything must run: a skip means the setup left something out.
if [[ -n ${CI:-} && -n $skips ]]; then
  echo "[test] CI is set, and these were skipped:" >&2
  printf '%s\n' "$skips" >&2
  status=1
fi
exit "$status"
