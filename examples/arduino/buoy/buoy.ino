/*
 * SenFed sea-temperature buoy for an Arduino Uno (ATmega328P).
 *
 * Every BUOY_PERIOD_SECONDS (default 10) the buoy reads the water temperature
 * from a DS18B20 probe and the battery voltage, and prints one line on the USB
 * serial port. Only the Arduino core is needed: the 1-Wire bus and the DS18B20
 * are driven by the small code below, no library to install.
 *
 * WIRING
 *
 *   DS18B20 (waterproof probe, powered mode, 3 wires):
 *     red    (VDD)  -> 5V
 *     black  (GND)  -> GND
 *     yellow (DATA) -> D2, and a 4.7 kOhm resistor from D2 to 5V (pull-up)
 *   Only one probe on the bus (the sketch addresses it with Skip ROM).
 *
 *   Battery through a voltage divider on A0:
 *     battery + -- R_TOP (10 kOhm) --+-- R_BOTTOM (10 kOhm) -- GND
 *                                    |
 *                                    A0
 *     battery - -> GND (common ground with the Arduino)
 *   A0 sees battery * R_BOTTOM / (R_TOP + R_BOTTOM), so with 10 k / 10 k up
 *   to 10 V can be read against the 5 V reference. Change BUOY_R_TOP_OHMS and
 *   BUOY_R_BOTTOM_OHMS if you use other resistors, and BUOY_VREF_MILLIVOLTS
 *   if your 5 V rail is not 5.00 V (measure it for a better battery reading).
 *   A 100 nF capacitor from A0 to GND steadies the reading.
 *
 * LINE FORMATS (compile-time BUOY_FORMAT, one line per reading)
 *
 *   BUOY_FORMAT_KEYVALUE (default)
 *     water_temperature=21.50 battery=3.71
 *   BUOY_FORMAT_CSV (columns water_temperature,battery)
 *     21.50,3.71
 *   BUOY_FORMAT_JSON
 *     {"water_temperature":21.50,"battery":3.71}
 *   BUOY_FORMAT_SENML (a SenML pack, RFC 8428, names under BUOY_DEVICE_ID)
 *     [{"bn":"urn:dev:mac:0024befffe804ff1:","n":"water_temperature","u":"Cel","v":21.5},{"n":"battery","u":"V","v":3.71}]
 *
 *   Temperatures are in degrees Celsius with two decimals (the DS18B20 gives
 *   1/16 degree), the battery in volts with two decimals. Lines are printed
 *   with Serial.println, so they end with "\r\n": a reader splitting on "\n"
 *   gets each line with a trailing "\r", which it should trim.
 *
 * WHEN THE PROBE DOES NOT ANSWER
 *
 *   The temperature is replaced by an error word, and the battery is still
 *   reported:
 *     no_probe  no presence pulse after a reset (probe unplugged, cable cut)
 *     bus_low   the data line stays low (no 4.7 kOhm pull-up, or a short)
 *     crc       the probe answered but its data failed the CRC check
 *               (noise on a long cable, bad contact)
 *   per format:
 *     key=value  error=no_probe battery=3.71
 *     CSV        no_probe,3.71        (a word, not a number, in the first column)
 *     JSON       {"error":"no_probe","battery":3.71}
 *     SenML      [{"bn":"urn:dev:mac:0024befffe804ff1:","n":"error","vs":"no_probe"},{"n":"battery","u":"V","v":3.71}]
 *
 * SENFED "serial sensor" NODE SETTINGS
 *
 *   Port:        the Uno's port, e.g. /dev/ttyACM0 (Linux), /dev/cu.usbmodem* (macOS), COM3 (Windows)
 *   Baud rate:   9600
 *   Framing:     8 data bits, no parity, 1 stop bit (8N1)
 *   Line format: the one compiled in (key=value pairs, CSV, JSON object or SenML JSON)
 *   Fields:      water_temperature:Cel, battery:V   (for CSV: the columns, in this order)
 *   Base name:   urn:dev:mac:<BUOY_DEVICE_ID>:      (not needed for SenML, which names itself)
 *   The example flow examples/arduino/buoy/serial-buoy.json has these settings.
 *   Opening the port resets the Uno: the first line can be missing or partial.
 *
 * TEST HOOK
 *
 *   Compiling with -DBUOY_TEST_TEMPERATURE_CENTI=2150 makes the sketch report
 *   21.50 Cel without touching the 1-Wire bus, for tests in a simulator or on a
 *   board without a probe. Never flash such a build on a real buoy.
 */

