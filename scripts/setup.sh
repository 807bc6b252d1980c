#!/usr/bin/env bash
# Shared setup for ./dev.sh and scripts/test.sh: installs dependencies when needed and puts the project's
# Node 22 (npm package `node`, a devDependency) first on PATH. Source it: `. scripts/setup.sh`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false
export NPM_CONFIG_AUDIT=false NPM_CONFIG_FUND=false NPM_CONFIG_UPDATE_NOTIFIER=false

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm is required (Node.js 18+ with npm); the project brings its own Node 22" >&2
  exit 1
fi

# `npm ci` rejects npm 11's lockfile here (optional workerd binaries for other platforms), and
# `npm install` with the committed lockfile installs exactly the locked versions.
stamp=node_modules/.sync-worker-installed
if [ ! -x node_modules/.bin/node ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "▸ installing dependencies (npm install)…"
  npm install --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

export PATH="$PWD/node_modules/.bin:$PATH"
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 22 ]; then
  echo "error: expected Node 22 from node_modules/.bin/node, got $(node --version)" >&2
  exit 1
fi
