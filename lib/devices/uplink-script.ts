import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { describe } from '../senml/errors';
import { suggestUnit } from '../senml/units';
import { DeviceError } from './errors';
import {
  type DeviceReading,
  type ReadingUnit,
  objectReadings,
  readingUnit,
  sanitizeReadingName,
} from './readings';
import type { Outcome, SandboxFailure } from './uplink-sandbox';

/**
 * Payload formatters as The Things Stack (v3) and ChirpStack (v4) run them: a
 * JavaScript text defining `function decodeUplink(input)`, called with
 * `{ bytes, fPort, recvTime?, variables? }` and returning
 * `{ data: {…}, warnings?: [...], errors?: [...] }`.
 *
 * The script runs in a context of its own (node:vm): the JavaScript built-ins
 * only, no `require`, no `process`, no timers, no `eval` or `new Function`, with a
 * time limit on loading it and on every call. node:vm is NOT a security boundary:
 * the time limit stops a decoder that loops by mistake, it does not protect the
 * process from a decoder written to harm it (one can reach the outer realm through
 * what crosses the boundary, or exhaust memory). Run only decoders you trust, as you
 * would trust a function node.
 */

export interface UplinkScriptOptions {
  /** Milliseconds each call (and the loading of the script) may run; 100 unless given. */
  timeout?: number;
  /** Units of readings by their SenML name (`temperature`, `gps/alt`): SenML units only. */
  units?: Readonly<Record<string, string>>;
  /** The file name stack traces and syntax errors give; `uplink-decoder.js` unless given. */
  filename?: string;
}

export interface UplinkInput {
  bytes: Uint8Array | readonly number[];
  fPort: number;
  recvTime?: Date;
  /** The device's or application's variables, as TTS and ChirpStack pass them. */
  variables?: Readonly<Record<string, string>>;
}

export interface UplinkResult {
  readings: DeviceReading[];
  /** `data` as the decoder returned it, through JSON (dates as ISO texts). */
  data: Record<string, unknown>;
  warnings: string[];
}

export interface UplinkDecoder {
  /** Decode one uplink; rejects with a DeviceError. Calls are answered in order. */
  decode(input: UplinkInput): Promise<UplinkResult>;
  /** Stop the decoder's thread. */
  close(): Promise<void>;
}

export const DEFAULT_UPLINK_TIMEOUT = 100;
/** The longest time limit one call may be given, in milliseconds. */
export const MAX_UPLINK_TIMEOUT = 60_000;

/** Past its own time limit, this long for the thread to answer before it is stopped (ms). */
const WATCHDOG_MARGIN_MS = 2000;
/** The heap a decoder's thread may use: one that asks for more ends its thread, not the runtime. */
const DECODER_HEAP_MB = 64;

/**
 * Compile a decoder once, for many calls, in a worker thread of its own (see
 * uplink-sandbox.ts for why not in this thread). Rejects with a DeviceError when
 * the text does not compile, fails or runs past the time limit while loading,
 * defines no decodeUplink, or when an option is wrong. A thread that stops (a
 * decoder that ran out of memory, or one that would not stop at its time limit)
 * fails the calls waiting on it and is started again for the next one. vm is not a
 * security boundary; the time limit protects against loops, not against a
 * malicious author.
 */
export async function compileUplinkScript(
  source: string,
  options: UplinkScriptOptions = {},
): Promise<UplinkDecoder> {
  if (typeof source !== 'string')
    throw new DeviceError('DEVICE_SCRIPT_NOT_TEXT', { got: describe(source) });
  const timeout = options.timeout ?? DEFAULT_UPLINK_TIMEOUT;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_UPLINK_TIMEOUT)
    throw new DeviceError('DEVICE_SCRIPT_TIMEOUT_INVALID', {
      got: describe(timeout),
      max: MAX_UPLINK_TIMEOUT,
    });
  const units = checkUnits(options.units ?? {});
  const filename = options.filename ?? 'uplink-decoder.js';
  const runner = new DecoderThread(source, filename, timeout);
  await runner.start();
  return {
    async decode(input) {
      const json = inputJson(input);
      const answer = await runner.call(json, input.fPort);
      return readOutcome(JSON.parse(answer) as Outcome, input.fPort, units);
    },
    close: () => runner.stop(),
  };
}

