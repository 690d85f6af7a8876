import type { Sentence } from '../errors';

/**
 * A value read from the wire that no SenML field can hold (CBOR undefined, a
 * tagged item, a nested map...). It stands in the record in place of the value,
 * so that validation refuses it and the error can name what arrived: no
 * enumerable field of its own, so it is never mistaken for a record's fields.
 */
export class UnusableValue {
  readonly #description: Sentence;

  constructor(description: Sentence) {
    this.#description = description;
  }

  /** The words for what arrived ("CBOR undefined"), to translate with the error that names it. */
  get description(): Sentence {
    return this.#description;
  }
}
