#!/usr/bin/env bash
# Install Debian's PostgreSQL server when no server of a major Hyperdrive supports (<= 17) is
# there: the analytics suite runs on it as well as on the embedded 18 (docs/hyperdrive.md). Only
# the binaries are used (/usr/lib/postgresql/<major>/bin); the tests start their own server in a
# temporary directory. Needs root, as on CI.
set -euo pipefail
for bindir in /usr/lib/postgresql/*/bin; do
  major="$(basename "$(dirname "$bindir")")"
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major <= 17)) \
    && [[ -x "$bindir/initdb" && -x "$bindir/pg_ctl" && -x "$bindir/postgres" ]]; then
    exit 0
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "missing for the analytics tests: a PostgreSQL server <= 17 — install with" \
    "'sudo apt-get install -y postgresql'" >&2
  exit 1
fi
echo "installing postgresql (Debian's server) for the analytics tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
