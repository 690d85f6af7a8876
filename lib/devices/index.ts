/**
 * Device payload codecs: a device's bytes as readings named relative to the
 * device, in SenML units. Cayenne LPP, packed structs described by a field
 * schema, and The Things Stack / ChirpStack uplink decoder scripts.
 * (Not yet exported from the package's main entry: lib/index.ts does not list it.)
 */
export { type DeviceReading, isReadingName, sanitizeReadingName } from './readings';
export { DeviceError } from './errors';
export { DEVICE_MESSAGES, type DeviceMessageId } from './messages';
export { CAYENNE_LPP_TYPES, decodeCayenneLpp } from './cayenne-lpp';
export {
  type FieldSchema,
  type SchemaField,
  MAX_SKIP,
  decodeFields,
  parseFieldSchema,
} from './field-schema';
export {
  DEFAULT_UPLINK_TIMEOUT,
  MAX_UPLINK_TIMEOUT,
  type UplinkDecoder,
  type UplinkInput,
  type UplinkResult,
  type UplinkScriptOptions,
  compileUplinkScript,
} from './uplink-script';
