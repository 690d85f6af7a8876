import { type ErrorParamValue, type ErrorPlace, type Sentence, sentence } from '../errors';
import { SENML_MESSAGES, type SenmlMessageId } from './messages';

/**
 * A param of a SenML sentence: a value, or a sentence of its own ("a list",
 * "CBOR tag 259 around an integer") that is translated with the sentence.
 */
export type SenmlParamValue = ErrorParamValue | Sentence;
export type SenmlParams = Readonly<Record<string, SenmlParamValue>>;

/**
 * What a sentence's params were made of when some were sentences: `params` holds
 * their English message (so that the English message stays one string), `parts`
 * the sentences themselves, by param name, for the nodes to translate.
 */
export interface ComposedSentence extends Sentence {
  readonly parts?: Readonly<Record<string, Sentence>>;
}

export function splitParams(params: SenmlParams): { values: Record<string, ErrorParamValue>; parts: Record<string, Sentence> | undefined } {
  const values: Record<string, ErrorParamValue> = {};
  let parts: Record<string, Sentence> | undefined;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'object') {
      values[name] = value.message;
      (parts ??= {})[name] = value;
    } else values[name] = value;
  }
  return { values, parts };
}

/** A sentence of lib/senml that is not an error: a note, or the words for a value. */
export function senmlSentence(messageId: SenmlMessageId, params: SenmlParams = {}, place?: ErrorPlace): ComposedSentence {
  const { values, parts } = splitParams(params);
  const said = sentence(messageId, SENML_MESSAGES[messageId], values, place);
  return parts === undefined ? said : { ...said, parts };
}
