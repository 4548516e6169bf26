#!/usr/bin/env bash
# Run pywrangler (workers-py) with the project's own tools first on PATH. pywrangler runs `uv`
# and `npx wrangler` by name, and `uv run` does not put uv's own folder on PATH, so the plain
# `uv run pywrangler deploy` stops with "Command not found: uv" on a machine without a global uv.
#   scripts/pywrangler.sh deploy -c wrangler.consumer.toml
#   scripts/pywrangler.sh --check-tools        (what `make deploy-check` runs: no network)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.tools/bin:$root/.venv/bin:$PATH"
if [[ "${1:-}" == "--check-tools" ]]; then
  # pywrangler's own checks, run exactly as deploy runs them: uv and wrangler found by name.
  exec "$root/scripts/node.sh" "$root/.venv/bin/python" -c '
from pywrangler.utils import check_uv_version, check_wrangler_version
check_uv_version()
check_wrangler_version()
print("pywrangler resolves uv and npx wrangler from the project (.tools/bin, node_modules/.bin)")'
fi
exec "$root/scripts/node.sh" "$root/.venv/bin/pywrangler" "$@"
