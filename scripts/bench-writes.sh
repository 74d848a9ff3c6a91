#!/usr/bin/env bash
# What the databases themselves do for the transaction shape of one audited
# write (`POST /api/v1/cadres`: a cadre row, an appointment-sized row and an
# audit row), at 64 clients, for comparison with dandang's own figures from
# scripts/bench-http.sh (CONNECTIONS=64). Prints Markdown rows.
#   PGURL=postgres://postgres@127.0.0.1:5432/postgres   a server to use
#   SECONDS_EACH=15
set -euo pipefail
cd "$(dirname "$0")/.."
pg=${PGURL:-postgres://postgres@127.0.0.1:5432/postgres}
secs=${SECONDS_EACH:-15}
work=$(mktemp -d)
db="bench_writes_$$"
trap 'psql -q "$pg" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$work"' EXIT
schema='
CREATE TABLE cadre (id uuid PRIMARY KEY, name varchar(64), name_pinyin varchar(128), unit_id uuid,
  managed_by varchar(16), note text, version int, created_at timestamptz, updated_at timestamptz);
CREATE INDEX ix_cadre_unit ON cadre (unit_id, name);
CREATE TABLE audit_pending (id uuid PRIMARY KEY, at timestamptz, actor_name varchar(64), action varchar(64),
  entity_type varchar(32), entity_id varchar(64), after text, scope_path varchar(160));
CREATE TABLE audit_head (id int PRIMARY KEY, seq bigint, hash varchar(64));
INSERT INTO audit_head VALUES (1, 0, repeat($$0$$, 64));'
body="INSERT INTO cadre VALUES (gen_random_uuid(), '压测', 'yace', '00000000-0000-0000-0000-000000000001', '市管', NULL, 1, now(), now());
INSERT INTO audit_pending VALUES (gen_random_uuid(), now(), 'admin', 'cadre.create', 'cadre', 'x', repeat('{\"name\":\"压测\"}', 8), '/42/4205/');"
printf 'BEGIN;\n%s\nCOMMIT;\n' "$body" >"$work/free.sql"
printf 'BEGIN;\nUPDATE audit_head SET seq = seq + 1 WHERE id = 1;\n%s\nCOMMIT;\n' "$body" >"$work/head.sql"
psql -q "$pg" -c "CREATE DATABASE $db" >/dev/null
psql -q "${pg%/*}/$db" -c "$schema" >/dev/null
tps() { pgbench -n -c 64 -j 2 -T "$secs" -f "$1" "${pg%/*}/$db" 2>/dev/null | awk '/^tps/ {print int($3)} /latency average/ {print $4}' | paste -sd' '; }
read -r free_lat free_tps <<<"$(tps "$work/free.sql")"
read -r head_lat head_tps <<<"$(tps "$work/head.sql")"
echo "| PostgreSQL (pgbench, 64 clients) | cadre + audit row, no shared row | ${free_tps}/s | ${free_lat} ms mean |"
echo "| PostgreSQL (pgbench, 64 clients) | the same, every transaction updating one head row | ${head_tps}/s | ${head_lat} ms mean |"
python3 - "$work/direct.db" "$secs" <<'PY'
import sqlite3, sys, time, uuid
con = sqlite3.connect(sys.argv[1], isolation_level=None)
for p in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
    con.execute(f"PRAGMA {p}")
con.executescript("""
CREATE TABLE cadre (id blob PRIMARY KEY, name text, name_pinyin text, unit_id blob, managed_by text, note text,
  version int, created_at text, updated_at text);
CREATE INDEX ix_cadre_unit ON cadre (unit_id, name);
CREATE TABLE audit_pending (id blob PRIMARY KEY, at text, actor_name text, action text, entity_type text,
  entity_id text, after text, scope_path text);""")
n, end = 0, time.time() + float(sys.argv[2])
while time.time() < end:
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO cadre VALUES (?, '压测', 'yace', ?, '市管', NULL, 1, datetime(), datetime())",
                (uuid.uuid4().bytes, b"\0" * 16))
    con.execute("INSERT INTO audit_pending VALUES (?, datetime(), 'admin', 'cadre.create', 'cadre', 'x', ?, '/42/4205/')",
                (uuid.uuid4().bytes, '{"name":"压测"}' * 8))
    con.execute("COMMIT")
    n += 1
print(f"| SQLite (one writer, Python sqlite3, WAL, synchronous=NORMAL) | cadre + audit row | {n / float(sys.argv[2]):.0f}/s | — |")
PY
