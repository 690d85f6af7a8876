import vm from 'node:vm';

/**
 * The decoder's own context (node:vm), as the uplink worker runs it: the
 * JavaScript built-ins only, no require, process, timers, eval or new Function,
 * a time limit on loading and on every call, promise jobs run inside it. It runs
 * in a worker thread (uplink-worker.ts), never in the runtime's own thread: a
 * time limit that interrupts promise jobs can corrupt Node's async hook stack
 * and abort the process, and a decoder may exhaust its memory; either takes down
 * the worker only.
 */

export const RUNNER = '__senfedDecodeUplink__';
export const INPUT = '__senfedUplinkInput__';

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

export type Outcome =
  | { outcome: 'threw'; error: string }
  | { outcome: 'not-object'; kind: string }
  | { outcome: 'unreadable'; error: string }
  | { outcome: 'returned'; result: Record<string, unknown> };

/** What the sandbox says went wrong, for the caller to turn into its DeviceError. */
export type SandboxFailure =
  | { failure: 'compile'; error: string }
  | { failure: 'load-timeout' }
  | { failure: 'load-failed'; error: string }
  | { failure: 'no-function' }
  | { failure: 'timeout' }
  | { failure: 'threw'; error: string };

export interface Sandbox {
  /** The outcome as JSON text, or a failure. */
  call(inputJson: string): string | SandboxFailure;
}

/** Compile and load a decoder in a context of its own; a failure when it cannot be. */
export function openSandbox(
  source: string,
  filename: string,
  timeout: number,
): Sandbox | SandboxFailure {
  let script: vm.Script;
  try {
    script = new vm.Script(source, { filename });
  } catch (err) {
    return { failure: 'compile', error: errorText(err) };
  }
  const context = vm.createContext(Object.create(null) as object, {
    name: filename,
    codeGeneration: { strings: false, wasm: false },
    // Promise jobs run before runInContext returns, within the time limit.
    microtaskMode: 'afterEvaluate',
  });
  new vm.Script(BOOTSTRAP, { filename: 'senfed-uplink-runner.js' }).runInContext(context);
  try {
    script.runInContext(context, { timeout, breakOnSigint: false });
  } catch (err) {
    if (isTimeout(err)) return { failure: 'load-timeout' };
    return { failure: 'load-failed', error: errorText(err) };
  }
  try {
    if (new vm.Script(PROBE).runInContext(context, { timeout }) !== true)
      return { failure: 'no-function' };
  } catch {
    return { failure: 'no-function' };
  }
  const call = new vm.Script(CALL, { filename: 'senfed-uplink-call.js' });
  const slots = context as Record<string, unknown>;
  return {
    call(inputJson) {
      slots[INPUT] = inputJson;
      try {
        return String(call.runInContext(context, { timeout }));
      } catch (err) {
        if (isTimeout(err)) return { failure: 'timeout' };
        // What the runner itself cannot catch: a stack overflow, say.
        return { failure: 'threw', error: errorText(err) };
      } finally {
        slots[INPUT] = undefined;
      }
    },
  };
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
