/** What keeps a value from having a canonical JSON form. */
export type CanonicalProblem =
  { kind: 'too-deep' } | { kind: 'not-finite'; value: string } | { kind: 'not-json'; type: string };

/** How deep a value may nest: packs and audit entries are two or three levels. */
const MAX_DEPTH = 32;

/**
 * A canonical JSON form: keys sorted at every depth, fields left undefined
 * omitted, no whitespace, numbers and strings as JSON.stringify writes them
 * (JavaScript's shortest round-trip form). The same value gives the same text,
 * whatever the order its keys were set in: what item ids and audit digests hash.
 * `fail` says, in the caller's own error, why a value has no such form.
 */
export function canonicalJson(value: unknown, fail: (problem: CanonicalProblem) => never): string {
  return write(value, 0, fail);
}

function write(value: unknown, depth: number, fail: (problem: CanonicalProblem) => never): string {
  if (depth > MAX_DEPTH) return fail({ kind: 'too-deep' });
  if (value === null || typeof value === 'boolean' || typeof value === 'string')
    return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail({ kind: 'not-finite', value: String(value) });
    return JSON.stringify(value);
  }
  // Plain loops and one string: this runs for every pack published.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++)
      out += (i === 0 ? '' : ',') + write(value[i], depth + 1, fail);
    return `${out}]`;
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    let out = '{';
    for (const key of keys) {
      const field = record[key];
      if (field === undefined) continue;
      out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${write(field, depth + 1, fail)}`;
    }
    return `${out}}`;
  }
  return fail({ kind: 'not-json', type: typeof value });
}
