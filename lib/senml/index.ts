/** SenML (RFC 8428, with RFC 8798 units and RFC 9100 versions): the core SenFed builds on. */
export { SenmlError, type SenmlErrorCode, shortMessage } from './errors';
export type { SenmlMessageId, SenmlErrorMessageId, SenmlNoteMessageId } from './messages';
export type { SenmlNote, SenmlNoteCode, NoteListener } from './notes';
export type { SenmlRecord, ResolvedRecord, SenmlPack, ResolvedPack } from './model';
export { RELATIVE_TIME_LIMIT } from './model';
export { CBOR_KEY, XML_TYPE, BASE_LABELS, REGULAR_LABELS } from './labels';
export { isValidName } from './names';
export {
  BASE_VERSION,
  VERSION_WITH_SECONDARY_UNITS,
  FEATURE_SECONDARY_UNITS,
  checkVersion,
  featureCodes,
} from './versions';
export {
  PRIMARY_UNITS,
  SECONDARY_UNITS,
  type PrimaryUnit,
  type UnitConversion,
  conversionFor,
  convertValue,
  isPrimaryUnit,
  isSecondaryUnit,
} from './units';
export { SENML_PACK_SCHEMA, SENML_RECORD_SCHEMA } from './schema';
export { validatePack } from './validate';
export { resolve, type ResolveOptions } from './resolve';
export { compact, type CompactOptions } from './compact';
export { parseJson, toJson } from './json';
export { parseCbor, toCbor } from './cbor';
export { parseXml, toXml, toXmlElement, recordsFromElement, SENML_XML_NAMESPACE } from './xml';
export {
  detectFormat,
  parse,
  serialise,
  MEDIA_TYPES,
  SENML_FORMATS,
  type SenmlFormat,
} from './formats';
export { decode, type DecodeOptions } from './decode';
export { encode, type EncodeOptions } from './encode';
export { fromSimpleObject, isSimpleObject, type SimpleOptions } from './simple';
