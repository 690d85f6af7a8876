import { SenfedError, type Sentence } from '../errors';
import { SENML_MESSAGES, type SenmlErrorMessageId } from './messages';
import { type SenmlParams, senmlSentence } from './sentences';
import { UnusableValue } from './unusable';

/**
 * The one error type of SenFed's SenML core: a stable `code` for programs and
 * a message for people, naming the record index and field where there is one.
 */
export type SenmlErrorCode =
  | 'SENML_SYNTAX' // the bytes are not JSON / CBOR / XML at all
  | 'SENML_SHAPE' // not a pack: not an array, a record that is not an object
  | 'SENML_TYPE' // a field has the wrong type
  | 'SENML_NAME' // a name breaks RFC 8428 §4.5.1
  | 'SENML_VALUE' // zero or several values in a record
  | 'SENML_NUMBER' // NaN, Infinity, or a number out of range
  | 'SENML_VERSION' // bver asks for features we do not implement
  | 'SENML_MUST_UNDERSTAND' // a field ending in '_' (RFC 8428 §4.4)
  | 'SENML_UNIT' // a unit that is not registered or not allowed here
  | 'SENML_FORMAT' // unknown or undetectable format, bad option
  | 'SENML_INPUT'; // the input given to encode/decode is not usable

/** Where in the pack as received: the record's index and the field's SenML label. */
export interface SenmlPlace {
  index?: number;
  field?: string;
}

export class SenmlError extends SenfedError {
  declare readonly code: SenmlErrorCode;
  /** Index of the offending record in the pack as received, if any. */
  readonly index?: number;
  /** SenML label of the offending field, if any. */
  readonly field?: string;
  constructor(
    messageId: SenmlErrorMessageId,
    params: SenmlParams = {},
    where: SenmlPlace & { cause?: unknown } = {},
  ) {
    const place =
      where.index === undefined ? undefined : { record: where.index, field: where.field };
    super(messageId, SENML_MESSAGES[messageId], params, { cause: where.cause, place });
    this.name = 'SenmlError';
    if (where.index !== undefined) this.index = where.index;
    if (where.field !== undefined) this.field = where.field;
  }
}

/** A short form of an error, for a node's status text. */
export function shortMessage(err: unknown, max = 40): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Render any value briefly inside an error message: a literal as JSON writes it
 * (a text shortened), or the words for what it is ("a list"), as a sentence a
 * translation says in its own words.
 */
export function describe(value: unknown): string | Sentence {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 39)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (typeof value === 'bigint') return `${value}`;
  if (value === undefined) return senmlSentence('SENML_KIND_NOTHING');
  if (Array.isArray(value)) return senmlSentence('SENML_KIND_LIST');
  if (value instanceof Uint8Array) return senmlSentence('SENML_KIND_BINARY');
  if (value instanceof UnusableValue) return value.description;
  if (value instanceof Map) return senmlSentence('SENML_KIND_MAP');
  if (value instanceof Set) return senmlSentence('SENML_KIND_SET');
  if (value instanceof Date) return senmlSentence('SENML_KIND_DATE');
  return senmlSentence('SENML_KIND_OBJECT');
}
