#!/usr/bin/env bash
# HTTP load benchmark: requests/s and latency of a read endpoint and a write
# endpoint at 32 concurrent connections, on SQLite and on PostgreSQL, against
# the release build serving the demo deployment. Needs `wrk` (Debian package).
# Prints Markdown rows for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y wrk >/dev/null; }
cargo build --release --locked -p dandang --quiet
bin=target/release/dandang
duration=${DURATION:-20s}
pg_admin=${DANDANG_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}

run() {
  local backend=$1 db=$2 port=$3
  $bin serve --demo --db "$db" --listen "127.0.0.1:$port" >/dev/null 2>/tmp/bench-server.log &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  local token unit
  token=$($bin --db "$db" token create --user admin)
  unit=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/units?q=%E5%AE%9C%E6%98%8C%E5%B8%82%E5%95%86%E5%8A%A1%E5%B1%80" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  cat > /tmp/bench-write.lua <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"name":"压测干部","sex":"男","birth_date":"1980-01-01","ethnicity":"汉族","unit_id":"$unit","managed_by":"市管"}'
LUA
  local read write
  read=$(wrk -t2 -c32 -d"$duration" --latency -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/api/v1/cadres?q=%E5%BC%A0&per_page=20")
  write=$(wrk -t2 -c32 -d"$duration" --latency -s /tmp/bench-write.lua "http://127.0.0.1:$port/api/v1/cadres")
  for kind in read write; do
    local out=${!kind}
    local rps p50 p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
    p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
    errs=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    local what="GET /api/v1/cadres?q=张 (search, 20 per page)"
    [ "$kind" = write ] && what="POST /api/v1/cadres (create, audited)"
    echo "| $backend | $what | 32 | ${rps} | ${p50} | ${p99} | ${errs:-0} |"
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "| database | endpoint | connections | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
dir=$(mktemp -d)
run SQLite "sqlite://$dir/bench.db" 18181
rm -rf "$dir"
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  name="dandang_bench_$$"
  psql "$pg_admin" -qc "CREATE DATABASE $name" >/dev/null
  run PostgreSQL "${pg_admin%/*}/$name" 18182
  psql "$pg_admin" -qc "DROP DATABASE $name WITH (FORCE)" >/dev/null
fi
