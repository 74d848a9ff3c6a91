#!/usr/bin/env bash
# Runs each fuzz target briefly (FUZZ_SECONDS, default 30) from the corpus in
# fuzz/corpus/<target>. New inputs go to a scratch directory, so the checkout
# stays clean; a crash leaves its input in fuzz/artifacts/<target>/ and fails.
# To keep an interesting input, copy it into the corpus and commit it — the
# normal test suite replays every corpus file too.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked --version 0.13.2
fi
# cargo fuzz wants a nightly toolchain for its sanitizer flags; without a
# sanitizer (Rust here is memory-safe) stable serves with RUSTC_BOOTSTRAP.
toolchain=()
if rustup run nightly rustc --version >/dev/null 2>&1; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
targets=(spreadsheet json_body policy_pack)
# A debug build: it compiles in half the time of an optimized one, and for a
# run of seconds coverage matters more than executions per second.
# FUZZ_RELEASE=1 for long runs.
profile=(--dev)
if [ "${FUZZ_RELEASE:-}" = 1 ]; then profile=(); fi
cargo "${toolchain[@]}" fuzz build "${profile[@]}" --sanitizer none
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  echo "== fuzz $t (${seconds}s)"
  mkdir -p "$scratch/$t"
  rc=0
  cargo "${toolchain[@]}" fuzz run "${profile[@]}" --sanitizer none "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=1536 -max_len=1048576 -timeout=10 -print_final_stats=1 \
    >"$scratch/$t.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    tail -n 60 "$scratch/$t.log" >&2
    echo "fuzz target $t failed (its input is under fuzz/artifacts/$t/)" >&2
    exit "$rc"
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$scratch/$t.log" || true
done
