#!/usr/bin/env bash
# ./dev.sh — run sync-worker locally: dependencies, the web app (client/, rebuilt when it changed), a
# project-local Postgres (.dev/postgres, port 54329, wal_level=logical), migrations, dev Clerk keys and dev
# sign-in, then `wrangler dev` on http://localhost:8787 (the app and the API) with state under .dev/wrangler,
# and a short demo. Ctrl-C (or SIGTERM) stops Postgres and workerd.
#   ./dev.sh [--no-demo] [--help]      env: PORT (8787), PG_PORT (54329)
set -euo pipefail
cd "$(dirname "$0")"

demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $arg (see ./dev.sh --help)" >&2; exit 2 ;;
  esac
done

. scripts/setup.sh
PORT=${PORT:-8787}
PG_PORT=${PG_PORT:-54329}
mkdir -p .dev

wrangler_pid=""
stop_all() {
  trap - INT TERM EXIT
  echo
  echo "▸ stopping…"
  if [ -n "$wrangler_pid" ]; then
    kill -TERM -- "-$wrangler_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$wrangler_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$wrangler_pid" 2>/dev/null || true
  fi
  scripts/pg.sh stop .dev/postgres || true
  echo "▸ stopped Postgres and workerd"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "▸ the app will be at http://localhost:$PORT"
bash scripts/build-client.sh

echo "▸ Postgres on 127.0.0.1:$PG_PORT (data in .dev/postgres)"
scripts/pg.sh start .dev/postgres "$PG_PORT"
DATABASE_URL=$(scripts/pg.sh url "$PG_PORT")
export DATABASE_URL
node scripts/migrate.ts --database-url "$DATABASE_URL"

if [ -f scripts/dev-keys.ts ]; then
  node scripts/dev-keys.ts --dir .dev --dev-sign-in >/dev/null
fi
# .dev.vars holds local secrets for wrangler; keep lines we don't own.
touch .dev.vars
ADMIN_TOKEN=$(sed -n 's/^ADMIN_TOKEN="\(.*\)"$/\1/p' .dev.vars | head -1)
[ -n "$ADMIN_TOKEN" ] || ADMIN_TOKEN="dev-admin-$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
grep -v '^DATABASE_URL=\|^ADMIN_TOKEN=' .dev.vars > .dev.vars.tmp || true
echo "DATABASE_URL=\"$DATABASE_URL\"" >> .dev.vars.tmp
echo "ADMIN_TOKEN=\"$ADMIN_TOKEN\"" >> .dev.vars.tmp
mv .dev.vars.tmp .dev.vars

echo "▸ wrangler dev on http://localhost:$PORT (state in .dev/wrangler, log in .dev/wrangler.log)"
setsid wrangler dev --ip 127.0.0.1 --port "$PORT" --persist-to .dev/wrangler --show-interactive-dev-session=false \
  > .dev/wrangler.log 2>&1 &
wrangler_pid=$!
for _ in $(seq 1 300); do
  if curl -fsS "http://localhost:$PORT/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$wrangler_pid" 2>/dev/null; then
    echo "error: wrangler dev exited; last lines of .dev/wrangler.log:" >&2
    tail -30 .dev/wrangler.log >&2
    exit 1
  fi
  sleep 0.2
done
curl -fsS "http://localhost:$PORT/health" >/dev/null || { echo "error: worker did not answer /health" >&2; exit 1; }

cat <<INFO

  sync-worker is running — open the app:  http://localhost:$PORT
    app         http://localhost:$PORT          (new room, read-only links, sign in with any user name)
    worker      http://localhost:$PORT/health
    rooms       ws://localhost:$PORT/r/<roomId>  — point tldraw's useSync at it
    read-only   curl http://localhost:$PORT/r/<roomId>/readonly-slug → ws://localhost:$PORT/ro/<slug>
    user data   ws://localhost:$PORT/app/<userId>/connect?accessToken=<token>
    replication curl -H "Authorization: Bearer $ADMIN_TOKEN" http://localhost:$PORT/app/replicator-status
    postgres    $DATABASE_URL
    state       .dev/ (delete it to start from scratch)
INFO
if [ -f scripts/token.ts ]; then
  echo "    dev token   npm run token -- <userId>   e.g. $(node scripts/token.ts demo-user 2>/dev/null | cut -c1-24)…"
fi
echo

if [ "$demo" = 1 ]; then
  node scripts/demo.ts --url "http://localhost:$PORT" || echo "(demo failed; the server keeps running)"
fi
echo "Press Ctrl-C to stop."
wait "$wrangler_pid"
