/**
 * The buoy sketch (examples/arduino/buoy/buoy.ino) built with avr-gcc and run on
 * a simulated ATmega328P by simavr (test/harness/simavr/buoy-pty.c), its UART on
 * a pseudo-terminal. The battery reaches A0 through the sketch's divider (10 kOhm
 * over 10 kOhm), so the harness is given half the battery voltage.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const BATTERY_MV = 3710;
const R_TOP_OHMS = 10_000; // as BUOY_R_TOP_OHMS in the sketch
const R_BOTTOM_OHMS = 10_000; // as BUOY_R_BOTTOM_OHMS
export const A0_MV = Math.round((BATTERY_MV * R_BOTTOM_OHMS) / (R_TOP_OHMS + R_BOTTOM_OHMS));

/** The repository root: the folder holding scripts/devices/build-buoy.sh, above this file. */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'devices', 'build-buoy.sh'))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no scripts/devices/build-buoy.sh above ${__dirname}`);
  }
}

/** Builds the sketch and the harness into `out` with the sketch's -D flags. */
export function build(out: string, defines: string[]): Promise<void> {
  const script = path.join(repositoryRoot(), 'scripts', 'devices', 'build-buoy.sh');
  return new Promise((resolve, reject) => {
    execFile('bash', [script, out, ...defines], { timeout: 240_000 }, (err, _stdout, stderr) =>
      err ? reject(new Error(`build-buoy.sh ${defines.join(' ')} failed: ${stderr}`)) : resolve(),
    );
  });
}

export interface Harness {
  child: ChildProcess;
  pty: string;
  link: string;
  stderr: () => string;
}

/** Starts the harness on `out`/buoy.elf and waits for its "PTY /dev/pts/N" line. */
export function startHarness(out: string, a0Millivolts: number): Promise<Harness> {
  const link = path.join(out, 'tty');
  const child = spawn(
    path.join(out, 'buoy-pty'),
    [path.join(out, 'buoy.elf'), link, String(a0Millivolts)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no PTY line from buoy-pty: ${stderr}`)),
      10_000,
    );
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`buoy-pty ended (${code ?? signal}) before its PTY line: ${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^PTY (\S+)\n/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, pty: match[1], link, stderr: () => stderr });
    });
  });
}

export async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (!harness || harness.child.exitCode !== null || harness.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => harness.child.once('exit', () => resolve()));
  harness.child.kill('SIGTERM');
  const timer = setTimeout(() => harness.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
