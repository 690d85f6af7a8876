/**
 * The one error type of the library. Every error SenFed throws or reports has
 *
 * - `code`: a stable family for programs and Catch nodes (`SENML_TYPE`, `XMPP_TLS`,
 *   `QUEUE_IO`, …), documented in README;
 * - `messageId`: the stable name of its sentence, the key of the nodes' catalogues
 *   (`errors.<messageId>` in en-US, fr and nl);
 * - `params`: the values the sentence is made of (`record`, `field`, `unit`, `jid`,
 *   `condition`, …);
 * - `message`: the English sentence built from the template and the params.
 *
 * Templates name their params in braces: `must be {expected}, got {got}`. A `{cause}`
 * placeholder holds the message of the error kept as `cause`, so that a translation
 * can translate the cause too. A param may itself be a sentence (the words for a
 * value: "a list", "PubSub node name"): `params` then holds its English message
 * and `parts` the sentence, for a translation to say it in its own words. The library never speaks of an editor or a node: what
 * to do in Node-RED is the node's to add.
 */
export type ErrorParamValue = string | number;
export type ErrorParams = Readonly<Record<string, ErrorParamValue>>;
/** What a sentence is made from: values, or sentences of their own (kept in `parts`). */
export type SentenceParams = Readonly<Record<string, ErrorParamValue | Sentence>>;

/** A sentence of the library: its family code and its English template. */
export interface MessageSpec {
  readonly code: string;
  readonly en: string;
}

/** The messages of one area of the library, by messageId. */
export type MessageTable = Readonly<Record<string, MessageSpec>>;

/** Where in a pack an error is: the record index as received, and the field's label. */
export interface ErrorPlace {
  record?: number;
  field?: string;
}

/**
 * The frame that names the place, around any message with a `record` param
 * (a `field` one too, for the second). `{message}` is the message itself.
 */
export const PLACE_MESSAGES = {
  AT_RECORD: { code: '', en: 'record {record}: {message}' },
  AT_RECORD_FIELD: { code: '', en: 'record {record}, field "{field}": {message}' },
} as const satisfies MessageTable;

/**
 * What the library says, as the nodes translate it: an error, or a note about a
 * pack that was used anyway (SenmlNote), or a session's state change.
 */
export interface Sentence {
  readonly code: string;
  readonly messageId: string;
  readonly params: ErrorParams;
  readonly message: string;
  /** The sentences some params were made of, by param name. */
  readonly parts?: Readonly<Record<string, Sentence>>;
}

export function isSentence(value: unknown): value is Sentence {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Sentence>;
  return (
    typeof v.messageId === 'string' &&
    typeof v.message === 'string' &&
    typeof v.params === 'object' &&
    v.params !== null
  );
}

/** A sentence made from its spec: the English message built from the template, framed by its place. */
export function sentence(
  messageId: string,
  spec: MessageSpec,
  params: SentenceParams = {},
  place?: ErrorPlace,
): Sentence {
  const { values, parts } = splitParams(params);
  const all = withPlace(values, place);
  const said = {
    code: spec.code,
    messageId,
    params: all,
    message: placeMessage(renderMessage(spec.en, all), all),
  };
  return parts === undefined ? said : { ...said, parts };
}

/** The params in English (a sentence among them by its message), and the sentences some were made of. */
export function splitParams(params: SentenceParams = {}): {
  values: Record<string, ErrorParamValue>;
  parts: Record<string, Sentence> | undefined;
} {
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

export class SenfedError extends Error implements Sentence {
  readonly code: string;
  readonly messageId: string;
  readonly params: ErrorParams;
  readonly parts?: Readonly<Record<string, Sentence>>;

  constructor(
    messageId: string,
    spec: MessageSpec,
    params: SentenceParams = {},
    options: { cause?: unknown; place?: ErrorPlace } = {},
  ) {
    const { values, parts } = splitParams(params);
    const all = withPlace(withCause(values, options.cause), options.place);
    super(
      placeMessage(renderMessage(spec.en, all), all),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'SenfedError';
    this.code = spec.code;
    this.messageId = messageId;
    this.params = all;
    if (parts !== undefined) this.parts = parts;
  }
}

/** The template with each `{name}` replaced by its param; an unknown name stays as written. */
export function renderMessage(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The names a template uses, sorted, once each. */
export function templatePlaceholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

/** The message framed by its place in the pack, when the params name one. */
export function placeMessage(message: string, params: ErrorParams): string {
  if (params.record === undefined) return message;
  const frame =
    params.field === undefined ? PLACE_MESSAGES.AT_RECORD : PLACE_MESSAGES.AT_RECORD_FIELD;
  return renderMessage(frame.en, { ...params, message });
}

function withCause(params: ErrorParams, cause: unknown): ErrorParams {
  if (cause === undefined || params.cause !== undefined) return params;
  return { ...params, cause: cause instanceof Error ? cause.message : String(cause) };
}

function withPlace(params: ErrorParams, place: ErrorPlace | undefined): ErrorParams {
  if (place?.record === undefined) return params;
  return place.field === undefined
    ? { ...params, record: place.record }
    : { ...params, record: place.record, field: place.field };
}
