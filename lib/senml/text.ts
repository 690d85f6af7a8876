import { SenmlError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** SenML's JSON and XML forms are UTF-8 only (RFC 8428 §5, §7). */
export function decodeUtf8(bytes: Uint8Array, format: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new SenmlError('SENML_UTF8_INVALID', { format });
  }
}
