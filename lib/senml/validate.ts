import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { SenmlError, describe } from './errors';
import type { SenmlErrorMessageId } from './messages';
import { SENML_PACK_SCHEMA, SENML_RECORD_SCHEMA } from './schema';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
ajv.addFormat('senml-base64url', { type: 'string', validate: isBase64url });
ajv.addSchema(SENML_RECORD_SCHEMA);
const validatePackSchema: ValidateFunction = ajv.compile(SENML_PACK_SCHEMA);
const validateRecordSchema: ValidateFunction = ajv.getSchema('urn:senfed:senml-record')!;

/** The sentence for a field of the wrong JSON type, by the type the schema asks for. */
const TYPE_MESSAGES: Readonly<Record<string, SenmlErrorMessageId>> = {
  number: 'SENML_TYPE_NUMBER',
  integer: 'SENML_TYPE_INTEGER',
  string: 'SENML_TYPE_TEXT',
  boolean: 'SENML_TYPE_BOOLEAN',
};

/** Turn an ajv error on a pack into a SenmlError a maker can act on. */
function toSenmlError(error: ErrorObject, data: unknown, indexOffset: number): SenmlError {
  const path = error.instancePath.split('/').slice(1);
  if (path.length === 0 && indexOffset < 0) {
    if (error.keyword === 'type')
      return new SenmlError('SENML_PACK_NOT_LIST', { got: describe(data) });
    if (error.keyword === 'minItems') return new SenmlError('SENML_PACK_EMPTY');
  }
  const index = indexOffset < 0 ? Number(path.shift()) : indexOffset;
  const record = indexOffset < 0 ? (data as unknown[])[index] : data;
  const field = path[0] ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if (field === undefined)
    return new SenmlError('SENML_RECORD_NOT_OBJECT', { got: describe(record) }, { index });
  const value = (record as Record<string, unknown>)[field];
  const got = describe(value);
  switch (error.keyword) {
    case 'false schema':
      return new SenmlError('SENML_MUST_UNDERSTAND_FIELD', { field }, { index, field });
    case 'type': {
      if (typeof value === 'number' && !Number.isFinite(value))
        return new SenmlError(
          'SENML_NUMBER_NOT_FINITE',
          { value: String(value) },
          { index, field },
        );
      const messageId = TYPE_MESSAGES[String(error.params.type)];
      if (messageId !== undefined) return new SenmlError(messageId, { got }, { index, field });
      break;
    }
    case 'format':
      return new SenmlError('SENML_TYPE_BASE64URL', { got }, { index, field });
    case 'minimum':
    case 'maximum': {
      const limit = Number(error.params.limit);
      if (field === 'bver')
        return new SenmlError(
          error.keyword === 'minimum'
            ? 'SENML_VERSION_BELOW_MINIMUM'
            : 'SENML_VERSION_ABOVE_MAXIMUM',
          { limit, got },
          { index, field },
        );
      return new SenmlError(
        error.keyword === 'minimum' ? 'SENML_NUMBER_BELOW_MINIMUM' : 'SENML_NUMBER_ABOVE_MAXIMUM',
        { limit, got },
        { index, field },
      );
    }
  }
  // A rule the schema does not use today: named by its JSON Schema keyword.
  return new SenmlError('SENML_SCHEMA_RULE', { rule: error.keyword, got }, { index, field });
}

// 1: a character of the base64url alphabet (RFC 4648 §5).
const BASE64URL_CHARS = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_')
  BASE64URL_CHARS[c.charCodeAt(0)] = 1;

/** base64url without padding: alphabet characters only, and no length of 4k + 1 (a lone 6 bits). */
export function isBase64url(text: string): boolean {
  if (text.length % 4 === 1) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || BASE64URL_CHARS[c] === 0) return false;
  }
  return true;
}

/**
 * The schema of SENML_RECORD_SCHEMA written out by hand for the common case: true
 * only when the record is certainly valid. Anything unusual (undefined values,
 * a label ending in "_", a wrong type) answers false and goes to ajv, which then
 * gives the verdict and the error exactly as before.
 */
export function plainRecord(record: unknown): boolean {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const r = record as Record<string, unknown>;
  for (const key in r) {
    const value = r[key];
    switch (key) {
      case 'bn':
      case 'bu':
      case 'n':
      case 'u':
      case 'vs':
        if (typeof value !== 'string') return false;
        break;
      case 'bt':
      case 'bv':
      case 'bs':
      case 'v':
      case 's':
      case 't':
        if (typeof value !== 'number' || !Number.isFinite(value)) return false;
        break;
      case 'ut':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return false;
        break;
      case 'vb':
        if (typeof value !== 'boolean') return false;
        break;
      case 'bver':
        if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) return false;
        break;
      case 'vd':
        if (typeof value !== 'string' || !isBase64url(value)) return false;
        break;
      case 'bct':
      case 'ct':
      case 'vlo':
        if (typeof value !== 'string') return false;
        break;
      default:
        if (key.charCodeAt(key.length - 1) === 95 /* _ */) return false;
    }
  }
  return true;
}

/** Throws the first schema violation of a pack (JSON form), or returns it as a typed array. */
export function validatePack(data: unknown): asserts data is Record<string, unknown>[] {
  if (Array.isArray(data) && data.length > 0) {
    let i = 0;
    while (i < data.length && plainRecord(data[i])) i++;
    if (i === data.length) return;
  }
  if (!validatePackSchema(data)) throw toSenmlError(validatePackSchema.errors![0], data, -1);
}

/** The schema violation of one record, or undefined when the record is well formed. */
export function recordError(record: unknown, index: number): SenmlError | undefined {
  if (validateRecordSchema(record)) return undefined;
  return toSenmlError(validateRecordSchema.errors![0], record, index);
}

/** The ajv verdict alone, for tests that hold the fast check to it. */
export function schemaAccepts(record: unknown): boolean {
  return validateRecordSchema(record) === true;
}
