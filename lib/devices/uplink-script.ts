import vm from 'node:vm';
import { describe } from '../senml/errors';
import { suggestUnit } from '../senml/units';
import { DeviceError } from './errors';
import { type DeviceReading, readingUnit, sanitizeReadingName } from './readings';

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
  decode(input: UplinkInput): UplinkResult;
}

export const DEFAULT_UPLINK_TIMEOUT = 100;
/** The longest time limit one call may be given, in milliseconds. */
export const MAX_UPLINK_TIMEOUT = 60_000;

const RUNNER = '__senfedDecodeUplink__';
const INPUT = '__senfedUplinkInput__';

/*
 * Installed in each context before the decoder's own code, so that the decoder
 * cannot replace what it uses (JSON, Date): it reads the input given as JSON text,
 * calls decodeUplink (found when called, as the decoder's top level declared it),
 * and hands back JSON text, so that nothing of the decoder's runs outside the time
 * limit (a getter, toJSON or toString runs during the stringify, inside it).
 */
const BOOTSTRAP = `(function (g) {
  'use strict';
  var parse = JSON.parse, stringify = JSON.stringify, MakeDate = Date, isArray = Array.isArray;
  var ErrorClass = Error, toText = String, define = Object.defineProperty;
  function said(e) {
    try { return e instanceof ErrorClass ? toText(e.message) : toText(e); } catch (_) { return 'an error'; }
  }
  function kind(v) {
    if (v === null) return 'null';
    if (isArray(v)) return 'list';
    if (typeof v === 'object' && typeof v.then === 'function') return 'promise';
    return typeof v;
  }
  define(g, '${RUNNER}', { value: function () {
    var a = parse(g['${INPUT}']);
    var input = { bytes: a.bytes, fPort: a.fPort };
    if (a.recvTime !== undefined) input.recvTime = new MakeDate(a.recvTime);
    if (a.variables !== undefined) input.variables = a.variables;
    var out;
    try { out = decodeUplink(input); } catch (e) { return stringify({ outcome: 'threw', error: said(e) }); }
    var k = kind(out);
    if (k !== 'object') return stringify({ outcome: 'not-object', kind: k });
    try { return stringify({ outcome: 'returned', result: out }); }
    catch (e) { return stringify({ outcome: 'unreadable', error: said(e) }); }
  } });
})(globalThis);`;

const PROBE = `typeof decodeUplink === 'function'`;
const CALL = `${RUNNER}()`;

type Outcome =
  | { outcome: 'threw'; error: string }
  | { outcome: 'not-object'; kind: string }
  | { outcome: 'unreadable'; error: string }
  | { outcome: 'returned'; result: Record<string, unknown> };

/**
 * Compile a decoder once, for many calls. Throws a DeviceError when the text does
 * not compile, fails or runs past the time limit while loading, defines no
 * decodeUplink, or when an option is wrong. See the module's note: vm is not a
 * security boundary; the time limit protects against loops, not against a
 * malicious author.
 */
export function compileUplinkScript(
  source: string,
  options: UplinkScriptOptions = {},
): UplinkDecoder {
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

  let script: vm.Script;
  try {
    script = new vm.Script(source, { filename });
  } catch (err) {
    throw new DeviceError('DEVICE_SCRIPT_COMPILE', { error: errorText(err) });
  }
  // A context with the JavaScript built-ins only: Node's globals (require, process,
  // Buffer, setTimeout…) are not in it. Promise jobs run before runInContext returns,
  // within the time limit.
  const context = vm.createContext(Object.create(null) as object, {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  new vm.Script(BOOTSTRAP, { filename: 'senfed-uplink-runner.js' }).runInContext(context);
  try {
    script.runInContext(context, { timeout, breakOnSigint: false });
  } catch (err) {
    if (isTimeout(err)) throw new DeviceError('DEVICE_SCRIPT_LOAD_TIMEOUT', { timeout });
    throw new DeviceError('DEVICE_SCRIPT_LOAD_FAILED', { error: errorText(err) });
  }
  if (new vm.Script(PROBE).runInContext(context, { timeout }) !== true)
    throw new DeviceError('DEVICE_SCRIPT_NO_FUNCTION');
  const call = new vm.Script(CALL, { filename: 'senfed-uplink-call.js' });
  const slots = context as Record<string, unknown>;

  return {
    decode(input: UplinkInput): UplinkResult {
      slots[INPUT] = inputJson(input);
      let text: unknown;
      try {
        text = call.runInContext(context, { timeout });
      } catch (err) {
        if (isTimeout(err))
          throw new DeviceError('DEVICE_SCRIPT_TIMEOUT', { timeout, fPort: input.fPort });
        // What the runner itself cannot catch: a stack overflow, say.
        throw new DeviceError('DEVICE_SCRIPT_THREW', { fPort: input.fPort, error: errorText(err) });
      } finally {
        slots[INPUT] = undefined;
      }
      return readOutcome(JSON.parse(String(text)) as Outcome, input.fPort, units);
    },
  };
}

function readOutcome(
  outcome: Outcome,
  fPort: number,
  units: ReadonlyMap<string, Unit>,
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
  return { readings: flatten(record, units), data: record, warnings: texts(result.warnings) };
}

interface Unit {
  unit: string;
  convert: (value: number) => number;
}

function checkUnits(units: Readonly<Record<string, string>>): ReadonlyMap<string, Unit> {
  const checked = new Map<string, Unit>();
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

/**
 * `data` as readings: numbers as `v`, texts as `vs`, booleans as `vb`; objects
 * flattened with `/` (`gps/lat`), lists with the index (`values/0`); keys made
 * SenML names (other characters become `_`). null (which NaN and Infinity become
 * in JSON) gives no reading.
 */
function flatten(data: Record<string, unknown>, units: ReadonlyMap<string, Unit>): DeviceReading[] {
  const readings: DeviceReading[] = [];
  const keyOf = new Map<string, string>();
  const walk = (value: unknown, key: string, name: string): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'object') {
      const entries = Array.isArray(value)
        ? value.map((item, i): [string, unknown] => [String(i), item])
        : Object.entries(value as Record<string, unknown>);
      for (const [k, item] of entries)
        walk(
          item,
          key === '' ? k : `${key}/${k}`,
          name === '' ? sanitizeReadingName(k) : `${name}/${sanitizeReadingName(k)}`,
        );
      return;
    }
    const first = keyOf.get(name);
    if (first !== undefined)
      throw new DeviceError('DEVICE_SCRIPT_NAME_CLASH', { first, second: key, name });
    keyOf.set(name, key);
    if (typeof value === 'number') {
      const unit = units.get(name);
      readings.push(
        unit === undefined
          ? { n: name, v: value }
          : { n: name, u: unit.unit, v: unit.convert(value) },
      );
    } else if (typeof value === 'boolean') readings.push({ n: name, vb: value });
    else readings.push({ n: name, vs: String(value) });
  };
  walk(data, '', '');
  return readings;
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

function isTimeout(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { message?: unknown }).message === 'string'
  )
    return (err as { message: string }).message;
  return String(err);
}