#include <Arduino.h>

#define BUOY_FORMAT_KEYVALUE 1
#define BUOY_FORMAT_CSV 2
#define BUOY_FORMAT_JSON 3
#define BUOY_FORMAT_SENML 4

#ifndef BUOY_FORMAT
#define BUOY_FORMAT BUOY_FORMAT_KEYVALUE
#endif
#if BUOY_FORMAT < BUOY_FORMAT_KEYVALUE || BUOY_FORMAT > BUOY_FORMAT_SENML
#error "BUOY_FORMAT must be BUOY_FORMAT_KEYVALUE, BUOY_FORMAT_CSV, BUOY_FORMAT_JSON or BUOY_FORMAT_SENML"
#endif

// Seconds between two readings.
#ifndef BUOY_PERIOD_SECONDS
#define BUOY_PERIOD_SECONDS 10
#endif

// Device identity for SenML names (RFC 9039 urn:dev:mac): 16 lowercase hex
// digits of an EUI-64 you own, e.g. the one printed on a radio module. Change
// it for every buoy, so that two buoys never share names.
#ifndef BUOY_DEVICE_ID
#define BUOY_DEVICE_ID "0024befffe804ff1"
#endif

#ifndef BUOY_ONEWIRE_PIN
#define BUOY_ONEWIRE_PIN 2
#endif
#ifndef BUOY_BATTERY_PIN
#define BUOY_BATTERY_PIN A0
#endif

// Voltage divider on the battery pin, in ohms, and the ADC reference (AVcc).
#ifndef BUOY_R_TOP_OHMS
#define BUOY_R_TOP_OHMS 10000UL
#endif
#ifndef BUOY_R_BOTTOM_OHMS
#define BUOY_R_BOTTOM_OHMS 10000UL
#endif
#ifndef BUOY_VREF_MILLIVOLTS
#define BUOY_VREF_MILLIVOLTS 5000UL
#endif

#ifdef BUOY_TEST_TEMPERATURE_CENTI
#warning "BUOY_TEST_TEMPERATURE_CENTI is set: this build reports a fixed temperature and never reads the probe"
#endif

enum ProbeStatus { PROBE_OK, PROBE_NO_PROBE, PROBE_BUS_LOW, PROBE_CRC };

static const char *probeError(ProbeStatus status) {
  switch (status) {
    case PROBE_NO_PROBE: return "no_probe";
    case PROBE_BUS_LOW: return "bus_low";
    case PROBE_CRC: return "crc";
    default: return "";
  }
}

/* ---- 1-Wire bus (bit-banged, timings of Maxim application note 126) ---- */

static volatile uint8_t *owIn;
static volatile uint8_t *owMode;
static volatile uint8_t *owOut;
static uint8_t owMask;

static void owBegin(uint8_t pin) {
  uint8_t port = digitalPinToPort(pin);
  owMask = digitalPinToBitMask(pin);
  owIn = portInputRegister(port);
  owMode = portModeRegister(port);
  owOut = portOutputRegister(port);
  *owMode &= ~owMask;  // input: the external pull-up holds the line high
  *owOut &= ~owMask;   // no internal pull-up; low whenever switched to output
}

static inline void owDriveLow() { *owMode |= owMask; }
static inline void owRelease() { *owMode &= ~owMask; }
static inline bool owLineHigh() { return (*owIn & owMask) != 0; }

