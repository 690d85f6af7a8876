import { SenmlError } from './errors';

/**
 * RFC 8428 §4.5.1: a concatenated name consists of A-Z a-z 0-9 - : . / _ and starts
 * with a letter or a digit.
 */
const NAME = /^[A-Za-z0-9][-:./_A-Za-z0-9]*$/;

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export function checkName(name: string, index: number): void {
  if (NAME.test(name)) return;
  let why: string;
  if (name.length === 0) why = 'the record has no name: give it "n", or a base name "bn" before it';
  else if (!/^[A-Za-z0-9]/.test(name)) why = `name ${JSON.stringify(name)} must start with a letter or a digit`;
  else {
    const bad = [...name].find((c) => !/[-:./_A-Za-z0-9]/.test(c)) ?? '';
    why = `name ${JSON.stringify(name)} contains ${JSON.stringify(bad)}; only letters, digits and - : . / _ are allowed`;
  }
  throw new SenmlError('SENML_NAME', `${why} (RFC 8428 §4.5.1)`, { index, field: 'n' });
}
