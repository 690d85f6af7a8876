/**
 * A bounded, durable FIFO queue of JSON entries, kept in one directory.
 *
 * A "federation publish" node cannot always deliver at once (server down,
 * network cut); what it cannot deliver waits here, on disk under the Node-RED
 * user directory, and survives a restart, a crash and a `kill -9` mid-write.
 *
 * ## Files
 *
 * `<dir>/queue.jsonl` is an append-only journal, one record per line:
 *
 *     {"sum":"f5955ccd","op":"head","format":"senfed-queue/1","next":18}
 *     {"sum":"3476be8c","op":"push","seq":18,"entry":{"v":21.5}}
 *     {"sum":"4822a68e","op":"push","seq":19,"entry":{"v":21.7}}
 *     {"sum":"1371b078","op":"ack","seq":18}
 *     {"sum":"2b3feb55","op":"drop","seq":19}
 *
 * Every line is a JSON object, so `jq` can read a queue when someone needs to
 * see what is waiting. `sum` is the first 8 hex digits of the SHA-256 of the
 * same line written without its `sum` member (`{"op":...}`), so a line that a
 * crash cut short, that a disk garbled or that a person edited by hand is
 * recognised and skipped, never half-trusted.
 *
 * - `head` opens every file written by a compaction: it carries the next
 *   sequence number, so numbers keep increasing even when the queue is empty.
 * - `push` appends an entry; `ack` removes a delivered one; `drop` removes one
 *   pushed out by the bound (kept apart from `ack` for whoever reads the file).
 *
 * Compaction writes the live entries to `queue.jsonl.tmp`, fsyncs it, renames it
 * over `queue.jsonl` (atomic on POSIX file systems) and fsyncs the directory. A
 * crash before the rename leaves the old journal whole (the stale `.tmp` is
 * removed at the next open); a crash after it leaves the new one. Compaction
 * runs when dead lines (acked and dropped entries, ack and drop records)
 * outweigh the live entries and are more than `compactMinBytes`, so the file
 * stays within about twice the live data plus that slack.
 *
 * ## Durability
 *
 * A `push` or `ack` promise resolves only after its line was written and the
 * file fdatasync'ed: a resolved push survives a crash of the process, of the
 * operating system and a power cut (as far as the disk honours flushes). Calls
 * made while a write is in flight are gathered and written and synced together
 * ("group commit"), which keeps a busy flow from paying one fsync per message.
 * Creating the directory fsyncs its parents, so a fresh queue does not vanish
 * in a power cut either.
 *
 * With `syncAcks: false`, an `ack` is not synced on its own: its line waits
 * for the next push's write (or at most `ackDelayMs`, 20 ms by default) and
 * goes to the disk with it, and the ack resolves once written. A crash may then
 * forget the acks of the last moments, whose entries are delivered again,
 * which at-least-once delivery allows. On a disk where a small write costs
 * about as much as the work of delivering an entry, this takes the acks' writes
 * and syncs off a sender's path.
 *
 * At open, the journal is read whole, replayed and rewritten in compact form,
 * so the next append never lands behind a torn line.
 *
 * ## Delivery: at least once
 *
 * `peek()` shows the oldest entry that is already on disk, the caller delivers
 * it, then calls `ack(seq)`. If the process dies after delivering and before
 * the ack reached the disk, the entry is still in the queue after the restart
 * and is delivered again: delivery is at-least-once, and receivers drop
 * duplicates by item id. Nothing that `peek()` ever showed can vanish in a
 * crash, and a sequence number, once seen, is never given to another entry.
 *
 * ## The bound
 *
 * At most `maxEntries` entries (and, if given, `maxBytes` of entry JSON) are
 * kept. When a push would pass the bound, the OLDEST entries are dropped to make
 * room: for sensors, the newest reading matters most, and a stale one replaced
 * by a fresh one loses less than refusing the fresh one. `push` reports exactly
 * which entries it dropped, so the node can say so.
 *
 * ## Corruption
 *
 * Unreadable lines are skipped, never fatal. Lines after the last good one are
 * an interrupted write (a crash): discarded quietly but reported as
 * `torn-tail`. Unreadable lines followed by good ones are damage: reported as
 * `corrupt` and the journal, as found, is copied to
 * `queue.jsonl.corrupt-<time>` before it is rewritten, so nothing is destroyed.
 * Warnings are listed in `queue.warnings` and passed to `onWarning`.
 *
 * ## One owner
 *
 * Within one process a directory can be open once at a time (`QUEUE_BUSY`);
 * calls on one queue may interleave freely (a flow pushing while a drain loop
 * peeks and acks): state changes are applied in call order and writes are
 * serialised. Two processes must not share a directory: Node-RED keeps one user
 * directory per instance, and each instance keeps its own queues.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { SenfedError, sentence, type ErrorParams, type Sentence } from '../errors';
import { STORE_MESSAGES, type StoreMessageId } from './messages';
import {
  PRIVATE_FILE_MODE,
  isMissing,
  makePrivateDirectory,
  narrowFile,
  syncCreatedDirectories,
  syncDirectory,
  writeAll,
} from './files';

export type DurableQueueErrorCode =
  | 'QUEUE_OPTIONS' // maxEntries, maxBytes... out of range
  | 'QUEUE_ENTRY' // the entry is not JSON-serialisable
  | 'QUEUE_TOO_LARGE' // one entry alone is larger than maxBytes
  | 'QUEUE_ORDER' // ack of an entry that is not the oldest, or was never pushed
  | 'QUEUE_BUSY' // the directory is already open in this process
  | 'QUEUE_CLOSED' // push or ack after close()
  | 'QUEUE_IO'; // the disk refused a read or a write

export class DurableQueueError extends SenfedError {
  declare readonly code: DurableQueueErrorCode;

  constructor(messageId: StoreMessageId, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(messageId, STORE_MESSAGES[messageId], params, options);
    this.name = 'DurableQueueError';
  }
}

/** An entry as stored: its sequence number and (a copy of) what was pushed. */
export interface QueueItem<T> {
  readonly seq: number;
  readonly entry: T;
}

