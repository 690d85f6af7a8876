import {
  type ErrorParamValue,
  type Sentence,
  type SentenceParams,
  SenfedError,
  sentence,
} from '../errors';
import { FEDERATION_MESSAGES, type FederationDescriptionCode } from './messages';

/** A sentence of lib/federation. */
export type FederationMessageId = keyof typeof FEDERATION_MESSAGES;

type Spec<K extends FederationMessageId> = (typeof FEDERATION_MESSAGES)[K];

/** The sentences of one family (or of several), by their code. */
export type MessageIdOf<Code extends string> = {
  [K in FederationMessageId]: Spec<K>['code'] extends Code ? K : never;
}[FederationMessageId];

/** The words that name a value inside another sentence (see messages.ts). */
export type FederationTermId = MessageIdOf<FederationDescriptionCode>;

/**
 * A param of a federation sentence: a value, or a sentence of its own (the words
 * for a value, the reason inside a `{cause}`) that is translated with it.
 */
export type FederationParamValue = ErrorParamValue | Sentence;
export type FederationParams = SentenceParams;

/** A sentence whose params were partly sentences (see lib/errors.ts). */
export type ComposedSentence = Sentence;

type Placeholders<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? Name | Placeholders<Rest>
  : never;

/** The params a template names; its `{cause}` may instead come from the cause error, given as an option. */
type Named<K extends FederationMessageId> = Exclude<Placeholders<Spec<K>['en']>, 'cause'>;

/** The params of a sentence: every one its template names, and any other the caller keeps with it. */
export type ParamsOf<K extends FederationMessageId> = {
  readonly [P in Named<K>]: FederationParamValue;
} & FederationParams;

/**
 * The arguments of a sentence of these messageIds: the messageId, the params its
 * template needs (optional when it needs none), then the options. TypeScript
 * checks the messageId, and that no param of its template is missing.
 */
export type MessageArgs<Ids extends FederationMessageId, Options> = {
  [K in Ids]: [Named<K>] extends [never]
    ? [messageId: K, params?: FederationParams, options?: Options]
    : [messageId: K, params: ParamsOf<K>, options?: Options];
}[Ids];

/** A sentence of lib/federation that is reported, not thrown (a session's state, the words for a value). */
export function federationSentence(
  ...[messageId, params]: MessageArgs<FederationMessageId, never>
): ComposedSentence {
  return sentence(messageId, FEDERATION_MESSAGES[messageId], params);
}

/** The words of a term; its params are not checked here, the term being known only when this runs. */
export function termSentence(
  term: FederationTermId,
  params: Readonly<Record<string, ErrorParamValue>> = {},
): Sentence {
  return sentence(term, FEDERATION_MESSAGES[term], params);
}

/**
 * The base of the errors of lib/federation: the sentence of `messageId`, its
 * params (sentences among them said in English in `message` and kept in `parts`).
 */
export abstract class FederationBaseError extends SenfedError {
  constructor(
    messageId: FederationMessageId,
    params: FederationParams | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(
      messageId,
      FEDERATION_MESSAGES[messageId],
      params,
      options.cause === undefined ? {} : { cause: options.cause },
    );
  }
}

/**
 * The error type of SenFed's stanza builders and parsers: a stable `code` for
 * programs and a message for people that says what was wrong and where.
 *
 * - FEDERATION_INPUT: a builder was given something it cannot put in a stanza
 *   (an empty node name, a time without a UTC offset, a meta key that is not an
 *   XML name, a character XML cannot carry), or a setting that cannot work (a
 *   backoff that never waits).
 * - FEDERATION_MALFORMED: a stanza that was received is of the kind the parser
 *   reads but breaks its protocol (a Quoalise element without data, a PubSub event
 *   without a node, an unknown subscription state). Stanzas of another kind are not
 *   errors: parsers answer `undefined` for them.
 * - FEDERATION_LIMIT: a received element is past a safety limit (meta nested too
 *   deeply, or too large).
 *
 * A SenmlError met while reading SenML inside a stanza is kept as `cause`.
 */
export type FederationErrorCode = 'FEDERATION_INPUT' | 'FEDERATION_MALFORMED' | 'FEDERATION_LIMIT';

export class FederationError extends FederationBaseError {
  declare readonly code: FederationErrorCode;

  constructor(
    ...[messageId, params, options]: MessageArgs<
      MessageIdOf<FederationErrorCode>,
      { cause?: unknown }
    >
  ) {
    super(messageId, params, options);
    this.name = 'FederationError';
  }
}
