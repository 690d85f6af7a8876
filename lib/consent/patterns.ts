import { ConsentError } from './errors';

/**
 * SenML name patterns over a resolved record's `n` (RFC 8428 §4.5.1): a pattern
 * holding `*` is a glob over the whole name, where `*` matches any run of
 * characters (`:` and `/` included, none at all too); any other pattern is a
 * prefix, so that `urn:dev:mac:0024befffe804ff1:` covers every name of that meter.
 */
export type NameMatcher = (name: string) => boolean;

/** The pattern itself when it is one, or a ConsentError. */
export function validateNamePattern(pattern: unknown): string {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new ConsentError('CONSENT_PATTERN_INVALID', { got: describeValue(pattern) });
  }
  return pattern;
}

const NOTHING: NameMatcher = () => false;

/** One test for a list of patterns: a name is covered when any pattern covers it. None covers nothing. */
export function compileNamePatterns(patterns: readonly string[]): NameMatcher {
  const prefixes: string[] = [];
  const globs: string[] = [];
  for (const pattern of patterns) {
    validateNamePattern(pattern);
    if (pattern.includes('*')) globs.push(globSource(pattern));
    else prefixes.push(pattern);
  }
  if (prefixes.length === 0 && globs.length === 0) return NOTHING;
  // One regular expression for all the globs: one pass over the name, however many there are.
  const glob = globs.length === 0 ? undefined : new RegExp(`^(?:${globs.join('|')})$`, 's');
  if (glob === undefined && prefixes.length === 1) {
    const [prefix] = prefixes;
    return (name) => name.startsWith(prefix);
  }
  return (name) => {
    for (const prefix of prefixes) if (name.startsWith(prefix)) return true;
    return glob !== undefined && glob.test(name);
  };
}

function globSource(pattern: string): string {
  return pattern
    .split('*')
    .map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
}

/** A value as it reads in JSON, short enough for a message. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
