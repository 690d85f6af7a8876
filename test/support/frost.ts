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
 *
 * startAuthFrost() is a second one, with HTTP Basic authentication on
 * (SENFED_FROST_AUTH=basic) and FROST's default users: state in
 * $SENFED_FROST_AUTH_DIR (default the first one's directory + "-auth"), ports
 * $SENFED_FROST_AUTH_HTTP_PORT, _PG_PORT, _MQTT_PORT, _MQTT_WS_PORT (default the
 * first one's + 100, + 10, + 100, + 100). Started and stopped the same way.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'sensorthings', 'frost.sh');
const STATE = process.env.SENFED_FROST_DIR || '/tmp/senfed-frost';

/** frost.sh's settings of the authenticated instance, from the SENFED_FROST_AUTH_* variables. */
function authEnvironment(): Record<string, string> {
  const env = process.env;
  const port = (own: string | undefined, base: string | undefined, fallback: number, add: number) =>
    own || String((Number(base) || fallback) + add);
  return {
    SENFED_FROST_AUTH: 'basic',
    SENFED_FROST_DIR: env.SENFED_FROST_AUTH_DIR || `${STATE}-auth`,
    SENFED_FROST_HTTP_PORT: port(
      env.SENFED_FROST_AUTH_HTTP_PORT,
      env.SENFED_FROST_HTTP_PORT,
      18080,
      100,
    ),
    SENFED_FROST_PG_PORT: port(env.SENFED_FROST_AUTH_PG_PORT, env.SENFED_FROST_PG_PORT, 55432, 10),
    SENFED_FROST_MQTT_PORT: port(
      env.SENFED_FROST_AUTH_MQTT_PORT,
      env.SENFED_FROST_MQTT_PORT,
      18883,
      100,
    ),
    SENFED_FROST_MQTT_WS_PORT: port(
      env.SENFED_FROST_AUTH_MQTT_WS_PORT,
      env.SENFED_FROST_MQTT_WS_PORT,
      18876,
      100,
    ),
  };
}

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
  /** `basic` when FROST asks HTTP Basic credentials of every request. */
  auth?: 'none' | 'basic';
  /** The users FROST knows when auth is basic: read (read only), write, admin. */
  users?: Record<string, { password: string; roles: string[] }>;
  logs: { tomcat: string; postgresql: string };
}

/**
 * Runs frost.sh with the given arguments; rejects with its whole output. A first
 * start may install Debian packages: it is given up to 15 minutes.
 */
export function frost(...args: string[]): Promise<string> {
  return frostWith({}, args);
}

function frostWith(env: Record<string, string>, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: 900_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } },
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

function readInfo(dir = STATE): Frost {
  return JSON.parse(readFileSync(join(dir, 'frost.json'), 'utf8')) as Frost;
}

/** One FROST of frost.sh, started at most once by this process. */
class Instance {
  #starting: Promise<Frost> | undefined;
  #startedHere = false;

  constructor(private readonly env: Record<string, string>) {}

  start(): Promise<Frost> {
    this.#starting ??= (async () => {
      // frost.sh start keeps a server that runs in the mode asked (and says so), restarts
      // one that runs in the other mode.
      const said = await frostWith(this.env, ['start']);
      if (!/^frost: already running/m.test(said)) this.#startedHere = true;
      return readInfo(this.env.SENFED_FROST_DIR);
    })();
    return this.#starting.catch((err: unknown) => {
      this.#starting = undefined;
      throw err;
    });
  }

  async stop(): Promise<void> {
    const started = this.#startedHere;
    this.#starting = undefined;
    this.#startedHere = false;
    if (started) await frostWith(this.env, ['stop']);
  }
}

const open = new Instance({ SENFED_FROST_AUTH: 'none' });
let authenticated: Instance | undefined;

/** The running FROST, started by this call if it was not running. */
export function startFrost(): Promise<Frost> {
  return open.start();
}

/**
 * The FROST with HTTP Basic authentication (see the top of this file), started by
 * this call if it was not running; its frost.json lists the users.
 */
export function startAuthFrost(): Promise<
  Frost & { auth: 'basic'; users: NonNullable<Frost['users']> }
> {
  authenticated ??= new Instance(authEnvironment());
  return authenticated.start() as Promise<
    Frost & { auth: 'basic'; users: NonNullable<Frost['users']> }
  >;
}

/**
 * Stops FROST (both of them) if this process started it (suites leave that to the
 * root hook; programs other than mocha call it when done). Data stays in the state
 * directory.
 */
export async function stopFrost(): Promise<void> {
  await Promise.all([open.stop(), authenticated?.stop()]);
}

// Loaded while mocha reads the test files, at top level: this `after` belongs to the
// root suite and runs once, after every file.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(120_000);
    await stopFrost();
  });
}