// Reset pulse; returns PROBE_OK when a device answered with a presence pulse.
static ProbeStatus owReset() {
  owRelease();
  uint8_t tries = 125;  // the line must be high before the reset (250 us)
  while (!owLineHigh()) {
    if (--tries == 0) return PROBE_BUS_LOW;
    delayMicroseconds(2);
  }
  noInterrupts();
  owDriveLow();
  interrupts();
  delayMicroseconds(480);
  noInterrupts();
  owRelease();
  delayMicroseconds(70);
  bool present = !owLineHigh();
  interrupts();
  delayMicroseconds(410);
  return present ? PROBE_OK : PROBE_NO_PROBE;
}

static void owWriteBit(bool bit) {
  noInterrupts();
  owDriveLow();
  if (bit) {
    delayMicroseconds(6);
    owRelease();
    interrupts();
    delayMicroseconds(64);
  } else {
    delayMicroseconds(60);
    owRelease();
    interrupts();
    delayMicroseconds(10);
  }
}

static bool owReadBit() {
  noInterrupts();
  owDriveLow();
  delayMicroseconds(3);
  owRelease();
  delayMicroseconds(10);
  bool bit = owLineHigh();
  interrupts();
  delayMicroseconds(53);
  return bit;
}

static void owWriteByte(uint8_t value) {
  for (uint8_t i = 0; i < 8; i++) {
    owWriteBit(value & 1);
    value >>= 1;
  }
}

static uint8_t owReadByte() {
  uint8_t value = 0;
  for (uint8_t i = 0; i < 8; i++) {
    value >>= 1;
    if (owReadBit()) value |= 0x80;
  }
  return value;
}

// Dallas/Maxim CRC-8 (polynomial x^8 + x^5 + x^4 + 1, bits in reverse order).
static uint8_t owCrc8(const uint8_t *data, uint8_t length) {
  uint8_t crc = 0;
  while (length--) {
    uint8_t byte = *data++;
    for (uint8_t i = 0; i < 8; i++) {
      uint8_t mix = (crc ^ byte) & 0x01;
      crc >>= 1;
      if (mix) crc ^= 0x8C;
      byte >>= 1;
    }
  }
  return crc;
}

/* ---- DS18B20 ---- */

#define DS18B20_SKIP_ROM 0xCC
#define DS18B20_CONVERT_T 0x44
#define DS18B20_READ_SCRATCHPAD 0xBE

// Starts a conversion, waits for it (at most 1 s at 12 bits), reads the
// scratchpad and checks it. On success *centi is the temperature in 1/100 Cel.
static ProbeStatus ds18b20Read(int16_t *centi) {
  ProbeStatus status = owReset();
  if (status != PROBE_OK) return status;
  owWriteByte(DS18B20_SKIP_ROM);
  owWriteByte(DS18B20_CONVERT_T);
  unsigned long start = millis();
  while (!owReadBit()) {  // the probe holds read slots low while converting
    if (millis() - start > 1000) return PROBE_NO_PROBE;
  }

  status = owReset();
  if (status != PROBE_OK) return status;
  owWriteByte(DS18B20_SKIP_ROM);
  owWriteByte(DS18B20_READ_SCRATCHPAD);
  uint8_t pad[9];
  for (uint8_t i = 0; i < 9; i++) pad[i] = owReadByte();

  // All zeros pass a CRC-8 (a line stuck low reads as zeros), so the
  // configuration byte, whose low five bits always read 1, is checked too.
  if (owCrc8(pad, 8) != pad[8] || (pad[4] & 0x1F) != 0x1F) return PROBE_CRC;

  int16_t raw = (int16_t)((pad[1] << 8) | pad[0]);  // 1/16 Cel
  int32_t scaled = (int32_t)raw * 25;                // 1/400 Cel
  *centi = (int16_t)((scaled >= 0 ? scaled + 2 : scaled - 2) / 4);
  return PROBE_OK;
}

static ProbeStatus readTemperature(int16_t *centi) {
#ifdef BUOY_TEST_TEMPERATURE_CENTI
  (void)ds18b20Read;  // compiled, never called
  *centi = BUOY_TEST_TEMPERATURE_CENTI;
  return PROBE_OK;
#else
  return ds18b20Read(centi);
#endif
}

