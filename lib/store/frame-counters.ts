import { closeSync, fsync, promises as fsp, openSync, renameSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { sentence, type Sentence } from '../errors';
import { isMissing, PRIVATE_FILE_MODE, replaceFile, setAside } from './files';
import { STORE_MESSAGES } from './messages';
import { StoreError } from './store-error';

/**
 * The last frame counter accepted from each LoRaWAN device, and the session it
 * belongs to, in one small JSON file, so that a replayed frame is refused after
 * a restart too:
 *
 *     {"format":"senfed-frame-counters/1","devices":{"26011bda":{"fCnt":70000,"session":"abp"}}}
 *
 * The file is private (0600): it holds the session keys that OTAA joins gave.
 * `accept` resolves once the counter is on disk (written to a temporary file,
 * synced, renamed over the old one): a frame is handed on only after that, so a
 * crash can never let the same frame in twice. Accepts made while a write is
 * under way go together in the next write (one fsync for many frames).
 */
export const FRAME_COUNTERS_FORMAT = 'senfed-frame-counters/1';

export interface DeviceCounter {
  /** The last accepted 32-bit uplink frame counter; -1 before the first frame of a session. */
  fCnt: number;
  /** The session the counter counts in ("abp", or a join's id): a new join starts again. */
  session: string;
  /** The session keys a join gave (hex), kept so that a restart needs no new join. */
  keys?: { devAddr: string; nwkSKey: string; appSKey: string };
}

export class FrameCounters {
  readonly file: string;
  readonly warnings: Sentence[] = [];
  readonly #devices = new Map<string, DeviceCounter>();
  #writing: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;
  #closed = false;
  /** The folder is there and no temporary file of an earlier run is left: replaceQuickly may write. */
  #placed = false;

  private constructor(file: string) {
    this.file = file;
  }

  static async open(file: string): Promise<FrameCounters> {
    const counters = new FrameCounters(file);
    let text: string | undefined;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if (!isMissing(err))
        throw new StoreError(
          'COUNTERS_READ_FAILED',
          { file, cause: err instanceof Error ? err.message : String(err) },
          { cause: err },
        );
    }
    if (text !== undefined) {
      const read = readDevices(text);
      if (read !== undefined) {
        for (const [device, counter] of read) counters.#devices.set(device, counter);
      } else {
        // Refusing every device would stop all data; starting empty lets one replay in per device. Say so.
        const copy = await setAside(file);
        counters.warnings.push(
          sentence('COUNTERS_SET_ASIDE', STORE_MESSAGES.COUNTERS_SET_ASIDE, { file, copy }),
        );
      }
    }
    return counters;
  }

  get(device: string): DeviceCounter | undefined {
    const counter = this.#devices.get(device);
    return counter && { ...counter, ...(counter.keys ? { keys: { ...counter.keys } } : {}) };
  }

  /** Record `fCnt` as the last accepted of `device` in `session`; resolves once on disk. */
  accept(device: string, fCnt: number, session: string): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreError('COUNTERS_CLOSED', { file: this.file }));
    const held = this.#devices.get(device);
    const keys = held?.session === session ? held.keys : undefined;
    this.#devices.set(device, keys === undefined ? { fCnt, session } : { fCnt, session, keys });
    return this.#write();
  }

  /** A join gave `device` a new session: its counter starts again, its keys are kept. */
  joined(device: string, session: string, keys: NonNullable<DeviceCounter['keys']>): Promise<void> {
    if (this.#closed) return Promise.reject(new StoreError('COUNTERS_CLOSED', { file: this.file }));
    this.#devices.set(device, { fCnt: -1, session, keys: { ...keys } });
    return this.#write();
  }

  /** Forget a device (its keys changed: its counters start again). */
  forget(device: string): Promise<void> {
    this.#devices.delete(device);
    return this.#write();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#writing.catch(() => undefined);
    await this.#pending?.catch(() => undefined);
  }

  /** One write after the one under way, for every change made until it starts. */
  #write(): Promise<void> {
    if (this.#pending !== undefined) return this.#pending;
    const pending = this.#writing
      .catch(() => undefined)
      .then(() => {
        this.#pending = undefined;
        const devices = Object.fromEntries(this.#devices);
        return this.#replace(JSON.stringify({ format: FRAME_COUNTERS_FORMAT, devices }));
      });
    this.#pending = pending;
    this.#writing = pending;
    return pending;
  }

  /**
   * The file replaced: the first time by replaceFile (folders made and synced, a
   * temporary file left by a crash removed), then by replaceQuickly, the same steps
   * with two waits instead of eleven; back to replaceFile when the folder went.
   */
  async #replace(data: string): Promise<void> {
    if (this.#placed) {
      try {
        return await replaceQuickly(this.file, data);
      } catch (err) {
        if (!isMissing(err)) throw err;
        this.#placed = false;
      }
    }
    await replaceFile(this.file, data);
    this.#placed = true;
  }
}

/**
 * replaceFile's steps (`<file>.tmp` written 0600 and synced, renamed over the file,
 * the folder synced) for a small file whose folder is known to be there: the
 * open, write, close and rename are synchronous (no disk wait for a few hundred
 * bytes), only the two fsyncs are awaited. Each awaited step of an fs.promises
 * call waits for the event loop to come round, which is long when frames are
 * being decoded: eleven of them made a write last many times its fsyncs.
 */
async function replaceQuickly(file: string, data: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const bytes = Buffer.from(data);
  const fd = openSync(temporary, 'w', PRIVATE_FILE_MODE);
  try {
    for (let written = 0; written < bytes.length;) {
      const n = writeSync(fd, bytes, written, bytes.length - written);
      if (n === 0) throw new StoreError('STORE_DISK_FULL');
      written += n;
    }
    await syncDescriptor(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  // Windows cannot open a folder for syncing, and NTFS journals its metadata.
  if (process.platform === 'win32') return;
  const dir = openSync(path.dirname(file), 'r');
  try {
    await syncDescriptor(dir);
  } finally {
    closeSync(dir);
  }
}

function syncDescriptor(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** The counters a file holds, or undefined when it is not a whole counters file. */
function readDevices(text: string): Map<string, DeviceCounter> | undefined {
  let parsed: { format?: unknown; devices?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed?.format !== FRAME_COUNTERS_FORMAT) return undefined;
  if (typeof parsed.devices !== 'object' || parsed.devices === null) return undefined;
  const devices = new Map<string, DeviceCounter>();
  for (const [device, value] of Object.entries(parsed.devices as Record<string, unknown>)) {
    const counter = value as Partial<DeviceCounter> | null;
    if (!Number.isSafeInteger(counter?.fCnt) || typeof counter?.session !== 'string')
      return undefined;
    devices.set(device, { fCnt: counter.fCnt as number, session: counter.session });
  }
  return devices;
}
