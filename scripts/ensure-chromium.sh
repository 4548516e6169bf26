#!/usr/bin/env bash
# Install Debian's chromium (and Korean fonts, so screenshots show Hangul) for the browser tests
# when missing. Needs root, as on CI; Playwright cannot download its own browser on these machines.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "missing for the browser tests: ${missing[*]} — install with 'sudo apt-get install -y ${missing[*]}'" >&2
  exit 1
fi
echo "installing ${missing[*]} (Debian packages) for the browser tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
