/**
 * The local federation of scripts/federation/federation.sh, for tests: two real
 * Prosody servers, sen1.test (127.0.0.1) and sen2.test (127.0.0.2). A missing
 * Prosody fails the tests that need it (the script installs it when it can).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'federation', 'federation.sh');
const STATE = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';

export interface TestBedServer {
  domain: string;
  address: string;
  c2sPort: number;
  pubsub: string;
  admin: string;
  config: string;
  log: string;
}

export interface TestBed {
  caFile: string;
  servers: Record<'sen1' | 'sen2', TestBedServer>;
  users: Record<
    string,
    { username: string; domain: string; server: 'sen1' | 'sen2'; password: string }
  >;
}

export function federation(...args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `federation.sh ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stdout}\n${stderr}`,
            ),
          );
        else resolvePromise(stdout + stderr);
      },
    );
  });
}

export async function startTestBed(): Promise<TestBed> {
  await federation('start');
  return JSON.parse(readFileSync(join(STATE, 'federation.json'), 'utf8')) as TestBed;
}

export async function stopTestBed(): Promise<void> {
  await federation('stop');
}

/** Account options for a test bed user, trusting the test bed's CA. */
export function account(
  bed: TestBed,
  jid: string,
): { jid: string; password: string; host: string; port: number; caFile: string } {
  const user = bed.users[jid];
  if (!user) throw new Error(`no test bed user ${jid}`);
  const server = bed.servers[user.server];
  return {
    jid,
    password: user.password,
    host: server.address,
    port: server.c2sPort,
    caFile: bed.caFile,
  };
}

export function waitFor<T>(
  what: string,
  ms: number,
  attach: (resolve: (value: T) => void) => void,
): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)),
      ms,
    );
    attach((value) => {
      clearTimeout(timer);
      resolvePromise(value);
    });
  });
}
