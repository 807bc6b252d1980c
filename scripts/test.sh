#!/usr/bin/env bash
# The test command: sets everything up on a fresh clone and runs every test.
#   npm test            (or: bash scripts/test.sh [vitest args…], e.g. --project unit)
# Builds the web app, starts a throwaway Postgres on a free port (removed afterwards), installs Debian's
# chromium for the browser tests when it is missing (as root); ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# Setup (install, app build) must leave tracked files as they are (a lockfile npm rewrites, generated files): otherwise a fresh
# clone tests something other than what is committed. Compared before/after, so local edits are fine.
tracked_state() { git status --porcelain --untracked-files=no; git diff --no-ext-diff --binary | cksum; }
in_git=false
if command -v git >/dev/null 2>&1 && git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  in_git=true
  tracked_before=$(tracked_state)
fi
. scripts/setup.sh

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

# The Worker serves the app's build (wrangler.toml [assets]); every workerd the tests start needs it.
bash scripts/build-client.sh
if $in_git && [ "$(tracked_state)" != "$tracked_before" ]; then
  echo "error: setup (install, app build) changed tracked files (commit what it produces, e.g. package-lock.json):" >&2
  git status --short --untracked-files=no >&2
  exit 1
fi

# The browser tests (test/browser) drive Debian's chromium through playwright-core; nothing is downloaded.
CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "▸ installing chromium for the browser tests (apt-get install chromium)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: no Chromium at $CHROMIUM_PATH; the browser tests will fail. Install it with" >&2
    echo "  sudo apt-get install chromium    (or set CHROMIUM_PATH to a Chromium binary)" >&2
  fi
fi
export CHROMIUM_PATH

work=$(mktemp -d /tmp/sync-worker-test.XXXXXX)
chmod 755 "$work"
pg_dir="$work/pg"
cleanup() {
  scripts/pg.sh stop "$pg_dir" || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
echo "▸ starting a throwaway Postgres on 127.0.0.1:$port"
PG_EXTRA_OPTS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" scripts/pg.sh start "$pg_dir" "$port"
export DATABASE_URL=$(scripts/pg.sh url "$port")
node scripts/migrate.ts --database-url "$DATABASE_URL" >/dev/null

echo "▸ type-checking"
tsc --noEmit -p tsconfig.json
tsc --noEmit -p tsconfig.test.json
tsc --noEmit -p client/tsconfig.json
tsc --noEmit -p test/browser/tsconfig.json

echo "▸ running tests"
report="$work/vitest.json"
status=0
vitest run --reporter=default --reporter=json --outputFile="$report" "$@" || status=$?
if [ -f "$report" ]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
    const skipped = r.numPendingTests + r.numTodoTests
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""))
  ' "$report"
else
  echo "0 passed, 1 failed"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
