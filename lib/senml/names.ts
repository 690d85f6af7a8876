import { SenmlError } from './errors';

/**
 * RFC 8428 §4.5.1: a concatenated name consists of A-Z a-z 0-9 - : . / _ and starts
 * with a letter or a digit.
 */
const NAME = /^[A-Za-z0-9][-:./_A-Za-z0-9]*$/;

// 2: may start a name (letters, digits); 1: may follow; 0: not allowed.
const NAME_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9]/.test(ch)) NAME_CHARS[c] = 2;
  else if (/[-:./_]/.test(ch)) NAME_CHARS[c] = 1;
}

/**
 * Whether base name + name is a valid name, looking at the two parts as they
 * are (no concatenated string is built): true answers exactly as isValidName
 * on the concatenation would; on false, call checkName for the error.
 */
export function isValidNameParts(bn: string, n: string, bnCharsValid = allNameChars(bn)): boolean {
  const first = bn.length > 0 ? bn.charCodeAt(0) : n.charCodeAt(0);
  if (!(first < 128 && NAME_CHARS[first] === 2)) return false;
  return bnCharsValid && allNameChars(n);
}

/** Every character may appear in a name (anywhere but first). Checked once per base name by resolve. */
export function allNameChars(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c >= 128 || NAME_CHARS[c] === 0) return false;
  }
  return true;
}

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export function checkName(name: string, index: number): void {
  if (NAME.test(name)) return;
  const where = { index, field: 'n' };
  if (name.length === 0) throw new SenmlError('SENML_NAME_MISSING', {}, where);
  if (!/^[A-Za-z0-9]/.test(name))
    throw new SenmlError('SENML_NAME_START', { name: JSON.stringify(name) }, where);
  const bad = [...name].find((c) => !/[-:./_A-Za-z0-9]/.test(c)) ?? '';
  throw new SenmlError(
    'SENML_NAME_CHARACTER',
    { name: JSON.stringify(name), character: JSON.stringify(bad) },
    where,
  );
}
