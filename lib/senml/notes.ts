import type { Sentence } from '../errors';
import { SENML_MESSAGES, type SenmlNoteMessageId } from './messages';
import { type SenmlParams, senmlSentence } from './sentences';

/**
 * Something a decoder did with a pack that the user should know of, although
 * the pack was used: a field ignored as RFC 8428 §4.4 asks, for instance.
 * Notes never replace errors; they say what was set aside.
 */
export type SenmlNoteCode =
  | 'SENML_IGNORED_FIELD' // an unrecognised field whose value SenML cannot carry, or an undefined CBOR label
  | 'SENML_UNDECLARED_SECONDARY_UNIT'; // a secondary unit in a pack without the Secondary Units feature, accepted

export interface SenmlNote extends Sentence {
  readonly code: SenmlNoteCode;
  /** Index of the record in the pack as received. */
  readonly index?: number;
  /** The field's label as it arrived. */
  readonly field?: string;
  /** The sentences some params were made of ("an object"), for a translation to say them too. */
  readonly parts?: Readonly<Record<string, Sentence>>;
}

export type NoteListener = (note: SenmlNote) => void;

/** A note about a field of a record, its place framed around the sentence as an error's is. */
export function senmlNote(
  messageId: SenmlNoteMessageId,
  params: SenmlParams,
  where: { index?: number; field: string },
): SenmlNote {
  const said = senmlSentence(
    messageId,
    params,
    where.index === undefined ? undefined : { record: where.index, field: where.field },
  );
  return { ...said, code: SENML_MESSAGES[messageId].code, index: where.index, field: where.field };
}
