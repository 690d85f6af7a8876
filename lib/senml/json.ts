import { SenmlError } from './errors';
import type { SenmlRecord } from './model';
import { decodeUtf8 } from './text';

/** Parse application/senml+json text or bytes (RFC 8428 §5) into records in JSON form, unchecked. */
export function parseJson(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : decodeUtf8(input, 'JSON');
  try {
    return JSON.parse(text);
  } catch (err) {
    // The parser's own reason is the cause: the runtime says it in English.
    throw new SenmlError('SENML_JSON_INVALID', {}, { cause: err });
  }
}

/**
 * Serialise records as application/senml+json. Numbers come out as JavaScript
 * writes them: shortest round-trip form, lower-case "e" (§5 asks for it).
 */
export function toJson(records: readonly SenmlRecord[]): string {
  return JSON.stringify(records);
}
