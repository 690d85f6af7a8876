import type { Node, NodeStatus } from 'node-red';
import { senml } from '../../lib';
import { errorText, localError, type Translate } from './errors';

/**
 * Show the last error on the status dot, shortened, and hand it to done() so a
 * Catch node sees it; both in the runtime's language.
 */
export function reportError(
  translate: Translate,
  node: Node,
  done: (err?: Error) => void,
  err: unknown,
): void {
  const local = localError(translate, err);
  node.status({
    fill: 'red',
    shape: 'ring',
    text: senml.shortMessage(local.message),
  } satisfies NodeStatus);
  done(local);
}

/** Media type → SenML format, for messages from http in, MQTT v5 or another encode node. */
export function formatFromContentType(contentType: unknown): senml.SenmlFormat | undefined {
  if (typeof contentType !== 'string') return undefined;
  const type = contentType.split(';')[0].trim().toLowerCase();
  for (const format of senml.SENML_FORMATS) {
    const media = senml.MEDIA_TYPES[format];
    // application/senml+json and application/sensml+json alike (RFC 8428 §12.3)
    if (type === media || type === media.replace('senml', 'sensml')) return format;
  }
  return undefined;
}

/**
 * In lenient mode, list the records left out on the message and warn once;
 * `warning` frames the first one's sentence, given in the runtime's language.
 */
export function reportSkipped(
  translate: Translate,
  node: Node,
  msg: object,
  skipped: readonly senml.SenmlError[],
  warning: (first: string) => string,
): void {
  if (skipped.length === 0) return;
  (msg as Record<string, unknown>).senmlSkipped = skipped.map(
    ({ index, field, code, messageId, params, message }) => ({
      index,
      field,
      code,
      messageId,
      params,
      message,
    }),
  );
  node.warn(warning(errorText(translate, skipped[0])));
}

/**
 * Fields set aside from a pack that was used (RFC 8428 §4.4): listed on the message
 * in msg.senmlNotes, and told once per kind of note and field in the node's life,
 * so that a stream of such packs does not flood the debug sidebar. `warning`
 * frames the note's sentence, given in the runtime's language.
 */
export function reportNotes(
  translate: Translate,
  node: Node,
  msg: object,
  notes: readonly senml.SenmlNote[],
  told: Set<string>,
  warning: (note: string) => string,
): void {
  if (notes.length === 0) return;
  (msg as Record<string, unknown>).senmlNotes = notes.map(
    ({ index, field, code, messageId, params, message }) => ({
      index,
      field,
      code,
      messageId,
      params,
      message,
    }),
  );
  for (const note of notes) {
    const kind = `${note.code} ${note.field ?? ''}`;
    if (told.has(kind)) continue;
    told.add(kind);
    node.warn(warning(errorText(translate, note)));
  }
}
