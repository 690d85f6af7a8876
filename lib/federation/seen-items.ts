import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The ids of the latest PubSub items a subscriber has output, kept in a small
 * file so that, after a disconnection or a restart, it can tell which items of
 * the node it has not output yet. Written atomically (temporary file + rename).
 */
export class SeenItems {
  #ids: string[] = [];
  #set = new Set<string>();
  readonly #file: string;
  readonly #capacity: number;
  /** False until the subscriber has looked at the node once (nothing was ever recorded). */
  known: boolean;

  constructor(file: string, capacity = 1000) {
    this.#file = file;
    this.#capacity = capacity;
    this.known = false;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { ids?: unknown };
      if (Array.isArray(saved.ids)) {
        this.#ids = saved.ids.filter((id): id is string => typeof id === 'string').slice(-capacity);
        this.#set = new Set(this.#ids);
        this.known = true;
      }
    } catch {
      // no file yet, or unreadable: start afresh
    }
  }

  has(id: string): boolean {
    return this.#set.has(id);
  }

  /** The position, in `ids` (oldest first), of the newest id already seen; -1 if none. */
  lastSeenIndex(ids: readonly (string | undefined)[]): number {
    for (let i = ids.length - 1; i >= 0; i--) if (ids[i] !== undefined && this.#set.has(ids[i]!)) return i;
    return -1;
  }

  add(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.#set.has(id)) {
        // A re-published item moves to the end, as it does on the node.
        this.#ids.splice(this.#ids.indexOf(id), 1);
      }
      this.#ids.push(id);
      this.#set.add(id);
    }
    while (this.#ids.length > this.#capacity) this.#set.delete(this.#ids.shift()!);
    this.known = true;
    this.#save();
  }

  #save(): void {
    mkdirSync(dirname(this.#file), { recursive: true });
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ids: this.#ids }));
    renameSync(temporary, this.#file);
  }
}
