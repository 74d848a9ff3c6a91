#!/usr/bin/env bash
# Installs what the browser test needs (Debian's Chromium, playwright-core
# from the lockfile) and runs it against the debug build of dandang.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium…"
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y chromium >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y chromium >/dev/null))
  else
    (sudo apt-get install -y chromium >/dev/null 2>&1 || (sudo apt-get update >/dev/null && sudo apt-get install -y chromium >/dev/null))
  fi
fi
# Chinese text in the screenshots needs a CJK face (users' systems have one;
# a fresh Debian does not): Debian's Noto CJK.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  echo "installing fonts-noto-cjk…"
  if [ "$(id -u)" = 0 ]; then
    (apt-get install -y fonts-noto-cjk >/dev/null 2>&1 || (apt-get update >/dev/null && apt-get install -y fonts-noto-cjk >/dev/null))
  else
    (sudo apt-get install -y fonts-noto-cjk >/dev/null 2>&1 || (sudo apt-get update >/dev/null && sudo apt-get install -y fonts-noto-cjk >/dev/null))
  fi
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
fi
cargo build --locked -p dandang --quiet
node "$here/smoke.mjs"
