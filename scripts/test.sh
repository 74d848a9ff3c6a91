#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. formatting, 2. clippy with warnings denied,
#   3. unit and integration tests on SQLite — and on PostgreSQL when
#      DANDANG_TEST_POSTGRES is set or a server answers on 127.0.0.1:5432,
#   4. the browser test in headless Chromium,
#   5. the OpenAPI contract: schemathesis against the served document,
#   6. kill -9 during writes, restart, nothing acknowledged lost (both databases),
#   7. each fuzz target briefly from its corpus (FUZZ_SECONDS, 20 here).
# With CI=true a missing PostgreSQL is an error instead of a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings

if [ -z "${DANDANG_TEST_POSTGRES:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    export DANDANG_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/postgres"
  elif [ "${CI:-}" = "true" ]; then
    echo "CI needs PostgreSQL on 127.0.0.1:5432 (or DANDANG_TEST_POSTGRES)" >&2
    exit 1
  else
    echo "note: no PostgreSQL found; running the suite on SQLite only" >&2
  fi
fi

if [ -n "${DANDANG_TEST_POSTGRES:-}" ]; then
  step "tests on SQLite and PostgreSQL (${DANDANG_TEST_POSTGRES%%@*}@…)"
else
  step "tests on SQLite"
fi
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
else
  cargo test --workspace --locked
fi

step "browser test (headless Chromium)"
tests/browser/run.sh

step "OpenAPI contract (schemathesis, as an administrator and as a scoped account)"
tests/contract/run.sh

step "kill -9 during writes: every acknowledged write kept, with its audit event"
tests/crash/run.sh

step "fuzz targets, ${FUZZ_SECONDS:-20} s each (spreadsheet reader, JSON bodies, policy packs)"
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" scripts/fuzz.sh