/** One decoder's worker thread, started again after it stopped. */
class DecoderThread {
  #worker: Worker | undefined;
  #ready: Promise<void> | undefined;
  #next = 0;
  readonly #waiting = new Map<
    number,
    { resolve: (text: string) => void; reject: (err: DeviceError) => void; fPort: number }
  >();

  constructor(
    readonly source: string,
    readonly filename: string,
    readonly timeout: number,
  ) {}

  start(): Promise<void> {
    if (this.#ready !== undefined) return this.#ready;
    const worker = new Worker(join(__dirname, 'uplink-worker.js'), {
      workerData: { source: this.source, filename: this.filename, timeout: this.timeout },
      resourceLimits: { maxOldGenerationSizeMb: DECODER_HEAP_MB },
      stdout: true,
      stderr: true,
    });
    worker.unref(); // a decoder never keeps the runtime from exiting
    this.#worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (first: { ready: boolean; failure?: SandboxFailure }) => {
        if (first.ready) return resolve();
        reject(loadError(first.failure!, this.timeout));
      });
      worker.once('error', (err) => reject(stopped(err.message)));
      worker.once('exit', (code) => reject(stopped(`exit code ${code}`)));
    });
    this.#ready = ready;
    ready.then(
      () => {
        worker.on('message', ({ id, answer }: { id: number; answer: string | SandboxFailure }) => {
          const call = this.#waiting.get(id);
          if (call === undefined) return;
          this.#waiting.delete(id);
          if (typeof answer === 'string') call.resolve(answer);
          else call.reject(callError(answer, this.timeout, call.fPort));
        });
        const fail = (reason: string): void => this.#lost(worker, stopped(reason));
        worker.on('error', (err) => fail(err.message));
        worker.on('exit', (code) => fail(`exit code ${code}`));
      },
      () => this.#lost(worker, undefined),
    );
    return ready;
  }

  async call(input: string, fPort: number): Promise<string> {
    await this.start();
    const worker = this.#worker!;
    const id = (this.#next += 1);
    return new Promise<string>((resolve, reject) => {
      // The thread's own limit stops the decoder; this one stops a thread that does not answer.
      const watchdog = setTimeout(() => {
        this.#lost(
          worker,
          new DeviceError('DEVICE_SCRIPT_TIMEOUT', { timeout: this.timeout, fPort }),
        );
        void worker.terminate();
      }, this.timeout + WATCHDOG_MARGIN_MS);
      watchdog.unref();
      this.#waiting.set(id, {
        resolve: (text) => {
          clearTimeout(watchdog);
          resolve(text);
        },
        reject: (err) => {
          clearTimeout(watchdog);
          reject(err);
        },
        fPort,
      });
      worker.postMessage({ id, input });
    });
  }

  async stop(): Promise<void> {
    const worker = this.#worker;
    this.#lost(worker, undefined);
    if (worker !== undefined) await worker.terminate();
  }

  /** The thread is gone: fail what waits on it; the next call starts a new one. */
  #lost(worker: Worker | undefined, err: DeviceError | undefined): void {
    if (worker === undefined || worker !== this.#worker) return;
    this.#worker = undefined;
    this.#ready = undefined;
    for (const [id, call] of this.#waiting) {
      this.#waiting.delete(id);
      call.reject(err ?? stopped('closed'));
    }
  }
}

function stopped(reason: string): DeviceError {
  return new DeviceError('DEVICE_SCRIPT_STOPPED', { error: reason });
}

function loadError(failure: SandboxFailure, timeout: number): DeviceError {
  switch (failure.failure) {
    case 'compile':
      return new DeviceError('DEVICE_SCRIPT_COMPILE', { error: failure.error });
    case 'load-timeout':
      return new DeviceError('DEVICE_SCRIPT_LOAD_TIMEOUT', { timeout });
    case 'load-failed':
      return new DeviceError('DEVICE_SCRIPT_LOAD_FAILED', { error: failure.error });
    case 'no-function':
      return new DeviceError('DEVICE_SCRIPT_NO_FUNCTION');
    default:
      return stopped(failure.failure);
  }
}