export interface PushReport<T> {
  /** Sequence number given to the entry just pushed. */
  seq: number;
  /** Oldest entries dropped to make room for it, oldest first; usually none. */
  dropped: QueueItem<T>[];
}

export type QueueWarningKind =
  | 'torn-tail' // the end of the journal was an interrupted write
  | 'corrupt' // unreadable lines between good ones were skipped
  | 'out-of-order' // a push record that breaks the order was skipped
  | 'over-bound'; // the bound is smaller than what the journal held

export interface QueueWarning<T> extends Sentence {
  kind: QueueWarningKind;
  /** 1-based journal lines concerned, first and last. */
  lines?: { from: number; to: number };
  /** Entries dropped at open because the bound shrank. */
  dropped?: QueueItem<T>[];
  /** Where a copy of a damaged journal was kept. */
  preservedAs?: string;
}

export interface DurableQueueOptions<T> {
  /** Largest number of entries kept; older ones are dropped beyond it. */
  maxEntries: number;
  /** Largest total size of the entries' JSON, in bytes (UTF-8). No limit by default. */
  maxBytes?: number;
  /** Dead bytes tolerated in the journal before compacting, even for a small queue. Default 64 KiB. */
  compactMinBytes?: number;
  /** Told about every warning of `open` (also kept in `queue.warnings`). */
  onWarning?: (warning: QueueWarning<T>) => void;
  /** false: an ack is written with the next push, or after `ackDelayMs`, without a sync of its own (see Durability). Default true. */
  syncAcks?: boolean;
  /** With syncAcks false, how long an ack may wait for a push to be written with (ms, default 20). */
  ackDelayMs?: number;
}

const JOURNAL = 'queue.jsonl';
const FORMAT = 'senfed-queue/1';
const DEFAULT_COMPACT_MIN_BYTES = 64 * 1024;

/** Directories open in this process: two queues on one journal would tear it. */
const openDirectories = new Set<string>();

