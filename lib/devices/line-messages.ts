import { SenfedError, type MessageTable, type SentenceParams } from '../errors';

/** The sentences of the serial line formats and the serial connection, by messageId. */
export const LINE_MESSAGES = {
  LINE_CSV_COLUMNS: {
    code: 'DEVICE_LINE',
    en: 'the line has {got} values, the columns are {expected} ({columns}): "{line}"',
  },
  LINE_CSV_NO_COLUMNS: {
    code: 'DEVICE_LINE_SETTINGS',
    en: 'CSV lines need column names (for example water_temperature,battery)',
  },
  LINE_NOT_A_NUMBER: {
    code: 'DEVICE_LINE',
    en: '{name} is "{value}", not a number: "{line}"',
  },
  LINE_KEYVALUE_PAIR: {
    code: 'DEVICE_LINE',
    en: '"{part}" is not a key=value pair: "{line}"',
  },
  LINE_KEY_INVALID: {
    code: 'DEVICE_LINE',
    en: '"{key}" cannot be a SenML name (letters, digits and - : . / _ only): "{line}"',
  },
  LINE_JSON_INVALID: {
    code: 'DEVICE_LINE',
    en: 'the line is not JSON ({reason}): "{line}"',
  },
  LINE_JSON_NOT_OBJECT: {
    code: 'DEVICE_LINE',
    en: 'a JSON line must hold an object of readings, got {got}: "{line}"',
  },
  LINE_SENML_INVALID: {
    code: 'DEVICE_LINE',
    en: 'the line is not a SenML pack ({reason}): "{line}"',
  },
  LINE_HEX_INVALID: {
    code: 'DEVICE_LINE',
    en: 'the line is not hexadecimal bytes: "{line}"',
  },
  LINE_LORA_RECEIVER: {
    code: 'DEVICE_LINE',
    en: 'the line is not an arduino-LoRa receiver line (Received packet \'…\' with RSSI -67): "{line}"',
  },
  LINE_EMPTY_READINGS: {
    code: 'DEVICE_LINE',
    en: 'the line holds no reading: "{line}"',
  },
  LINE_KEY_CLASH: {
    code: 'DEVICE_LINE',
    en: 'the keys "{first}" and "{second}" both become the SenML name "{name}": "{line}"',
  },
  LINE_UNIT_UNKNOWN: {
    code: 'DEVICE_LINE_SETTINGS',
    en: '{unit} (the unit of {name}) is not a SenML unit',
  },
  LINE_FORMAT_UNKNOWN: {
    code: 'DEVICE_LINE_SETTINGS',
    en: '{format} is not a line format (csv, keyvalue, json, lpp-hex, senml, lora-receiver)',
  },
  LINE_TOO_LONG: {
    code: 'DEVICE_LINE',
    en: 'a line longer than {max} characters arrived without an end: it was dropped',
  },
  SERIAL_NOT_OPEN: {
    code: 'DEVICE_SERIAL',
    en: 'the port {path} is not open: nothing was written',
  },
  SERIAL_OPEN_FAILED: {
    code: 'DEVICE_SERIAL',
    en: 'cannot open {path}: {reason}',
  },
  SERIAL_CLOSED: {
    code: 'DEVICE_SERIAL',
    en: '{path} was closed',
  },
  SERIAL_LOST: {
    code: 'DEVICE_SERIAL',
    en: '{path} went away ({reason}): trying again in {seconds} s',
  },
  SERIAL_SETTINGS: {
    code: 'DEVICE_SERIAL_SETTINGS',
    en: '{field} is {value}: {expected}',
  },
} as const satisfies MessageTable;

export type LineMessageId = keyof typeof LINE_MESSAGES;

/** A line a device sent that cannot be read, or settings that cannot read lines. */
export class LineFormatError extends SenfedError {
  constructor(
    messageId: LineMessageId,
    params: SentenceParams = {},
    options?: { cause?: unknown },
  ) {
    super(messageId, LINE_MESSAGES[messageId], params, options);
    this.name = 'LineFormatError';
  }
}