function callError(failure: SandboxFailure, timeout: number, fPort: number): DeviceError {
  if (failure.failure === 'timeout')
    return new DeviceError('DEVICE_SCRIPT_TIMEOUT', { timeout, fPort });
  const error = 'error' in failure ? failure.error : failure.failure;
  return new DeviceError('DEVICE_SCRIPT_THREW', { fPort, error });
}

function readOutcome(
  outcome: Outcome,
  fPort: number,
  units: ReadonlyMap<string, ReadingUnit>,
): UplinkResult {
  switch (outcome.outcome) {
    case 'threw':
      throw new DeviceError('DEVICE_SCRIPT_THREW', { fPort, error: outcome.error });
    case 'not-object':
      throw new DeviceError('DEVICE_SCRIPT_NOT_OBJECT', { got: outcome.kind });
    case 'unreadable':
      throw new DeviceError('DEVICE_SCRIPT_UNREADABLE', { error: outcome.error });
  }
  const { result } = outcome;
  const errors = texts(result.errors);
  if (errors.length > 0)
    throw new DeviceError('DEVICE_SCRIPT_ERRORS', { fPort, errors: errors.join('; ') });
  const data = result.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new DeviceError('DEVICE_SCRIPT_NO_DATA', { got: describe(data) });
  const record = data as Record<string, unknown>;
  return {
    readings: objectReadings(record, scriptClash, units),
    data: record,
    warnings: texts(result.warnings),
  };
}

function checkUnits(units: Readonly<Record<string, string>>): ReadonlyMap<string, ReadingUnit> {
  const checked = new Map<string, ReadingUnit>();
  for (const [name, symbol] of Object.entries(units)) {
    // RFC 8428: "%" is a ratio (0..1), which decoders mean as a percentage: ask for /100.
    if (symbol === '%') throw new DeviceError('DEVICE_SCRIPT_UNIT_PERCENT', { name });
    const unit = typeof symbol === 'string' ? readingUnit(symbol) : undefined;
    if (unit === undefined) {
      const suggestion = typeof symbol === 'string' ? suggestUnit(symbol) : undefined;
      throw suggestion === undefined
        ? new DeviceError('DEVICE_SCRIPT_UNIT_UNKNOWN', { name, unit: String(symbol) })
        : new DeviceError('DEVICE_SCRIPT_UNIT_SUGGEST', {
            name,
            unit: symbol as string,
            suggestion,
          });
    }
    checked.set(sanitizeReadingName(name), unit);
  }
  return checked;
}

const scriptClash = (first: string, second: string, name: string): Error =>
  new DeviceError('DEVICE_SCRIPT_NAME_CLASH', { first, second, name });

/** An object of readings (a network server's decoded payload, say) as readings, as decodeUplink's `data`. */
export function dataReadings(data: Record<string, unknown>): DeviceReading[] {
  return objectReadings(data, scriptClash);
}

function inputJson(input: UplinkInput): string {
  const fPort = input.fPort;
  if (!Number.isInteger(fPort) || fPort < 0 || fPort > 255)
    throw new DeviceError('DEVICE_SCRIPT_PORT_INVALID', { got: describe(fPort) });
  const bytes = input.bytes;
  const list =
    bytes instanceof Uint8Array ? Array.from(bytes) : Array.isArray(bytes) ? [...bytes] : undefined;
  if (list === undefined || !list.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    throw new DeviceError('DEVICE_SCRIPT_BYTES_INVALID', { got: describe(bytes) });
  const given: Record<string, unknown> = { bytes: list, fPort };
  if (input.recvTime !== undefined) given.recvTime = input.recvTime.getTime();
  if (input.variables !== undefined) given.variables = input.variables;
  return JSON.stringify(given);
}

function texts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}
