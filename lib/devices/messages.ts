import type { MessageTable } from '../errors';

/**
 * The sentences of lib/devices, by messageId: family code and English template.
 * Families: `DEVICE_BYTES` (what was given is not bytes), `DEVICE_LPP` (a Cayenne
 * LPP frame), `DEVICE_SCHEMA` (a field schema), `DEVICE_FRAME` (a frame read with
 * a field schema), `DEVICE_SCRIPT` (an uplink decoder script).
 */
export const DEVICE_MESSAGES = {
  DEVICE_BYTES_INVALID: {
    code: 'DEVICE_BYTES',
    en: 'a payload must be bytes (a Buffer or a Uint8Array), got {got}',
  },
  DEVICE_LPP_NO_TYPE: {
    code: 'DEVICE_LPP',
    en: 'Cayenne LPP byte {offset}: channel {channel} has no type byte after it; the frame is cut short',
  },
  DEVICE_LPP_TYPE_UNKNOWN: {
    code: 'DEVICE_LPP',
    en: 'Cayenne LPP byte {offset}: type {type} (channel {channel}) is not a Cayenne LPP type; the rest of the frame cannot be read',
  },
  DEVICE_LPP_TRUNCATED: {
    code: 'DEVICE_LPP',
    en: 'Cayenne LPP byte {offset}: {kind} (type {type}, channel {channel}) needs {needed} bytes of data, the frame has {left} left',
  },
  DEVICE_SCHEMA_NOT_TEXT: {
    code: 'DEVICE_SCHEMA',
    en: 'a field schema must be a text such as "temperature:int16le/100 Cel, battery:uint16le/1000 V", got {got}',
  },
  DEVICE_SCHEMA_EMPTY: {
    code: 'DEVICE_SCHEMA',
    en: 'a field schema needs at least one field, such as "temperature:int16le/100 Cel"',
  },
  DEVICE_SCHEMA_FIELD_SYNTAX: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field} "{text}" cannot be read: write [name:]type[/divisor] [unit], such as "temperature:int16le/100 Cel"',
  },
  DEVICE_SCHEMA_TYPE_UNKNOWN: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: "{type}" is not a field type; use one of {known}, or skipN for N bytes of padding',
  },
  DEVICE_SCHEMA_NAME_INVALID: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: the name "{name}" may only use the SenML name characters A-Z a-z 0-9 - : . / _',
  },
  DEVICE_SCHEMA_NAME_TAKEN: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: the name "{name}" is already the name of field {other}',
  },
  DEVICE_SCHEMA_DIVISOR_INVALID: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: the divisor "{divisor}" must be a number above 0, such as 100 or 0.5',
  },
  DEVICE_SCHEMA_UNIT_UNKNOWN: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: "{unit}" is not a unit of the SenML units registry',
  },
  DEVICE_SCHEMA_UNIT_SUGGEST: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: "{unit}" is not a unit of the SenML units registry; did you mean "{suggestion}"?',
  },
  DEVICE_SCHEMA_UNIT_PERCENT: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: "%" is a ratio from 0 to 1 in SenML, not a percentage; write /100 for a percentage, or %RH or %EL',
  },
  DEVICE_SCHEMA_SKIP_INVALID: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: padding "{text}" must be skipN with N from 1 to {max} bytes, and takes no name, divisor or unit',
  },
  DEVICE_SCHEMA_BOOL_SCALED: {
    code: 'DEVICE_SCHEMA',
    en: 'field {field}: a bool takes no divisor and no unit',
  },
  DEVICE_FRAME_SHORT: {
    code: 'DEVICE_FRAME',
    en: 'the frame has {got} bytes, too few for the schema, which reads {expected}',
  },
  DEVICE_FRAME_LONG: {
    code: 'DEVICE_FRAME',
    en: 'the frame has {got} bytes, too many for the schema, which reads {expected}',
  },
  DEVICE_FRAME_NOT_FINITE: {
    code: 'DEVICE_FRAME',
    en: 'field {field} "{name}": the value is {value}, which a SenML reading cannot carry',
  },
  DEVICE_SCRIPT_NOT_TEXT: {
    code: 'DEVICE_SCRIPT',
    en: 'an uplink decoder must be a JavaScript text, got {got}',
  },
  DEVICE_SCRIPT_TIMEOUT_INVALID: {
    code: 'DEVICE_SCRIPT',
    en: 'the time limit of an uplink decoder must be a whole number of milliseconds from 1 to {max}, got {got}',
  },
  DEVICE_SCRIPT_COMPILE: {
    code: 'DEVICE_SCRIPT',
    en: 'the uplink decoder is not valid JavaScript: {error}',
  },
  DEVICE_SCRIPT_LOAD_FAILED: {
    code: 'DEVICE_SCRIPT',
    en: 'the uplink decoder failed while it was loaded: {error}',
  },
  DEVICE_SCRIPT_LOAD_TIMEOUT: {
    code: 'DEVICE_SCRIPT',
    en: 'the uplink decoder was still running after {timeout} ms while it was loaded',
  },
  DEVICE_SCRIPT_NO_FUNCTION: {
    code: 'DEVICE_SCRIPT',
    en: 'the uplink decoder defines no function decodeUplink(input)',
  },
  DEVICE_SCRIPT_UNIT_UNKNOWN: {
    code: 'DEVICE_SCRIPT',
    en: 'the unit "{unit}" given for "{name}" is not a unit of the SenML units registry',
  },
  DEVICE_SCRIPT_UNIT_SUGGEST: {
    code: 'DEVICE_SCRIPT',
    en: 'the unit "{unit}" given for "{name}" is not a unit of the SenML units registry; did you mean "{suggestion}"?',
  },
  DEVICE_SCRIPT_UNIT_PERCENT: {
    code: 'DEVICE_SCRIPT',
    en: 'the unit "%" given for "{name}" is a ratio from 0 to 1 in SenML, not a percentage; write /100 for a percentage, or %RH or %EL',
  },
  DEVICE_SCRIPT_PORT_INVALID: {
    code: 'DEVICE_SCRIPT',
    en: 'fPort must be a whole number from 0 to 255, got {got}',
  },
  DEVICE_SCRIPT_BYTES_INVALID: {
    code: 'DEVICE_SCRIPT',
    en: 'the uplink bytes must be a Buffer, a Uint8Array or a list of whole numbers from 0 to 255, got {got}',
  },
  DEVICE_SCRIPT_STOPPED: {
    code: 'DEVICE_SCRIPT',
    en: "the decoder's thread stopped ({error}): it starts again for the next uplink",
  },
  DEVICE_SCRIPT_THREW: {
    code: 'DEVICE_SCRIPT',
    en: 'decodeUplink threw an error on fPort {fPort}: {error}',
  },
  DEVICE_SCRIPT_TIMEOUT: {
    code: 'DEVICE_SCRIPT',
    en: 'decodeUplink was still running after {timeout} ms on fPort {fPort} and was stopped',
  },
  DEVICE_SCRIPT_NOT_OBJECT: {
    code: 'DEVICE_SCRIPT',
    en: 'decodeUplink must return an object such as { data: { … } }, got {got}',
  },
  DEVICE_SCRIPT_UNREADABLE: {
    code: 'DEVICE_SCRIPT',
    en: 'what decodeUplink returned cannot be read as JSON: {error}',
  },
  DEVICE_SCRIPT_ERRORS: {
    code: 'DEVICE_SCRIPT',
    en: 'decodeUplink reported errors on fPort {fPort}: {errors}',
  },
  DEVICE_SCRIPT_NO_DATA: {
    code: 'DEVICE_SCRIPT',
    en: 'decodeUplink returned no data object, got {got}',
  },
  DEVICE_SCRIPT_NAME_CLASH: {
    code: 'DEVICE_SCRIPT',
    en: 'the data keys "{first}" and "{second}" both become the SenML name "{name}"',
  },
} as const satisfies MessageTable;

export type DeviceMessageId = keyof typeof DEVICE_MESSAGES;
