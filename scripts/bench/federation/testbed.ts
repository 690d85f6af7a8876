/**
 * The local federation of scripts/federation/federation.sh, for the benchmark:
 * two Prosody servers, sen1.test (127.0.0.1) and sen2.test (127.0.0.2),
 * federating over s2s with TLS. The benchmark starts it fresh and stops it at
 * the end; without Prosody it cannot run, and says so.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository root: this file runs from dist/scripts/bench/federation/. */
export const ROOT = resolve(__dirname, '..', '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'federation', 'federation.sh');
export const STATE_DIR = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';

export interface BedServer {
  domain: string;
  address: string;
  c2sPort: number;
  pubsub: string;
  service: string;
}

export interface Bed {
  caFile: string;
  servers: Record<'sen1' | 'sen2', BedServer>;
  users: Record<
    string,
    { username: string; domain: string; server: 'sen1' | 'sen2'; password: string }
  >;
}

/** The test bed could not be started: the benchmark cannot measure anything. */
export class TestBedError extends Error {
  constructor(
    message: string,
    readonly output = '',
  ) {
    super(message);
    this.name = 'TestBedError';
  }
}

function run(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (err)
          reject(
            new TestBedError(
              `federation.sh ${args.join(' ')} failed: ${err.message.split('\n')[0]}`,
              output,
            ),
          );
        else resolvePromise(output);
      },
    );
  });
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether Prosody is installed (federation.sh installs it with apt-get when it can). */
export function prosodyInstalled(): boolean {
  return onPath('prosody') && onPath('prosodyctl');
}

/** Start a fresh test bed (the state directory is wiped); resolves once federation works. */
export async function startTestBed(): Promise<{ bed: Bed; seconds: number }> {
  if (!existsSync(SCRIPT)) throw new TestBedError(`${SCRIPT} not found`);
  const began = performance.now();
  await run(['start'], 240_000);
  const file = join(STATE_DIR, 'federation.json');
  let bed: Bed;
  try {
    bed = JSON.parse(readFileSync(file, 'utf8')) as Bed;
  } catch (err) {
    throw new TestBedError(
      `federation.sh start succeeded but ${file} is unreadable: ${(err as Error).message}`,
    );
  }
  return { bed, seconds: (performance.now() - began) / 1000 };
}

export async function stopTestBed(): Promise<void> {
  await run(['stop'], 60_000);
}

/** Account options (XmppSession) for a test bed user, trusting the test bed's CA. */
export function account(
  bed: Bed,
  jid: string,
): { jid: string; password: string; host: string; port: number; caFile: string } {
  const user = bed.users[jid];
  if (!user) throw new TestBedError(`no test bed user ${jid} in ${STATE_DIR}/federation.json`);
  const server = bed.servers[user.server];
  return {
    jid,
    password: user.password,
    host: server.address,
    port: server.c2sPort,
    caFile: bed.caFile,
  };
}

/** Process ids of the two Prosody servers, from their pidfiles. */
export function prosodyPids(): Record<'sen1' | 'sen2', number | undefined> {
  const pid = (name: string): number | undefined => {
    try {
      const value = Number.parseInt(readFileSync(join(STATE_DIR, name, 'prosody.pid'), 'utf8'), 10);
      return Number.isSafeInteger(value) ? value : undefined;
    } catch {
      return undefined;
    }
  };
  return { sen1: pid('sen1'), sen2: pid('sen2') };
}

const CLOCK_TICKS_PER_MS = 100 / 1000; // USER_HZ is 100 on Linux

/** CPU time (user + system, ms) a process has used so far; NaN when it cannot be read. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_MS;
  } catch {
    return Number.NaN;
  }
}
