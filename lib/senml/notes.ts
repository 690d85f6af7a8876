/**
 * Something a decoder did with a pack that the user should know of, although
 * the pack was used: a field ignored as RFC 8428 §4.4 asks, for instance.
 * Notes never replace errors; they say what was set aside.
 */
export type SenmlNoteCode =
  | 'SENML_IGNORED_FIELD' // an unrecognised field whose value SenML cannot carry, or an undefined CBOR label
  | 'SENML_UNDECLARED_SECONDARY_UNIT'; // a secondary unit in a pack without the Secondary Units feature, accepted

export interface SenmlNote {
  code: SenmlNoteCode;
  message: string;
  /** Index of the record in the pack as received. */
  index?: number;
  /** The field's label as it arrived. */
  field?: string;
}

export type NoteListener = (note: SenmlNote) => void;
