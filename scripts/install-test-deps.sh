#!/usr/bin/env bash
# What the test suite needs on a fresh Debian machine: the Debian packages it
# drives for real and the npm packages. Chromium (the editor tests), Mosquitto (network-server
# uplinks through mqtt in; each test starts a private broker), socat (serial
# ports) and the AVR toolchain with simavr (the buoy sketch) are installed here; Prosody is installed by the federation test bed itself
# (scripts/federation/federation.sh), which also stops the system-wide server
# the package starts, so that its ports stay free.
set -euo pipefail
cd "$(dirname "$0")/.."

# FROST-Server (scripts/sensorthings/frost.sh): PostgreSQL 15 + PostGIS, Tomcat 10.1 for a private instance, JDBC, javax2jakarta.
packages=(chromium mosquitto postgresql-15 postgresql-15-postgis-3 tomcat10-user libtomcat10-java libpostgresql-jdbc-java tomcat-jakartaee-migration)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Installing them starts Debian's own PostgreSQL cluster and Mosquitto; the tests run
  # private ones (frost.sh, test/support/mosquitto.ts), so stop what this install started.
  if [[ " ${missing[*]} " == *" postgresql-15 "* ]] && command -v pg_ctlcluster >/dev/null; then
    $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
  if [[ " ${missing[*]} " == *" mosquitto "* ]] && pgrep -x mosquitto >/dev/null; then
    $sudo service mosquitto stop 2>/dev/null || true
  fi
fi

# The Arduino toolchain and simavr, to build and run the buoy sketch (and socat for serial ports).
bash scripts/devices/install-avr.sh

# Exactly what the lock file says: it lists the optional native packages of every platform.
npm ci --no-audit --no-fund
