/**
 * A private Mosquitto broker for one test file: Debian's `mosquitto` on a free
 * loopback port of its own, anonymous, without persistence. A machine without
 * Mosquitto fails the test (scripts/install-test-deps.sh installs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Broker {
  port: number;
  url: string;
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startBroker(): Promise<Broker> {
  if (!existsSync(MOSQUITTO))
    throw new Error(`${MOSQUITTO} is missing: run scripts/install-test-deps.sh`);
  const dir = mkdtempSync(join(tmpdir(), 'senfed-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', ''].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  for (const end = Date.now() + 10_000; !(await accepts(port));) {
    if (exited || Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not start on port ${port}: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    stop: async () => {
      if (!exited) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
