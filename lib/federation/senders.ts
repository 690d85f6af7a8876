import { FederationError } from './errors';

/**
 * Who may push data to an account: a list of bare JIDs (bob@sen2.test) and
 * domains (sen2.test: any account of that domain, and the domain itself), or
 * "*" for anyone. An empty list accepts nobody.
 */
export class SenderList {
  readonly #jids = new Set<string>();
  readonly #domains = new Set<string>();
  readonly #anyone: boolean;

  private constructor(entries: readonly string[]) {
    this.#anyone = entries.includes('*');
    for (const entry of entries) {
      if (entry === '*') continue;
      if (entry.includes('@')) this.#jids.add(entry);
      else this.#domains.add(entry);
    }
  }

  /** Entries separated by commas, spaces or line ends; JIDs and domains compared without case (RFC 7622 keeps it simple for ASCII). */
  static parse(text: string | readonly string[] | undefined): SenderList {
    const raw = typeof text === 'string' ? text.split(/[\s,]+/) : [...(text ?? [])];
    const entries: string[] = [];
    for (const item of raw) {
      const entry = item.trim().toLowerCase();
      if (entry === '') continue;
      if (entry !== '*' && !/^(?:[^@/\s"&'<>:]+@)?[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?$/.test(entry)) {
        throw new FederationError('FEDERATION_SENDER_INVALID', { entry: item.trim() });
      }
      entries.push(entry);
    }
    return new SenderList(entries);
  }

  static readonly anyone = new SenderList(['*']);
  static readonly nobody = new SenderList([]);

  get acceptsAnyone(): boolean {
    return this.#anyone;
  }

  get isEmpty(): boolean {
    return !this.#anyone && this.#jids.size === 0 && this.#domains.size === 0;
  }

  /** Whether a stanza from this (full or bare) JID is accepted. */
  accepts(from: string | undefined): boolean {
    if (this.#anyone) return true;
    if (from === undefined) return false;
    const bare = from.split('/')[0].toLowerCase();
    if (this.#jids.has(bare)) return true;
    const domain = bare.includes('@') ? bare.slice(bare.indexOf('@') + 1) : bare;
    return this.#domains.has(domain);
  }
}
