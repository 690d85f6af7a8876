import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { SenfedError, sentence, type ErrorParams, type Sentence } from '../errors';
import { narrowFile, replaceFile, setAside } from './files';
import { STORE_MESSAGES, type StoreMessageId } from './messages';

/**
 * Who subscribed to what at a Quoalise provider: identifier → subscriber JIDs,
 * kept in one small JSON file so that subscriptions survive a restart:
 *
 *     {"format":"senfed-subscribers/1","identifiers":{"urn:dev:mac:0024befffe804ff1":["consumer@sen2.test/node-red"]}}
 *
 * - One subscription per account and identifier: a subscribe from another
 *   resource of the same bare JID replaces the earlier one (a client that
 *   reconnects with a new resource is not counted twice), and an unsubscribe
 *   from any resource of that account removes it. The full JID last given is
 *   kept, since that is where pushed data goes (a server delivers a message to an
 *   unavailable full JID as if sent to the bare JID, RFC 6121 §8.5.3.2.1).
 * - Every change is written to a temporary file, synced, renamed over the file
 *   and the directory synced: a crash leaves the old file or the new one, never
 *   half of one. `add` and `remove` resolve once the change is on disk, so a
 *   provider answers "subscribed" only for a subscription that will survive.
 * - A file that cannot be read is kept as `subscribers.json.corrupt-<time>` and
 *   the registry starts empty, with a warning in `warnings`.
 */
export const REGISTRY_FORMAT = 'senfed-subscribers/1';

export class SubscriberRegistryError extends SenfedError {
  declare readonly code: 'REGISTRY_IO' | 'REGISTRY_INPUT' | 'REGISTRY_CLOSED';

  constructor(messageId: StoreMessageId, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(messageId, STORE_MESSAGES[messageId], params, options);
    this.name = 'SubscriberRegistryError';
  }
}

export class SubscriberRegistry {
  readonly file: string;
  readonly warnings: Sentence[] = [];
  #map = new Map<string, string[]>();
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(file: string) {
    this.file = path.resolve(file);
  }

  /** Open the registry kept in `file` (created at the first change). */
  static async open(file: string): Promise<SubscriberRegistry> {
    const registry = new SubscriberRegistry(file);
    await registry.#load();
    return registry;
  }

  /** The subscriber JIDs of an identifier, in subscription order (a copy). */
  subscribers(identifier: string): string[] {
    return [...(this.#map.get(identifier) ?? [])];
  }

  /** Every identifier that has at least one subscriber. */
  identifiers(): string[] {
    return [...this.#map.keys()];
  }

  /** Everything, as plain JSON (a copy). */
  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.#map].map(([id, jids]) => [id, [...jids]]));
  }

  /** Record `jid` as a subscriber of `identifier`; resolves true once on disk, false when nothing changed. */
  add(identifier: string, jid: string): Promise<boolean> {
    return this.#change(identifier, jid, (map, key, account) => {
      const list = map.get(key) ?? [];
      const index = list.findIndex((known) => bareJid(known) === account);
      if (index >= 0 && list[index] === jid) return false;
      map.set(key, [...list.filter((_, i) => i !== index), jid]);
      return true;
    });
  }

  /** Forget the subscription of `jid`'s account to `identifier`; resolves true once on disk, false if there was none. */
  remove(identifier: string, jid: string): Promise<boolean> {
    return this.#change(identifier, jid, (map, key, account) => {
      const list = map.get(key) ?? [];
      const next = list.filter((known) => bareJid(known) !== account);
      if (next.length === list.length) return false;
      if (next.length === 0) map.delete(key);
      else map.set(key, next);
      return true;
    });
  }

  /** Wait for the writes under way; further changes are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
  }

  /**
   * Apply a change to a copy of the map, write the copy, and only then make it the
   * registry's state: what `subscribers()` shows is always on disk. Changes run one
   * after another, each on the state the previous one left.
   */
  #change(
    identifier: string,
    jid: string,
    edit: (map: Map<string, string[]>, key: string, account: string) => boolean,
  ): Promise<boolean> {
    if (this.#closed)
      return Promise.reject(new SubscriberRegistryError('REGISTRY_CLOSED', { file: this.file }));
    let input: { key: string; account: string };
    try {
      input = checkInput(identifier, jid);
    } catch (err) {
      return Promise.reject(err);
    }
    const run = this.#writing.then(async () => {
      const next = new Map(this.#map);
      if (!edit(next, input.key, input.account)) return false;
      await this.#save(next);
      this.#map = next;
      return true;
    });
    this.#writing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #save(map: Map<string, string[]>): Promise<void> {
    const identifiers = Object.fromEntries(map);
    const text = `${JSON.stringify({ format: REGISTRY_FORMAT, identifiers })}\n`;
    try {
      await replaceFile(this.file, text);
    } catch (err) {
      throw new SubscriberRegistryError(
        'REGISTRY_WRITE_FAILED',
        { file: this.file },
        { cause: err },
      );
    }
  }

  async #load(): Promise<void> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
      await narrowFile(this.file); // an earlier version made it readable by all
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ENOENT') return;
      throw new SubscriberRegistryError(
        'REGISTRY_READ_FAILED',
        { file: this.file },
        { cause: err },
      );
    }
    const map = readRegistry(text);
    if (map) {
      this.#map = map;
      return;
    }
    const copy = await setAside(this.file);
    this.warnings.push(
      sentence('REGISTRY_UNREADABLE', STORE_MESSAGES.REGISTRY_UNREADABLE, {
        file: this.file,
        copy,
      }),
    );
  }
}

function checkInput(identifier: unknown, jid: unknown): { key: string; account: string } {
  if (typeof identifier !== 'string' || identifier === '')
    throw new SubscriberRegistryError('REGISTRY_NO_IDENTIFIER');
  if (typeof jid !== 'string' || !/^[^@/\s]+@[^@/\s]+(\/.+)?$/.test(jid))
    throw new SubscriberRegistryError('REGISTRY_NOT_A_JID', {
      got: JSON.stringify(jid) ?? String(jid),
    });
  return { key: identifier, account: bareJid(jid) };
}

/** The registry's map from the file's text; undefined when the text is not a registry. */
function readRegistry(text: string): Map<string, string[]> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { format, identifiers } = (data ?? {}) as { format?: unknown; identifiers?: unknown };
  if (
    format !== REGISTRY_FORMAT ||
    typeof identifiers !== 'object' ||
    identifiers === null ||
    Array.isArray(identifiers)
  )
    return undefined;
  const map = new Map<string, string[]>();
  for (const [identifier, jids] of Object.entries(identifiers)) {
    if (!Array.isArray(jids)) return undefined;
    const list = jids.filter((jid): jid is string => typeof jid === 'string' && jid !== '');
    if (list.length > 0) map.set(identifier, list);
  }
  return map;
}

/** "user@domain/resource" → "user@domain" (domain in lower case, RFC 7622 §3.2). */
export function bareJid(jid: string): string {
  const slash = jid.indexOf('/');
  const bare = slash < 0 ? jid : jid.slice(0, slash);
  const at = bare.indexOf('@');
  return at < 0 ? bare.toLowerCase() : `${bare.slice(0, at)}@${bare.slice(at + 1).toLowerCase()}`;
}
