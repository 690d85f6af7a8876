import { compact } from './compact';
import { type SenmlFormat, serialise } from './formats';
import type { SenmlRecord } from './model';
import type { SenmlError } from './errors';
import type { NoteListener } from './notes';
import { resolve } from './resolve';

export interface EncodeOptions {
  /** 'json' (default), 'cbor' or 'xml'. */
  format?: SenmlFormat;
  /** Choose base fields to make the pack small (default true); false writes resolved records. */
  compact?: boolean;
  /** As in decode: false accepts units outside the registries. Default true. */
  strict?: boolean;
  /** Called, with strict false, for every record left out. */
  onSkip?: (error: SenmlError) => void;
  /** Called for each field set aside (RFC 8428 §4.4): not written to the encoded pack. */
  onNote?: NoteListener;
}

/**
 * Encode a pack. The input is checked and resolved first, so a pack that already
 * has base fields is accepted too; relative times stay relative. A pack that
 * uses a secondary unit (Wh, kWh…) without a version is given version 26, as
 * RFC 9100 §4 wants of it.
 */
export function encode(pack: unknown, options: EncodeOptions = {}): string | Buffer {
  const onNote = options.onNote;
  const records = resolve(pack, {
    relativeTimes: 'keep',
    strict: options.strict !== false,
    onSkip: options.onSkip,
    secondaryUnits: 'accept',
    // Declaring the feature is what the sender should do: nothing to tell.
    onNote: onNote && ((note) => note.code !== 'SENML_UNDECLARED_SECONDARY_UNIT' && onNote(note)),
  });
  const out: SenmlRecord[] = options.compact === false ? records : compact(records);
  return serialise(out, options.format ?? 'json');
}
