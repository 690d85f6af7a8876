/**
 * Devices in: a device's bytes or lines as readings named relative to the
 * device, in SenML units, then a pack under its base name. Cayenne LPP, packed
 * structs described by a field schema, The Things Stack / ChirpStack uplink
 * decoder scripts, the line formats of a board on a serial port, and the serial
 * connection (given a port: serialport is never imported here).
 */
export { type DeviceReading, isReadingName, objectReadings, sanitizeReadingName } from './readings';
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
export {
  LINE_FORMATS,
  type LineFormat,
  type LineFormatOptions,
  type ReadLine,
  parseLine,
} from './line-formats';
export { LINE_MESSAGES, LineFormatError, type LineMessageId } from './line-messages';
export { type FieldSpec, parseFieldSpecs, readingsPack } from './pack';
export {
  type OpenSerialPort,
  SerialConnection,
  type SerialConnectionOptions,
  type SerialPortLike,
  type SerialSettings,
  type SerialState,
  type SerialStateChange,
} from './serial-connection';
export { LORA_MESSAGES, LoraError, type LoraMessageId } from './lora-messages';
export {
  type JoinAcceptFrame,
  type JoinRequestFrame,
  type LoraDeviceKeys,
  type LoraSession,
  MAX_FCNT_GAP,
  type UplinkFrame,
  hexField,
  readFrame,
  readPhyPayload,
} from './lorawan';
export {
  type NetworkUplink,
  type UplinkSource,
  readNetworkUplink,
  uplinkSource,
} from './network-uplink';
export { lenientBase64 } from './lenient-base64';
export { type GatewayDatagram, ackFor, parseDatagram } from './semtech-udp';
