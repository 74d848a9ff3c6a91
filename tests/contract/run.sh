#!/usr/bin/env bash
# The OpenAPI document is the contract: schemathesis (pinned, from PyPI, in a
# virtualenv under target/) generates requests from the document as served
# and checks every answer against it — no 5xx, every status documented, every
# body in its schema, content types as declared. Once as the administrator,
# once as a county organization department (a scoped account), each bounded
# in time, on a fresh demo database.
#
# Left out, because they would end the run's own credentials (schemathesis
# follows ids from one answer into the next call, so it finds its own token
# and its own user): DELETE /api/v1/sessions, DELETE /api/v1/tokens/{id},
# DELETE /api/v1/users/{id}/sessions, POST /api/v1/users/{id}/reset-password,
# PUT /api/v1/users/{id} (may disable the account or change its role).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
cd "$root"
seconds="${CONTRACT_SECONDS:-120}"
venv="$root/target/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
cargo build --locked -p dandang --quiet
bin="$root/target/debug/dandang"

work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
export DANDANG_DB="sqlite://$work/contract.db"
"$bin" serve --demo --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

run_as() {
  local user="$1" token
  token="$("$bin" token create --user "$user" --name 契约测试)"
  echo "== schemathesis as $user (${seconds}s)"
  "$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/openapi.json" \
    --url "http://127.0.0.1:$port" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --exclude-operation-id logout_everywhere \
    --exclude-operation-id revoke_token \
    --exclude-operation-id end_sessions \
    --exclude-operation-id reset_password \
    --exclude-operation-id update_user \
    --max-time "$seconds" --workers 2 --no-color \
    --seed "${CONTRACT_SEED:-20261202}"
}
failed=0
run_as admin || failed=1
run_as yl_ganbu || failed=1
if [ "$failed" != 0 ]; then
  echo "schemathesis found answers that break the OpenAPI document (above)" >&2
  tail -n 30 "$work/serve.log" >&2
fi
exit "$failed"
