#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then the suite itself.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests drive for real: Chromium for the editor tests.
packages=(chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm install, not npm ci: with this machine's npm settings (lock files without resolved
# URLs), npm ci refuses the platform-specific optional packages of cbor-x.
npm install --no-audit --no-fund
npm test
