#!/usr/bin/env bash
# The kill -9 cycle test (issue 12) on SQLite and, when DANDANG_TEST_POSTGRES
# is set, on PostgreSQL: writes under load, SIGKILL, restart; every
# acknowledged write present with its audit event, the chain verified.
#   CRASH_CYCLES=5   cycles per database
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
cycles="${CRASH_CYCLES:-5}"
cargo build --locked -p dandang --quiet
bin="$root/target/debug/dandang"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

config() { # db url, file
  sed -e "s|^db_url = .*|db_url = \"$1\"|" \
    -e "s|^# key_file = .*|key_file = \"$work/$3.audit-key\"|" \
    -e "s|^per_minute = .*|per_minute = 1000|" "$root/dandang.toml" >"$2"
}

config "sqlite://$work/crash.db" "$work/sqlite.toml" sqlite
python3 "$here/cycle.py" "$bin" "$work/sqlite.toml" "$cycles" sqlite

if [ -n "${DANDANG_TEST_POSTGRES:-}" ]; then
  db="dandang_crash_$$"
  psql -q "$DANDANG_TEST_POSTGRES" -c "CREATE DATABASE $db" >/dev/null
  trap 'psql -q "$DANDANG_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; rm -rf "$work"' EXIT
  config "${DANDANG_TEST_POSTGRES%/*}/$db" "$work/pg.toml" pg
  python3 "$here/cycle.py" "$bin" "$work/pg.toml" "$cycles" postgresql
fi
