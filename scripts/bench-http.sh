#!/usr/bin/env bash
# HTTP load benchmark: requests/s and latency at 32 concurrent connections of
# an unaudited list, an audited read (the cadre record, by API and as the UI
# page), and an audited write, on SQLite and on PostgreSQL, against the release
# build serving the demo deployment. Needs `wrk` (Debian package).
# Prints Markdown rows for docs/benchmarks.md.
#   BIN=path/to/dandang  use that binary instead of building this checkout
#   DURATION=20s         per endpoint
#   ONLY=list,record,page,write   a subset of the endpoints
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -p dandang --quiet
  BIN=target/release/dandang
fi
BIN=$(realpath "$BIN")
duration=${DURATION:-20s}
conns=${CONNECTIONS:-32}
only=${ONLY:-list,record,page,write}
want() { [[ ",$only," == *",$1,"* ]]; }
pg_admin=${DANDANG_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

row() { # backend, label, wrk output
  local rps p50 p99 errs
  rps=$(echo "$3" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$3" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$3" | awk '$1 == "99%" {print $2}')
  errs=$(echo "$3" | awk '/Non-2xx/ {print $5}')
  echo "| $1 | $2 | $conns | ${rps} | ${p50} | ${p99} | ${errs:-0} |"
}

run() {
  local backend=$1 db=$2 port=$3 base="http://127.0.0.1:$3"
  "$BIN" serve --demo --db "$db" --listen "127.0.0.1:$port" >/dev/null 2>"$work/server.log" &
  local pid=$!
  for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
  local token unit cadre
  token=$("$BIN" --db "$db" token create --user admin)
  unit=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/units?q=%E5%AE%9C%E6%98%8C%E5%B8%82%E5%95%86%E5%8A%A1%E5%B1%80" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  cadre=$(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/cadres?per_page=1&q=%E5%BC%A0" | sed 's/[^{]*{"items":\[{"id":"\([^"]*\)".*/\1/')
  # A browser session for the page: the login form's hidden fields and cookie.
  local jar="$work/jar" form fields
  form=$(curl -sf -c "$jar" "$base/login")
  fields=$(echo "$form" | grep -o 'name="[a-z_]*" value="[^"]*"' | sed 's/name="\([^"]*\)" value="\([^"]*\)"/\1=\2/' | paste -sd'&' -)
  curl -sf -b "$jar" -c "$jar" -o /dev/null -H "Origin: $base" \
    --data "username=admin&password=Dandang2026${fields:+&$fields}" "$base/login" || true
  local cookie
  cookie=$(awk '$6 == "dandang_session" {print $6 "=" $7}' "$jar")
  cat > "$work/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"name":"压测干部","sex":"男","birth_date":"1980-01-01","ethnicity":"汉族","unit_id":"$unit","managed_by":"市管"}'
LUA
  local out
  if want list; then
    out=$(wrk -t2 -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $token" "$base/api/v1/cadres?q=%E5%BC%A0&per_page=20")
    row "$backend" "GET /api/v1/cadres?q=张 (search, 20 per page, not audited)" "$out"
  fi
  if want record; then
    out=$(wrk -t2 -c"$conns" -d"$duration" --latency -H "Authorization: Bearer $token" "$base/api/v1/cadres/$cadre")
    row "$backend" "GET /api/v1/cadres/{id} (cadre record, read audited)" "$out"
  fi
  if want page; then
    [ -n "$cookie" ] || { echo "login for the page benchmark failed" >&2; exit 1; }
    out=$(wrk -t2 -c"$conns" -d"$duration" --latency -H "Cookie: $cookie" "$base/cadres/$cadre")
    row "$backend" "GET /cadres/{id} (cadre page, read audited)" "$out"
  fi
  if want write; then
    out=$(wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/write.lua" "$base/api/v1/cadres")
    row "$backend" "POST /api/v1/cadres (create, audited)" "$out"
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "| database | endpoint | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
run SQLite "sqlite://$work/bench.db" 18181
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  name="dandang_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $name" >/dev/null
  run PostgreSQL "${pg_admin%/*}/$name" 18182
  psql "$pg_admin" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
fi
