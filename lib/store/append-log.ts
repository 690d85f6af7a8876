import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { sentence, type Sentence } from '../errors';
import {
  PRIVATE_FILE_MODE,
  isMissing,
  makePrivateDirectory,
  narrowFile,
  syncCreatedDirectories,
  writeAll,
} from './files';
import { STORE_MESSAGES } from './messages';
import { StoreError } from './store-error';

/**
 * An append-only log that is never compacted nor rewritten: the consent audit
 * trail. One JSON line per record,
 *
 *     {"seq":1,"prev":"<sha-256 of the line before, hex>","entry":{...}}
 *
 * so that every line names the one before it: a line changed or removed in the
 * middle breaks the chain at that place, and `verify()` says where. The chain
 * makes damage visible; proving to another party what the log held is the job of
 * the signed tree heads built on top of it (lib/consent).
 *
 * Durability: an append resolves once its line is written and fdatasync'ed
 * (appends in flight together share one sync). The only bytes ever removed are
 * those of an unfinished last write found at open, which no append had confirmed.
 * Opening reads the end of the file only; `verify()` and `records()` read it all.
 */
export interface LogRecord<T> {
  seq: number;
  /** SHA-256 of this record's line (without its newline), hex: what the next line's `prev` holds. */
  hash: string;
  entry: T;
}

export interface AppendLogOptions {
  /** Appends are refused past this size of the file (LOG_FULL); the log is never cut. Default: no limit. */
  maxBytes?: number;
}

export interface LogVerification {
  /** Records that can be read. */
  records: number;
  /** The last record's sequence number and hash: what a signed head covers. */
  head: { seq: number; hash: string };
  /** Every place where the log is damaged: unreadable lines, gaps, a broken chain. Empty when whole. */
  problems: Sentence[];
}

/** The `prev` of the first record. */
export const LOG_GENESIS = '0'.repeat(64);
/** How much of the file's end open() reads at first to find the last line. */
const TAIL_CHUNK = 64 * 1024;

const openFiles = new Set<string>();

export class AppendLog<T = unknown> {
  readonly file: string;
  readonly maxBytes: number;
  /** What open() found and did: a cut unfinished write, for instance. */
  readonly warnings: Sentence[] = [];
  #handle: FileHandle | undefined;
  #seq = 0;
  #hash = LOG_GENESIS;
  /** Bytes the log takes once every append in flight is written. */
  #bytes = 0;
  #closed = false;
  #failure: StoreError | undefined;
  #pending: { line: string; resolve: () => void; reject: (err: Error) => void }[] = [];
  #writing: Promise<void> | undefined;

