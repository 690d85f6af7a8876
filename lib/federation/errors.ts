/**
 * The error type of SenFed's stanza builders and parsers: a stable `code` for
 * programs and a message for people that says what was wrong and where.
 *
 * - FEDERATION_INPUT: a builder was given something it cannot put in a stanza
 *   (an empty node name, a time without a UTC offset, a meta key that is not an
 *   XML name, a character XML cannot carry).
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

export class FederationError extends Error {
  readonly code: FederationErrorCode;

  constructor(code: FederationErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FederationError';
    this.code = code;
  }
}
