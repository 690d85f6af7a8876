/** Crash tests: a child process that writes, killed with SIGKILL among its writes. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/** Run `code` in a child process, kill it with SIGKILL `ms` after its first line, and return the lines it printed. */
export async function runAndKill(
  code: string,
  env: Record<string, string>,
  ms: number,
): Promise<string[]> {
  const child = spawn(process.execPath, ['-e', code], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const closed = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, signal) => resolve(signal)),
  );
  // Wait for the first line, so that the kill lands among the writes, not before them.
  for (const end = Date.now() + 10_000; !out.includes('\n') && Date.now() < end;)
    await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, ms));
  child.kill('SIGKILL');
  const signal = await closed;
  assert.equal(signal, 'SIGKILL', `the child ended on its own: ${err}`);
  return out.split('\n').slice(0, -1); // the last, maybe partial, line is not a report
}