/** What the queue keeps per entry: the JSON text, parsed again on each read. */
interface Stored {
  seq: number;
  /** `JSON.stringify(entry)`: immutable, and exactly what a reload gives back. */
  json: string;
  /** UTF-8 size of `json`, counted against maxBytes. */
  bytes: number;
  /** UTF-8 size of the entry's push line, to know how big a compacted file is. */
  lineBytes: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class DurableQueue<T = unknown> {
  /** The directory holding this queue's files. */
  readonly directory: string;
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly #journal: string;
  readonly #compactMinBytes: number;
  readonly #syncAcks: boolean;
  readonly #ackDelayMs: number;
  // A flush started later, for acks waiting to go out with something else.
  #ackTimer: NodeJS.Timeout | undefined;
  // Whether the lines waiting to be written include one that must be synced.
  #pendingNeedsSync = false;
  readonly #warnings: QueueWarning<T>[] = [];

  // Live entries, oldest first, from #items[#head] on. Removing from the front
  // clears the slot and moves #head (Array.shift() copies the whole array once
  // it is large); the cleared front is cut off now and then.
  #items: (Stored | undefined)[] = [];
  #head = 0;
  #entryBytes = 0;
  #liveLineBytes = 0;
  #nextSeq = 1;
  // Highest sequence number whose push is on disk: peek() shows no further.
  #durableSeq = 0;

  #file: FileHandle | undefined;
  #journalBytes = 0;
  // Lines (and the promises waiting for them) not yet handed to the disk.
  #pending: string[] = [];
  #pendingBytes = 0;
  #waiters: Waiter[] = [];
  #flushing = false;
  #flushed: Promise<void> = Promise.resolve();
  #failure: DurableQueueError | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(directory: string, options: DurableQueueOptions<T>) {
    this.directory = directory;
    this.maxEntries = options.maxEntries;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.#compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.#syncAcks = options.syncAcks ?? true;
    this.#ackDelayMs = options.ackDelayMs ?? 20;
    this.#journal = path.join(directory, JOURNAL);
  }