/* ---- battery ---- */

// Battery voltage in 1/100 V, the mean of 8 conversions.
static int16_t readBatteryCenti() {
  analogRead(BUOY_BATTERY_PIN);  // the first conversion after a pause is discarded
  uint32_t sum = 0;
  for (uint8_t i = 0; i < 8; i++) sum += analogRead(BUOY_BATTERY_PIN);
  float pinMillivolts = sum * (BUOY_VREF_MILLIVOLTS / 8192.0f);
  float millivolts =
      pinMillivolts * ((float)(BUOY_R_TOP_OHMS + BUOY_R_BOTTOM_OHMS) / BUOY_R_BOTTOM_OHMS);
  return (int16_t)(millivolts / 10.0f + 0.5f);
}

/* ---- output ---- */

// Prints hundredths as a decimal number: 2150 -> "21.50" (trim: "21.5"),
// -5 -> "-0.05", 2100 -> "21.00" (trim: "21").
static void printCenti(int16_t centi, bool trim) {
  int32_t value = centi;
  if (value < 0) {
    Serial.print('-');
    value = -value;
  }
  Serial.print((long)(value / 100));
  uint8_t fraction = value % 100;
  if (trim && fraction == 0) return;
  Serial.print('.');
  Serial.print((char)('0' + fraction / 10));
  if (trim && fraction % 10 == 0) return;
  Serial.print((char)('0' + fraction % 10));
}

static void printReading(ProbeStatus status, int16_t temperatureCenti, int16_t batteryCenti) {
  bool ok = status == PROBE_OK;
#if BUOY_FORMAT == BUOY_FORMAT_KEYVALUE
  if (ok) {
    Serial.print(F("water_temperature="));
    printCenti(temperatureCenti, false);
  } else {
    Serial.print(F("error="));
    Serial.print(probeError(status));
  }
  Serial.print(F(" battery="));
  printCenti(batteryCenti, false);
#elif BUOY_FORMAT == BUOY_FORMAT_CSV
  if (ok) printCenti(temperatureCenti, false);
  else Serial.print(probeError(status));
  Serial.print(',');
  printCenti(batteryCenti, false);
#elif BUOY_FORMAT == BUOY_FORMAT_JSON
  if (ok) {
    Serial.print(F("{\"water_temperature\":"));
    printCenti(temperatureCenti, false);
  } else {
    Serial.print(F("{\"error\":\""));
    Serial.print(probeError(status));
    Serial.print('"');
  }
  Serial.print(F(",\"battery\":"));
  printCenti(batteryCenti, false);
  Serial.print('}');
#elif BUOY_FORMAT == BUOY_FORMAT_SENML
  Serial.print(F("[{\"bn\":\"urn:dev:mac:" BUOY_DEVICE_ID ":\","));
  if (ok) {
    Serial.print(F("\"n\":\"water_temperature\",\"u\":\"Cel\",\"v\":"));
    printCenti(temperatureCenti, true);
  } else {
    Serial.print(F("\"n\":\"error\",\"vs\":\""));
    Serial.print(probeError(status));
    Serial.print('"');
  }
  Serial.print(F("},{\"n\":\"battery\",\"u\":\"V\",\"v\":"));
  printCenti(batteryCenti, true);
  Serial.print(F("}]"));
#endif
  Serial.println();
}

/* ---- sketch ---- */

static unsigned long lastReading;
static bool firstReading = true;

void setup() {
  Serial.begin(9600);  // 8N1
  owBegin(BUOY_ONEWIRE_PIN);
  analogReference(DEFAULT);  // AVcc
}

void loop() {
  unsigned long now = millis();
  if (!firstReading && now - lastReading < BUOY_PERIOD_SECONDS * 1000UL) return;
  firstReading = false;
  lastReading = now;

  int16_t temperatureCenti = 0;
  ProbeStatus status = readTemperature(&temperatureCenti);
  printReading(status, temperatureCenti, readBatteryCenti());
}