  private constructor(file: string, options: AppendLogOptions) {
    this.file = file;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Open (creating it and its folders 0700, the file 0600) the log kept in `file`. */
  static async open<T = unknown>(
    file: string,
    options: AppendLogOptions = {},
  ): Promise<AppendLog<T>> {
    const resolved = path.resolve(file);
    if (openFiles.has(resolved)) throw new StoreError('LOG_BUSY', { file: resolved });
    openFiles.add(resolved);
    const log = new AppendLog<T>(resolved, options);
    try {
      await log.#load();
    } catch (err) {
      openFiles.delete(resolved);
      await log.#handle?.close().catch(() => undefined);
      throw err instanceof StoreError
        ? err
        : new StoreError('LOG_OPEN_FAILED', { file: resolved }, { cause: err });
    }
    return log;
  }

  /** The last record's sequence number and hash (seq 0 and the genesis hash when empty). */
  get head(): { seq: number; hash: string } {
    return { seq: this.#seq, hash: this.#hash };
  }

  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Add a record; resolves with it once it is on the disk. Records take their
   * sequence numbers in call order. After a failed write every append rejects
   * until the log is reopened: the chain on disk and in memory must not part.
   */
  append(entry: T): Promise<LogRecord<T>> {
    const unusable = this.#closed
      ? new StoreError('LOG_CLOSED', { file: this.file })
      : this.#failure;
    if (unusable) return Promise.reject(unusable);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      return Promise.reject(
        new StoreError('LOG_ENTRY', {
          kind: entry === null ? 'null' : Array.isArray(entry) ? 'a list' : typeof entry,
        }),
      );
    }
    let json: string;
    try {
      json = JSON.stringify(entry);
    } catch (err) {
      return Promise.reject(new StoreError('LOG_NOT_JSON', {}, { cause: err }));
    }
    const line = `{"seq":${this.#seq + 1},"prev":"${this.#hash}","entry":${json}}`;
    const size = Buffer.byteLength(line) + 1;
    if (this.#bytes + size > this.maxBytes)
      return Promise.reject(
        new StoreError('LOG_FULL', { file: this.file, maxBytes: this.maxBytes }),
      );
    const record: LogRecord<T> = {
      seq: this.#seq + 1,
      hash: hashOf(line),
      entry: JSON.parse(json) as T,
    };
    this.#seq = record.seq;
    this.#hash = record.hash;
    this.#bytes += size;
    return new Promise<LogRecord<T>>((resolve, reject) => {
      this.#pending.push({ line: `${line}\n`, resolve: () => resolve(record), reject });
      this.#writing ??= this.#writeLoop();
    });
  }

  /** Every readable record, in order, read from the disk (what is confirmed, and what is being written). */
  records(): AsyncGenerator<LogRecord<T>> {
    return readLogRecords<T>(this.file);
  }

  /** Read the whole log and check every line: readable, numbered one after another, chained to the one before. */
  verify(): Promise<LogVerification> {
    return verifyLogFile(this.file);
  }

  /** Wait for the appends in flight, then close the file. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#writing) await this.#writing;
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    openFiles.delete(this.file);
  }

  async #load(): Promise<void> {
    const created = await makePrivateDirectory(path.dirname(this.file));
    const isNew = await fsp.stat(this.file).then(
      () => false,
      (err: unknown) => {
        if (isMissing(err)) return true;
        throw err;
      },
    );
    // O_APPEND: every write lands at the end, whatever was read before it.
    const handle = await fsp.open(this.file, 'a+', PRIVATE_FILE_MODE);
    this.#handle = handle;
    if (isNew) {
      await handle.sync();
      await syncCreatedDirectories(created ?? path.dirname(this.file), this.file);
    }
    await narrowFile(this.file);
    const { size } = await handle.stat();
    const tail = await lastLines(handle, size);
    if (tail.unfinished > 0) {
      // Bytes after the last newline are a write the process never finished: no append resolved for them.
      await handle.truncate(size - tail.unfinished);
      await handle.datasync();
      this.warnings.push(
        sentence('LOG_TORN_TAIL', STORE_MESSAGES.LOG_TORN_TAIL, {
          file: this.file,
          bytes: tail.unfinished,
        }),
      );
    }
    this.#bytes = size - tail.unfinished;
    if (tail.last !== undefined) {
      this.#hash = hashOf(tail.last);
      this.#seq =
        typeof readRecord(tail.last) === 'string' ? await this.#countRecords() : tail.lastSeq;
    }
  }

  async #writeLoop(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          if (this.#failure) throw this.#failure;
          const handle = this.#handle;
          if (!handle) throw new StoreError('LOG_CLOSED', { file: this.file });
          await writeAll(handle, batch.map((p) => p.line).join(''));
          await handle.datasync();
          for (const p of batch) p.resolve();
        } catch (err) {
          this.#failure ??=
            err instanceof StoreError && err.code !== 'STORE_IO'
              ? err
              : new StoreError('LOG_WRITE_FAILED', { file: this.file }, { cause: err });
          for (const p of batch) p.reject(this.#failure);
        }
      }
    } finally {
      this.#writing = undefined;
    }
  }

  /** The number the last line holds when it is damaged: the last readable one, plus one per damaged line after it. */
  async #countRecords(): Promise<number> {
    let seq = 0;
    for await (const { line } of lines(this.file)) {
      const read = readRecord(line);
      seq = typeof read === 'string' ? seq + 1 : read.seq;
    }
    return seq;
  }
}

function hashOf(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/** A line's record, or why it cannot be read. */
function readRecord<T>(line: string): { seq: number; prev: string; entry: T } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a record';
  const { seq, prev, entry } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return 'no sequence number';
  if (typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)) return 'no hash of the line before';
  if (typeof entry !== 'object' || entry === null) return 'no entry';
  return { seq: seq as number, prev, entry: entry as T };
}

/**
 * The end of the file: the last complete line, the sequence number of the last
 * readable one, and how many bytes follow the last newline. Reads backwards in
 * chunks until a whole line is seen, so opening a long log stays cheap.
 */
