import { type ErrorPlace, type Sentence, type SentenceParams, sentence } from '../errors';
import { SENML_MESSAGES, type SenmlMessageId } from './messages';

/**
 * A param of a SenML sentence: a value, or a sentence of its own ("a list",
 * "CBOR tag 259 around an integer") that is translated with the sentence.
 */
export type SenmlParams = SentenceParams;

/** A sentence whose params were partly sentences (see lib/errors.ts). */
export type ComposedSentence = Sentence;

/** A sentence of lib/senml that is not an error: a note, or the words for a value. */
export function senmlSentence(
  messageId: SenmlMessageId,
  params: SenmlParams = {},
  place?: ErrorPlace,
): ComposedSentence {
  return sentence(messageId, SENML_MESSAGES[messageId], params, place);
}
