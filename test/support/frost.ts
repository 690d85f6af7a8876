/**
 * The local FROST-Server of scripts/sensorthings/frost.sh, for tests: the real OGC
 * SensorThings API reference server on a private Tomcat and PostgreSQL (loopback
 * ports, state in $SENFED_FROST_DIR, default /tmp/senfed-frost). A FROST that
 * cannot start fails the tests that need it, with the script's reason.
 *
 * One server serves the whole mocha run: every suite calls startFrost() in its
 * `before` (the first call starts it unless it already runs, later calls reuse it),
 * and none stops it. A root `after` hook, registered when this module is loaded,
 * stops it at the end of the run, and only if this run started it: a server started
 * by hand before the run is left running.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'sensorthings', 'frost.sh');
const STATE = process.env.SENFED_FROST_DIR || '/tmp/senfed-frost';

export interface Frost {
  /** e.g. http://127.0.0.1:18080/FROST-Server/v1.1 */
  serviceRoot: string;
  serviceRootV10: string;
  /** e.g. mqtt://127.0.0.1:18883 */
  mqttUrl: string;
  mqttWebsocketPort: number;
  httpPort: number;
  dir: string;
  postgresql: { host: string; port: number; database: string; user: string; password: string };
  /** Which war runs: Maven, the shared copy or SENFED_FROST_WAR. */
  war: string;
  logs: { tomcat: string; postgresql: string };
}

/**
 * Runs frost.sh with the given arguments; rejects with its whole output. A first
 * start may install Debian packages: it is given up to 15 minutes.
 */
export function frost(...args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `frost.sh ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stdout}\n${stderr}`,
            ),
          );
        else resolvePromise(stdout + stderr);
      },
    );
  });
}

/** Whether Tomcat and PostgreSQL of the state directory run and FROST answers. */
export async function frostRunning(): Promise<boolean> {
  try {
    await frost('status');
    return true;
  } catch {
    return false;
  }
}

function readInfo(): Frost {
  return JSON.parse(readFileSync(join(STATE, 'frost.json'), 'utf8')) as Frost;
}

let starting: Promise<Frost> | undefined;
let startedHere = false;

/** The running FROST, started by this call if it was not running. */
export async function startFrost(): Promise<Frost> {
  starting ??= (async () => {
    if (!(await frostRunning())) {
      await frost('start');
      startedHere = true;
    }
    return readInfo();
  })();
  try {
    return await starting;
  } catch (err) {
    starting = undefined;
    throw err;
  }
}

/**
 * Stops FROST if this process started it (suites leave that to the root hook;
 * programs other than mocha call it when done). Data stays in the state directory.
 */
export async function stopFrost(): Promise<void> {
  const started = startedHere;
  starting = undefined;
  startedHere = false;
  if (started) await frost('stop');
}

// Loaded while mocha reads the test files, at top level: this `after` belongs to the
// root suite and runs once, after every file.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(120_000);
    await stopFrost();
  });
}
