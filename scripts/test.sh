#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then the suite itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
npm test
