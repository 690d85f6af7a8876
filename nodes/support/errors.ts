import { SenfedError, isSentence, type ErrorParamValue } from '../../lib/errors';

/** Node-RED's `RED._`: the text of a catalogue key, or the key itself when there is none. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * What the library said (an error, a note, a session state), in the runtime's
 * language: the catalogue's `errors.<messageId>` with its params (an error's cause
 * and the sentences its params were made of translated too, and its place in the
 * pack), or the library's English message
 * when the catalogue has no such sentence.
 */
export function errorText(translate: Translate, err: unknown): string {
  if (!isSentence(err)) return err instanceof Error ? err.message : String(err);
  const params: Record<string, ErrorParamValue> = { ...err.params };
  const cause = (err as { cause?: unknown }).cause;
  if (isSentence(cause) && params.cause !== undefined) params.cause = errorText(translate, cause);
  // Params made of a sentence of their own ("a list", "CBOR undefined") are said in the same language.
  for (const [name, part] of Object.entries(err.parts ?? {}))
    if (isSentence(part) && params[name] !== undefined) params[name] = errorText(translate, part);
  const text = sentence(translate, err.messageId, params);
  if (text === undefined) return err.message;
  if (params.record === undefined) return text;
  return (
    sentence(translate, params.field === undefined ? 'AT_RECORD' : 'AT_RECORD_FIELD', {
      ...params,
      message: text,
    }) ?? text
  );
}

/**
 * The error to hand to `done()`: its message in the runtime's language, and the
 * library's `code`, `messageId` and `params` kept, so that a Catch node's flow
 * can tell errors apart without reading the sentence.
 */
export function localError(translate: Translate, err: unknown): Error {
  if (!(err instanceof SenfedError)) return err instanceof Error ? err : new Error(String(err));
  const local = new Error(errorText(translate, err), { cause: err });
  local.name = err.name;
  return Object.assign(local, { code: err.code, messageId: err.messageId, params: err.params });
}

function sentence(
  translate: Translate,
  id: string,
  params: Record<string, ErrorParamValue>,
): string | undefined {
  const key = `errors.${id}`;
  const text = translate(key, params);
  return typeof text !== 'string' || text === key || text.endsWith(`:${key}`) ? undefined : text;
}
