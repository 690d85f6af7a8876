import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  PRIVATE_FILE_MODE,
  makePrivateDirectorySync,
  narrowFileSync,
  replaceFileSync,
} from './files';

/**
 * The ids of the latest PubSub items a subscriber has output, kept in a small
 * file so that, after a disconnection or a restart, it can tell which items of
 * the node it has not output yet.
 *
 * The file is a snapshot line `{"ids":[…]}` followed by one JSON string per id
 * added since: an add appends a line instead of rewriting the list (the list is
 * a thousand ids, an add is one). Once as many lines were appended as the list
 * holds, the file is rewritten atomically (temporary file + rename), so it stays
 * within about twice the list. A torn last line (a crash mid-append) is skipped
 * at load, and the next add rewrites the file rather than append after it.
 * Appends are gathered for up to `flushDelayMs` (50 ms) and written at once (a
 * small write costs about as much as handling an item on a slow disk), and on
 * close(). A crash in between forgets the last ids: those items are output
 * again after the restart, which at-least-once delivery allows.
 * A file holding the snapshot alone (the earlier format) loads as it is.
 *
 * Beside the ids it keeps the newest item output and the time of its readings
 * (`last`: a field of the snapshot, or a line `{"last":{…}}`), so that a
 * subscriber whose last item has left the node can say since when it lacks items.
 */
export interface LastOutput {
  id: string;
  /** Time of the newest reading of the item, seconds since the epoch (SenML t). */
  time: number;
}

function isLastOutput(value: unknown): value is LastOutput {
  const last = value as LastOutput;
  return (
    typeof last === 'object' &&
    last !== null &&
    typeof last.id === 'string' &&
    typeof last.time === 'number' &&
    Number.isFinite(last.time)
  );
}

export class SeenItems {
  #ids: string[] = [];
  #set = new Set<string>();
  readonly #file: string;
  readonly #capacity: number;
  /** Lines appended after the snapshot; at capacity the next add rewrites the file. */
  #appended = 0;
  /** The file, open for appending between rewrites (an add is then one write). */
  #fd: number | undefined;
  /** Lines added and not written yet, and the timer that writes them. */
  #unwritten = '';
  /** `last` changed since the file was written. */
  #lastUnwritten = false;
  #flushTimer: NodeJS.Timeout | undefined;
  readonly #flushDelayMs: number;
  /** False until the subscriber has looked at the node once (nothing was ever recorded). */
  known = false;
  /** The newest item output, with the time of its readings; undefined before the first. */
  last: LastOutput | undefined;

  constructor(file: string, capacity = 1000, flushDelayMs = 50) {
    this.#file = file;
    this.#capacity = capacity;
    this.#flushDelayMs = flushDelayMs;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      // An earlier version made them readable by all.
      narrowFileSync(file);
      makePrivateDirectorySync(dirname(file));
    } catch {
      return; // no file yet: start afresh
    }
    const lines = text.split('\n');
    let snapshot: unknown;
    try {
      const head = JSON.parse(lines[0]!) as { ids?: unknown; last?: unknown };
      snapshot = head.ids;
      if (isLastOutput(head.last)) this.last = { id: head.last.id, time: head.last.time };
    } catch {
      return; // unreadable: start afresh
    }
    if (!Array.isArray(snapshot)) return;
    for (const id of snapshot) if (typeof id === 'string') this.#remember(id);
    let clean = text.endsWith('\n');
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      try {
        const entry = JSON.parse(line) as unknown;
        if (typeof entry === 'string') this.#remember(entry);
        else if (isLastOutput((entry as { last?: unknown })?.last)) {
          const last = (entry as { last: LastOutput }).last;
          this.last = { id: last.id, time: last.time };
        }
      } catch {
        clean = false; // a torn or damaged line: appending after it would spoil the next one
      }
    }
    this.known = true;
    this.#appended = clean ? lines.length - 2 : this.#capacity;
  }

  has(id: string): boolean {
    return this.#set.has(id);
  }

  /** The position, in `ids` (oldest first), of the newest id already seen; -1 if none. */
  lastSeenIndex(ids: readonly (string | undefined)[]): number {
    for (let i = ids.length - 1; i >= 0; i--)
      if (ids[i] !== undefined && this.#set.has(ids[i]!)) return i;
    return -1;
  }

  /** Remember ids (oldest first); `last`, when given, is the newest item output and the time of its readings. */
  add(ids: readonly string[], last?: LastOutput): void {
    for (const id of ids) this.#remember(id);
    if (last !== undefined) this.last = { id: last.id, time: last.time };
    // The newest "last" only is written, once per flush.
    const lines = ids.length + (last !== undefined && !this.#lastUnwritten ? 1 : 0);
    const wasKnown = this.known;
    this.known = true;
    if (!wasKnown || this.#appended + lines > this.#capacity) {
      this.#rewrite();
      return;
    }
    if (lines === 0) return;
    for (const id of ids) this.#unwritten += `${JSON.stringify(id)}\n`;
    if (last !== undefined) this.#lastUnwritten = true;
    this.#appended += lines;
    if (!this.#flushTimer) {
      this.#flushTimer = setTimeout(() => this.#flushQuietly(), this.#flushDelayMs);
      this.#flushTimer.unref();
    }
  }

  /** Write what was added, and let go of the file (a later add opens it again). */
  close(): void {
    this.#flush();
    if (this.#fd === undefined) return;
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#lastUnwritten) this.#unwritten += `${JSON.stringify({ last: this.last })}\n`;
    this.#lastUnwritten = false;
    if (this.#unwritten === '') return;
    const lines = this.#unwritten;
    this.#unwritten = '';
    this.#fd ??= openSync(this.#file, 'a', PRIVATE_FILE_MODE);
    writeSync(this.#fd, lines);
  }

  #flushQuietly(): void {
    try {
      this.#flush();
    } catch {
      // The disk refused: the next add rewrites the whole file, and throws to its caller if it still cannot.
      this.#appended = this.#capacity;
    }
  }

  #remember(id: string): void {
    // A re-published item moves to the end, as it does on the node.
    if (this.#set.has(id)) this.#ids.splice(this.#ids.indexOf(id), 1);
    this.#ids.push(id);
    this.#set.add(id);
    while (this.#ids.length > this.#capacity) this.#set.delete(this.#ids.shift()!);
  }

  #rewrite(): void {
    this.#unwritten = ''; // the snapshot holds every id and the last output: what waits to be appended is in it
    this.#lastUnwritten = false;
    this.close(); // the rename replaces the file: appends go to the new one
    replaceFileSync(
      this.#file,
      `${JSON.stringify(this.last === undefined ? { ids: this.#ids } : { ids: this.#ids, last: this.last })}\n`,
    );
    this.#appended = 0;
  }
}
