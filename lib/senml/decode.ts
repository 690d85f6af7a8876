import { type SenmlFormat, recordsOf } from './formats';
import type { ResolvedPack } from './model';
import { type ResolveOptions, resolve } from './resolve';

export interface DecodeOptions extends ResolveOptions {
  /** 'auto' (default) tells JSON, CBOR and XML apart from the first byte. */
  format?: SenmlFormat | 'auto';
}

/**
 * Decode a SenML pack into resolved records: JSON text, XML text, a Buffer of
 * JSON, CBOR or XML, an ltx <sensml> element, or records already parsed.
 */
export function decode(input: unknown, options: DecodeOptions = {}): ResolvedPack {
  return resolve(recordsOf(input, options.format ?? 'auto', options.onNote), options);
}