  /**
   * Open (creating it if needed) the queue kept in `dir`, with what a previous
   * process left there. Rejects with QUEUE_BUSY if this process has it open.
   */
  static async open<T = unknown>(
    dir: string,
    options: DurableQueueOptions<T>,
  ): Promise<DurableQueue<T>> {
    checkOptions(options);
    const directory = path.resolve(dir);
    if (openDirectories.has(directory)) {
      throw new DurableQueueError('QUEUE_BUSY', { directory });
    }
    openDirectories.add(directory);
    const queue = new DurableQueue<T>(directory, options);
    try {
      try {
        await queue.#load();
      } catch (err) {
        throw err instanceof DurableQueueError
          ? err
          : new DurableQueueError('QUEUE_OPEN_FAILED', { directory }, { cause: err });
      }
      for (const warning of queue.#warnings) options.onWarning?.(warning);
    } catch (err) {
      // Whatever failed (the disk, or the caller's onWarning), release the
      // directory so that a later open may try again.
      await queue.close().catch(() => undefined);
      throw err;
    }
    return queue;
  }

  /** Number of entries in the queue, including any still being written. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Total UTF-8 size of the entries' JSON, as counted against maxBytes. */
  get bytes(): number {
    return this.#entryBytes;
  }

  /** What `open` found amiss in the journal; empty when all was well. */
  get warnings(): readonly QueueWarning<T>[] {
    return this.#warnings;
  }

  /** Current size of the journal file, in bytes (for status and tests). */
  get journalBytes(): number {
    return this.#journalBytes;
  }

  /**
   * Append an entry. Resolves once it is on disk, with its sequence number and
   * the oldest entries dropped to make room for it, if any.
   *
   * The entry is stored as JSON: what comes back out is
   * `JSON.parse(JSON.stringify(entry))` (dates become strings, `undefined`
   * members disappear).
   */
  push(entry: T): Promise<PushReport<T>> {
    const unusable = this.#unusable();
    if (unusable) return Promise.reject(unusable);
    let json: string | undefined;
    try {
      json = JSON.stringify(entry);
    } catch (err) {
      return Promise.reject(new DurableQueueError('QUEUE_NOT_JSON', {}, { cause: err }));
    }
    if (json === undefined) {
      return Promise.reject(
        new DurableQueueError('QUEUE_NOTHING_TO_STORE', {
          kind: typeof entry === 'undefined' ? 'undefined' : `a ${typeof entry}`,
        }),
      );
    }
    const bytes = Buffer.byteLength(json);
    if (bytes > this.maxBytes) {
      return Promise.reject(
        new DurableQueueError('QUEUE_ENTRY_TOO_LARGE', { bytes, maxBytes: this.maxBytes }),
      );
    }

    // Everything below runs synchronously: the queue's state changes in call
    // order, whatever the disk is doing, and the lines go out in that order.
    const lines: string[] = [];
    const dropped: QueueItem<T>[] = [];
    while (this.size >= this.maxEntries || this.#entryBytes + bytes > this.maxBytes) {
      const old = this.#removeOldest();
      dropped.push({ seq: old.seq, entry: parse<T>(old.json) });
      lines.push(recordLine(`{"op":"drop","seq":${old.seq}}`));
    }
    const seq = this.#nextSeq++;
    const line = pushLine(seq, json);
    this.#items.push({ seq, json, bytes, lineBytes: Buffer.byteLength(line) });
    this.#entryBytes += bytes;
    this.#liveLineBytes += Buffer.byteLength(line);
    lines.push(line);
    return this.#commit(lines, true).then(() => ({ seq, dropped }));
  }

  /**
   * The oldest entry that is on disk, or undefined. Each call parses the stored
   * JSON afresh, so the caller may change what it gets.
   */
  peek(): QueueItem<T> | undefined {
    const oldest = this.#items[this.#head];
    if (!oldest || oldest.seq > this.#durableSeq) return undefined;
    return { seq: oldest.seq, entry: parse<T>(oldest.json) };
  }

  /**
   * The oldest entry whose sequence number is above `seq`, or undefined: for a
   * sender that keeps several entries in flight and acks them in order. Parsed
   * afresh on each call, like peek(). Entries on disk only, unless `unsynced`:
   * a sender may start delivering an entry while its push is being synced (its
   * ack is written after the push, in any case), so that the disk's sync is not
   * in the way of every delivery.
   */
  peekAfter(seq: number, options: { unsynced?: boolean } = {}): QueueItem<T> | undefined {
    // Live entries sit in #items[#head..] in ascending sequence order: bisect.
    let low = this.#head;
    let high = this.#items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#items[middle]!.seq <= seq) low = middle + 1;
      else high = middle;
    }
    const next = this.#items[low];
    if (!next || (next.seq > this.#durableSeq && !options.unsynced) || this.#failure)
      return undefined;
    return { seq: next.seq, entry: parse<T>(next.json) };
  }

  /** Every entry on disk, oldest first (for inspection: a copy, not a view). */
  entries(): QueueItem<T>[] {
    const out: QueueItem<T>[] = [];
    for (const stored of this.#live()) {
      if (stored.seq > this.#durableSeq) break;
      out.push({ seq: stored.seq, entry: parse<T>(stored.json) });
    }
    return out;
  }

  /**
   * Remove the oldest entry, `seq`, once it was delivered; resolves once that
   * is on disk. Resolves `false` (and changes nothing) if the entry is already
   * gone: acked before, or dropped by the bound while it was being delivered.
   * Rejects with QUEUE_ORDER for an entry that is not the oldest: entries
   * leave the queue in the order they came.
   */
  ack(seq: number): Promise<boolean> {
    const unusable = this.#unusable();
    if (unusable) return Promise.reject(unusable);
    if (!Number.isSafeInteger(seq) || seq < 1) {
      return Promise.reject(new DurableQueueError('QUEUE_NOT_A_SEQUENCE', { seq: String(seq) }));
    }
    const oldest = this.#items[this.#head];
    if (seq >= this.#nextSeq) {
      return Promise.reject(
        new DurableQueueError('QUEUE_NEVER_PUSHED', { seq, last: this.#nextSeq - 1 }),
      );
    }
    if (!oldest || seq < oldest.seq) return Promise.resolve(false);
    if (seq > oldest.seq) {
      return Promise.reject(new DurableQueueError('QUEUE_NOT_OLDEST', { seq, oldest: oldest.seq }));
    }
    this.#removeOldest();
    return this.#commit([recordLine(`{"op":"ack","seq":${seq}}`)], this.#syncAcks).then(() => true);
  }

  /**
   * Finish the writes under way and close the journal. Afterwards `push` and
   * `ack` reject with QUEUE_CLOSED and the directory may be opened again.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= (async () => {
      try {
        if (this.#waiters.length > 0) this.#startFlush(); // acks still waiting for company
        while (this.#flushing) await this.#flushed;
        await this.#file?.close();
      } finally {
        this.#file = undefined;
        openDirectories.delete(this.directory);
      }
    })();
    return this.#closing;
  }

  // ---------------------------------------------------------------- state

  *#live(): IterableIterator<Stored> {
    for (let i = this.#head; i < this.#items.length; i++) {
      const stored = this.#items[i];
      if (stored) yield stored;
    }
  }

  /** Take the oldest entry out; callers check first that there is one. */
  #removeOldest(): Stored {
    const oldest = this.#items[this.#head];
    if (!oldest) throw new DurableQueueError('QUEUE_EMPTY');
    this.#items[this.#head] = undefined; // let the entry be collected now
    this.#head++;
    this.#entryBytes -= oldest.bytes;
    this.#liveLineBytes -= oldest.lineBytes;
    // Trim the consumed front now and then; amortised O(1) per removal.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return oldest;
  }

  #unusable(): DurableQueueError | undefined {
    if (this.#closed) return new DurableQueueError('QUEUE_CLOSED', { directory: this.directory });
    return this.#failure;
  }

  // ---------------------------------------------------------------- writing

  /** Queue lines for the disk; resolves once they (or a compaction holding their effect) are written, and synced if `sync`. */
  #commit(lines: string[], sync: boolean): Promise<void> {
    if (sync) this.#pendingNeedsSync = true;
    return new Promise<void>((resolve, reject) => {
      for (const line of lines) {
        this.#pending.push(line);
        this.#pendingBytes += Buffer.byteLength(line);
      }
      this.#waiters.push({ resolve, reject });
      if (sync || this.#closed) this.#startFlush();
      else this.#ackTimer ??= setTimeout(() => this.#startFlush(), this.#ackDelayMs);
    });
  }

  #startFlush(): void {
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    if (this.#flushing) return;
    this.#flushing = true;
    this.#flushed = this.#flushLoop();
  }

  /** The one writer: takes whatever accumulated, writes it, repeats until nothing is left. */
  async #flushLoop(): Promise<void> {
    try {
      while (this.#waiters.length > 0) await this.#flushOnce();
    } finally {
      // Cleared in the same tick as the loop's last check: a commit arriving
      // after this starts a new loop, one arriving before is picked up above.
      this.#flushing = false;
    }
  }

  async #flushOnce(): Promise<void> {
    const lines = this.#pending;
    const bytes = this.#pendingBytes;
    const waiters = this.#waiters;
    const sync = this.#pendingNeedsSync;
    this.#pendingNeedsSync = false;
    // Every push called so far has a sequence number up to this one; once this
    // batch is synced, they are all on disk.
    const upTo = this.#nextSeq - 1;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#waiters = [];
    try {
      // Compaction writes the current state, which already includes what these
      // lines say: they need not be written at all.
      const dead = this.#journalBytes + bytes - this.#liveLineBytes;
      if (dead > Math.max(this.#liveLineBytes, this.#compactMinBytes)) {
        await this.#rewrite();
      } else {
        await writeAll(this.#openFile(), lines.join(''));
        if (sync) await this.#openFile().datasync();
        this.#journalBytes += bytes;
      }
      this.#durableSeq = Math.max(this.#durableSeq, upTo);
      for (const waiter of waiters) waiter.resolve();
    } catch (err) {
      // The file may now end in a partial line, and the state in memory is
      // ahead of it. Refuse further changes; reopening reloads what is on disk
      // and cuts the partial line off.
      const failure = new DurableQueueError(
        'QUEUE_WRITE_FAILED',
        { file: this.#journal },
        { cause: err },
      );
      this.#failure = failure;
      const all = [...waiters, ...this.#waiters];
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#waiters = [];
      for (const waiter of all) waiter.reject(failure);
    }
  }

  #openFile(): FileHandle {
    if (!this.#file) throw new DurableQueueError('QUEUE_JOURNAL_CLOSED', { file: this.#journal });
    return this.#file;
  }

  /**
   * Replace the journal with one holding only the live entries: write a
   * temporary file, sync it, rename it over the journal, sync the directory.
   */
  async #rewrite(): Promise<void> {
    // Take the snapshot before the first await: nothing may change under it.
    let text = recordLine(`{"op":"head","format":"${FORMAT}","next":${this.#nextSeq}}`);
    for (const stored of this.#live()) text += pushLine(stored.seq, stored.json);
    const data = Buffer.from(text);

    const temporary = `${this.#journal}.tmp`;
    const out = await fsp.open(temporary, 'w', PRIVATE_FILE_MODE);
    try {
      await writeAll(out, data);
      await out.sync();
    } finally {
      await out.close();
    }
    await fsp.rename(temporary, this.#journal);
    await syncDirectory(this.directory);
    // The old handle points at the replaced file: appends must go to the new one.
    const fresh = await fsp.open(this.#journal, 'a', PRIVATE_FILE_MODE);
    const old = this.#file;
    this.#file = fresh;
    this.#journalBytes = data.length;
    await old?.close();
  }

  // ---------------------------------------------------------------- loading

  async #load(): Promise<void> {
    const created = await makePrivateDirectory(this.directory);
    if (created !== undefined) await syncCreatedDirectories(created, this.directory);
    // A leftover from a compaction cut short: the journal itself is intact.
    await fsp.rm(`${this.#journal}.tmp`, { force: true });

    let text = '';
    try {
      text = await fsp.readFile(this.#journal, 'utf8');
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    const { corrupt } = this.#replay(text);
    if (corrupt) {
      const copy = `${this.#journal}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fsp.copyFile(this.#journal, copy);
      await narrowFile(copy);
      for (const warning of this.#warnings)
        if (warning.kind === 'corrupt') warning.preservedAs = copy;
    }
    this.#enforceBoundAtOpen();
    // Everything loaded is on disk already.
    this.#durableSeq = this.#nextSeq - 1;
    // Always start from a compact journal: it drops what was acked, and the
    // next append cannot land behind a torn line.
    await this.#rewrite();
  }

  /** Rebuild the state from the journal's text; returns whether damage was found. */
  #replay(text: string): { corrupt: boolean } {
    const lines = text.split('\n');
    // A complete journal ends with '\n', leaving an empty last piece; anything
    // else there is a write that never finished.
    const tail = lines.pop() ?? '';
    const live = new Map<number, Stored>(); // insertion order is push order
    let lastPush = 0;
    let bad: { from: number; to: number; reason: string } | undefined;
    const runs: { from: number; to: number; reason: string }[] = [];

    lines.forEach((line, index) => {
      const lineNo = index + 1;
      const read = readLine(line);
      if (typeof read === 'string') {
        if (bad && bad.to === lineNo - 1) bad.to = lineNo;
        else runs.push((bad = { from: lineNo, to: lineNo, reason: read }));
        return;
      }
      switch (read.op) {
        case 'head':
          // `next` is a floor for numbers given out later; the entries that
          // follow the head in a compacted file carry smaller ones.
          this.#nextSeq = Math.max(this.#nextSeq, read.next);
          break;
        case 'push': {
          if (read.seq <= lastPush) {
            this.#warnings.push({
              kind: 'out-of-order',
              ...sentence('QUEUE_OUT_OF_ORDER_LINE', STORE_MESSAGES.QUEUE_OUT_OF_ORDER_LINE, {
                line: lineNo,
                seq: read.seq,
                previous: lastPush,
              }),
              lines: { from: lineNo, to: lineNo },
            });
            break;
          }
          lastPush = read.seq;
          live.set(read.seq, {
            seq: read.seq,
            json: read.json,
            bytes: Buffer.byteLength(read.json),
            lineBytes: Buffer.byteLength(line) + 1,
          });
          break;
        }
        case 'ack':
        case 'drop':
          // An ack for an entry we do not have (its push line was damaged) has
          // nothing left to remove: it was delivered or dropped anyway.
          live.delete(read.seq);
          break;
      }
      if (read.op !== 'head') this.#nextSeq = Math.max(this.#nextSeq, read.seq + 1);
    });

    // Unreadable lines with nothing good after them belong to the interrupted
    // last write, like an unterminated tail: that is a crash, not damage.
    let tornFrom: number | undefined;
    const lastRun = runs[runs.length - 1];
    if (lastRun && lastRun.to === lines.length) {
      runs.pop();
      tornFrom = lastRun.from;
    }
    if (tail !== '') tornFrom ??= lines.length + 1;
    for (const run of runs) {
      const count = run.to - run.from + 1;
      this.#warnings.push({
        kind: 'corrupt',
        ...sentence('QUEUE_UNREADABLE_LINES', STORE_MESSAGES.QUEUE_UNREADABLE_LINES, {
          from: run.from,
          to: run.to,
          count,
          reason: run.reason,
        }),
        lines: { from: run.from, to: run.to },
      });
    }
    if (tornFrom !== undefined) {
      const to = tail !== '' ? lines.length + 1 : lines.length;
      this.#warnings.push({
        kind: 'torn-tail',
        ...sentence('QUEUE_TORN_TAIL', STORE_MESSAGES.QUEUE_TORN_TAIL, { from: tornFrom, to }),
        lines: { from: tornFrom, to },
      });
    }

    for (const stored of live.values()) {
      this.#items.push(stored);
      this.#entryBytes += stored.bytes;
      this.#liveLineBytes += stored.lineBytes;
    }
    this.#journalBytes = Buffer.byteLength(text);
    return { corrupt: runs.length > 0 };
  }

  /** The bound may have been lowered since the entries were written. */
  #enforceBoundAtOpen(): void {
    const dropped: QueueItem<T>[] = [];
    while (this.size > this.maxEntries || this.#entryBytes > this.maxBytes) {
      const old = this.#removeOldest();
      dropped.push({ seq: old.seq, entry: parse<T>(old.json) });
    }
    if (dropped.length > 0) {
      this.#warnings.push({
        kind: 'over-bound',
        ...overBound(this.maxEntries, this.maxBytes, dropped),
        dropped,
      });
    }
  }
}

// ------------------------------------------------------------------ lines

type JournalRecord =
  | { op: 'head'; next: number }
  | { op: 'push'; seq: number; json: string }
  | { op: 'ack' | 'drop'; seq: number };

const SUM_PREFIX = '{"sum":"';
const SUM_LENGTH = 8;
// '{"sum":"' + 8 hex digits + '",'
const SUM_END = SUM_PREFIX.length + SUM_LENGTH;

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('hex').slice(0, SUM_LENGTH);
}

/** Turn `{"op":...}` into the journal line `{"sum":"…","op":...}\n`. */
function recordLine(body: string): string {
  return `${SUM_PREFIX}${checksum(body)}",${body.slice(1)}\n`;
}

function pushLine(seq: number, json: string): string {
  // The entry is already JSON text: splice it in rather than stringify twice.
  return recordLine(`{"op":"push","seq":${seq},"entry":${json}}`);
}

/** A journal line's record, or why it cannot be trusted. */
function readLine(line: string): JournalRecord | string {
  if (!line.startsWith(SUM_PREFIX) || line.slice(SUM_END, SUM_END + 2) !== '",')
    return 'no checksum';
  const body = `{${line.slice(SUM_END + 2)}`;
  if (checksum(body) !== line.slice(SUM_PREFIX.length, SUM_END)) return 'checksum mismatch';
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return 'not JSON';
  }
  if (typeof record !== 'object' || record === null) return 'not a record';
  const { op, seq, next, entry, format } = record as Record<string, unknown>;
  if (op === 'head') {
    if (format !== FORMAT) return `unknown format ${JSON.stringify(format)}`;
    return isSeq(next) ? { op, next } : 'bad head record';
  }
  if (!isSeq(seq)) return 'bad sequence number';
  if (op === 'ack' || op === 'drop') return { op, seq };
  if (op === 'push' && entry !== undefined) return { op, seq, json: JSON.stringify(entry) };
  return 'unknown record';
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function parse<T>(json: string): T {
  // The text was produced by JSON.stringify of a T (or read back from a line
  // whose checksum matched), so it parses to the same shape.
  const value: unknown = JSON.parse(json);
  return value as T;
}

// ------------------------------------------------------------------ files

function checkOptions<T>(options: DurableQueueOptions<T>): void {
  const { maxEntries, maxBytes, compactMinBytes } = options;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new DurableQueueError('QUEUE_MAX_ENTRIES', { value: String(maxEntries) });
  }
  if (maxBytes !== undefined && !(maxBytes > 0)) {
    throw new DurableQueueError('QUEUE_MAX_BYTES', { value: String(maxBytes) });
  }
  if (compactMinBytes !== undefined && !(compactMinBytes >= 0)) {
    throw new DurableQueueError('QUEUE_COMPACT_MIN_BYTES', { value: String(compactMinBytes) });
  }
}

function overBound<T>(maxEntries: number, maxBytes: number, dropped: QueueItem<T>[]): Sentence {
  const params = {
    maxEntries,
    count: dropped.length,
    first: dropped[0].seq,
    last: dropped[dropped.length - 1].seq,
  };
  if (!Number.isFinite(maxBytes))
    return sentence('QUEUE_OVER_BOUND', STORE_MESSAGES.QUEUE_OVER_BOUND, params);
  return sentence('QUEUE_OVER_BOUND_BYTES', STORE_MESSAGES.QUEUE_OVER_BOUND_BYTES, {
    ...params,
    maxBytes,
  });
}
