/**
 * Base64 as gateways write it: padding optional, the URL-safe `-` and `_` taken
 * for `+` and `/` (PROTOCOL.TXT's own first rxpk example has both). Undefined
 * when the text is not base64.
 */
export function lenientBase64(text: string): Buffer | undefined {
  const standard = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(standard) || standard.length % 4 === 1) return undefined;
  return Buffer.from(standard, 'base64');
}
