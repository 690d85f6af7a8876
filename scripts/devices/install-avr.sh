#!/usr/bin/env bash
# The Debian packages that build the buoy sketch and run it in simulation:
# avr-gcc and avr-libc, the Arduino AVR core (sources under /usr/share/arduino),
# simavr with its development headers and its "parts" library (uart_pty), and
# socat for pseudo-terminal pairs. Installs only what is missing, so running it
# twice does nothing the second time. simavr is GPL: it is used by tests only.
set -euo pipefail

packages=(gcc-avr avr-libc arduino-core-avr simavr libsimavr-dev libsimavr2 libsimavrparts1 libelf-dev pkg-config gcc socat)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-avr: all packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-avr: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