async function lastLines(
  handle: FileHandle,
  size: number,
): Promise<{ last?: string; lastSeq: number; unfinished: number }> {
  let start = size;
  let buffer = Buffer.alloc(0);
  for (;;) {
    const from = Math.max(0, start - TAIL_CHUNK);
    const chunk = Buffer.alloc(start - from);
    if (chunk.length > 0) await handle.read(chunk, 0, chunk.length, from);
    buffer = Buffer.concat([chunk, buffer]);
    start = from;
    const lastNewline = buffer.lastIndexOf(0x0a);
    const lineStart = lastNewline <= 0 ? -1 : buffer.lastIndexOf(0x0a, lastNewline - 1);
    // Done once a whole last line is in view, or the start of the file is reached.
    if (start === 0 || lineStart >= 0) break;
  }
  const lastNewline = buffer.lastIndexOf(0x0a);
  const unfinished = buffer.length - (lastNewline + 1);
  if (lastNewline < 0) return { lastSeq: 0, unfinished };
  const complete = buffer.subarray(0, lastNewline).toString('utf8').split('\n');
  const last = complete[complete.length - 1];
  // The last readable record numbers the next one; a damaged last line keeps the chain on its bytes.
  let lastSeq = 0;
  for (let i = complete.length - 1; i >= 0 && lastSeq === 0; i--) {
    const read = readRecord(complete[i]);
    if (typeof read !== 'string') lastSeq = read.seq + (complete.length - 1 - i);
  }
  return { last, lastSeq, unfinished };
}

/** The file's complete lines with their 1-based numbers; a last line without its newline is not given. */
async function* lines(file: string): AsyncGenerator<{ line: string; number: number }> {
  let stream;
  try {
    stream = createReadStream(file, { encoding: 'utf8' });
    await new Promise<void>((resolve, reject) =>
      stream!.once('open', () => resolve()).once('error', reject),
    );
  } catch (err) {
    throw new StoreError('LOG_READ_FAILED', { file }, { cause: err });
  }
  // readline gives a last line without newline too; hold each line back until the next one shows it was complete.
  let number = 0;
  let held: string | undefined;
  let endsWithNewline = false;
  stream.on('data', (chunk) => {
    if (chunk.length > 0) endsWithNewline = (chunk as string).endsWith('\n');
  });
  for await (const line of createInterface({
    input: stream,
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (held !== undefined) yield { line: held, number };
    number += 1;
    held = line;
  }
  if (held !== undefined && endsWithNewline) yield { line: held, number };
}

/**
 * Check a log file without opening it for writing (nothing is cut or changed):
 * every line readable, numbered one after another, chained to the one before.
 */
export async function verifyLogFile(file: string): Promise<LogVerification> {
  const problems: Sentence[] = [];
  let records = 0;
  let expected = 1;
  let previous = LOG_GENESIS;
  let head = { seq: 0, hash: LOG_GENESIS };
  for await (const { line, number } of lines(file)) {
    const hash = hashOf(line);
    const read = readRecord<unknown>(line);
    if (typeof read === 'string') {
      problems.push(
        sentence('LOG_UNREADABLE_LINE', STORE_MESSAGES.LOG_UNREADABLE_LINE, {
          line: number,
          reason: read,
        }),
      );
    } else {
      records += 1;
      if (read.seq !== expected)
        problems.push(
          sentence('LOG_SEQUENCE_GAP', STORE_MESSAGES.LOG_SEQUENCE_GAP, {
            line: number,
            seq: read.seq,
            expected,
          }),
        );
      if (read.prev !== previous)
        problems.push(
          sentence('LOG_CHAIN_BROKEN', STORE_MESSAGES.LOG_CHAIN_BROKEN, { line: number }),
        );
      expected = read.seq + 1;
      head = { seq: read.seq, hash };
    }
    previous = hash;
  }
  return { records, head, problems };
}

/** Every readable record of a log file, in order, read from the disk without opening it for writing. */
export async function* readLogRecords<T>(file: string): AsyncGenerator<LogRecord<T>> {
  for await (const { line } of lines(file)) {
    const read = readRecord<T>(line);
    if (typeof read !== 'string') yield { seq: read.seq, hash: hashOf(line), entry: read.entry };
  }
}
