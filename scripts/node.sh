#!/usr/bin/env bash
# Run a command with the project's Node 22 (npm package `node`, installed by `npm ci`) first on
# PATH, so `node`, `npx wrangler` and `npm` scripts use it instead of the machine's older Node.
#   scripts/node.sh node --version
#   scripts/node.sh npx wrangler deploy --dry-run -c wrangler.toml --outdir /tmp/out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/node_modules/.bin"
if [[ ! -x "$bin/node" ]]; then
  echo "scripts/node.sh: $bin/node is missing; run \`npm ci\` in $root first" >&2
  exit 127
fi
export PATH="$bin:$PATH"
# wrangler: no telemetry prompts/uploads, no update checks (offline machines, CI).
export WRANGLER_SEND_METRICS="${WRANGLER_SEND_METRICS:-false}"
exec "$@"
