#!/usr/bin/env bash
# Builds the web app (client/) into client/dist, which the Worker serves as static assets. Does nothing
# when nothing it is built from changed since the last build (client/, schema/, src/ for the shared
# protocol, the lockfile, the VITE_* settings).
#   bash scripts/build-client.sh [--force]      env: VITE_CLERK_PUBLISHABLE_KEY, VITE_TLDRAW_LICENSE_KEY
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  --force|"") ;;
  *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
esac
export PATH="$PWD/node_modules/.bin:$PATH"

stamp=node_modules/.sync-worker-client-build
inputs_hash() {
  {
    find client schema src -path client/dist -prune -o -type f -print 2>/dev/null | LC_ALL=C sort | xargs sha256sum
    sha256sum package-lock.json
    env | grep '^VITE_' | LC_ALL=C sort || true
  } | sha256sum | cut -d' ' -f1
}
hash=$(inputs_hash)
if [ "${1:-}" != "--force" ] && [ -f client/dist/index.html ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
  exit 0
fi
echo "▸ building the web app (client/ → client/dist)"
vite build --config client/vite.config.ts --logLevel warn
echo "$hash" > "$stamp"
