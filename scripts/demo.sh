#!/usr/bin/env bash
# Run the SenFed demo: build the package, install it as Node-RED would from a
# registry (packed tarball) into a throw-away user directory .demo/, start the
# federation test bed (scripts/federation/federation.sh: root, Prosody from apt),
# and start Node-RED with the example flows at http://127.0.0.1:${PORT:-1880}/
# (without the federation ones, said loudly, when the test bed cannot start)
#
#   bash scripts/demo.sh          (Ctrl+C stops Node-RED, then the test bed)
#   PORT=1881 bash scripts/demo.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The committed lock file is complete (every platform's optional packages), so npm ci installs exactly it.
npm ci --no-audit --no-fund
npm run build

exec node scripts/demo.js
