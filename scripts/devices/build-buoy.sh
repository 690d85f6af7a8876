#!/usr/bin/env bash
# Builds the buoy sketch (examples/arduino/buoy/buoy.ino) for an Arduino Uno
# with avr-gcc and Debian's Arduino AVR core, and the simavr harness that runs
# it on a pseudo-terminal (test/harness/simavr/buoy-pty.c).
#
#   scripts/devices/build-buoy.sh [OUT_DIR] [-DNAME=VALUE ...]
#
# OUT_DIR defaults to /tmp/senfed-buoy. It receives buoy.elf, buoy.hex and
# buoy-pty. The -D flags are passed to the sketch only, e.g.
#   scripts/devices/build-buoy.sh /tmp/b -DBUOY_FORMAT=BUOY_FORMAT_SENML -DBUOY_PERIOD_SECONDS=1
# The packages come from scripts/devices/install-avr.sh.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
out="/tmp/senfed-buoy"
if [ $# -gt 0 ] && [ "${1#-D}" = "$1" ]; then
  out="$1"
  shift
fi
sketch_defines=()
for arg in "$@"; do
  case "$arg" in
    -D*) sketch_defines+=("$arg") ;;
    *) echo "build-buoy: only -D flags may follow the output directory, not '$arg'" >&2; exit 2 ;;
  esac
done

arduino="/usr/share/arduino/hardware/arduino/avr"
core="$arduino/cores/arduino"
variant="$arduino/variants/standard"

fail() {
  echo "build-buoy: $1" >&2
  echo "build-buoy: install the packages with scripts/devices/install-avr.sh" >&2
  exit 1
}
command -v avr-gcc >/dev/null || fail "avr-gcc not found (Debian package gcc-avr)"
command -v avr-g++ >/dev/null || fail "avr-g++ not found (Debian package gcc-avr)"
command -v avr-objcopy >/dev/null || fail "avr-objcopy not found (Debian package binutils-avr)"
[ -f /usr/lib/avr/include/avr/io.h ] || fail "avr/io.h not found (Debian package avr-libc)"
[ -f "$core/Arduino.h" ] || fail "the Arduino AVR core is not in $core (Debian package arduino-core-avr)"
[ -f "$variant/pins_arduino.h" ] || fail "the Uno pin map is not in $variant (Debian package arduino-core-avr)"
command -v gcc >/dev/null || fail "gcc not found (Debian package gcc)"
command -v pkg-config >/dev/null || fail "pkg-config not found (Debian package pkg-config)"
pkg-config --exists simavr || fail "simavr's pkg-config file not found (Debian package libsimavr-dev)"
[ -f /usr/include/simavr/parts/uart_pty.h ] || fail "simavr's uart_pty.h not found (Debian package libsimavr-dev)"
compgen -G '/usr/lib/*/libsimavrparts.so' >/dev/null || fail "libsimavrparts not found (Debian package libsimavrparts1)"

mkdir -p "$out/core"
mcu=(-mmcu=atmega328p -DF_CPU=16000000L -DARDUINO=10807 -DARDUINO_AVR_UNO -DARDUINO_ARCH_AVR)
includes=(-I"$core" -I"$variant")
# DECIMAL_DIG: avr-gcc 5.4's <float.h> lacks it and the core's Print.cpp needs it.
common=(-Os -Wall -ffunction-sections -fdata-sections "${mcu[@]}" "${includes[@]}" -DDECIMAL_DIG=17)
cflags=("${common[@]}" -std=gnu11)
cxxflags=("${common[@]}" -std=gnu++11 -fno-exceptions -fno-threadsafe-statics -fpermissive)

# The core, once per output directory (its flags do not depend on the sketch's).
objects=()
for src in "$core"/*.c "$core"/*.cpp "$core"/*.S; do
  [ -f "$src" ] || continue
  obj="$out/core/$(basename "$src").o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
    case "$src" in
      *.c) avr-gcc "${cflags[@]}" -c "$src" -o "$obj" ;;
      *.cpp) avr-g++ "${cxxflags[@]}" -c "$src" -o "$obj" ;;
      *.S) avr-gcc "${common[@]}" -x assembler-with-cpp -c "$src" -o "$obj" ;;
    esac
  fi
  objects+=("$obj")
done
rm -f "$out/core/libcore.a"
avr-ar rcs "$out/core/libcore.a" "${objects[@]}"

# The sketch, always (its -D flags change from one build to the next).
avr-g++ "${cxxflags[@]}" "${sketch_defines[@]}" -x c++ -c "$root/examples/arduino/buoy/buoy.ino" -o "$out/buoy.o"
avr-gcc "${mcu[@]}" -Os -Wl,--gc-sections -o "$out/buoy.elf" "$out/buoy.o" "$out/core/libcore.a" -lm
avr-objcopy -O ihex -R .eeprom "$out/buoy.elf" "$out/buoy.hex"
avr-size "$out/buoy.elf" >&2 || true

# The simavr harness (GPL simavr: test-only, never part of the package).
gcc -O2 -Wall -Wextra -std=gnu11 $(pkg-config --cflags simavr) -I/usr/include/simavr/parts \
  -o "$out/buoy-pty" "$root/test/harness/simavr/buoy-pty.c" \
  -lsimavrparts $(pkg-config --libs simavr) -lpthread

echo "build-buoy: $out/buoy.elf $out/buoy-pty"
