/** Data values travel as base64url without padding (RFC 8428 §4.3, RFC 4648 §5). */
export function bytesToBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function base64urlToBytes(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}
