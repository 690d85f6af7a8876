/**
 * A board on a serial port, played through a socat pseudo-terminal pair: the
 * node opens `device`, the test writes what the board prints to `board` and
 * reads what the node writes back. Ending socat is unplugging the board;
 * starting it again on the same paths is plugging it back in.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class PtyBoard {
  readonly device: string;
  readonly board: string;
  #socat: ChildProcess | undefined;
  #fd: number | undefined;

  constructor(dir = mkdtempSync(join(tmpdir(), 'senfed-pty-'))) {
    this.device = join(dir, 'ttyDEVICE');
    this.board = join(dir, 'ttyBOARD');
  }

  /** Plug in: start socat and wait for both ends. socat missing is a failure, not a skip. */
  async plug(): Promise<void> {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
    this.#socat = spawn(
      'socat',
      [`pty,raw,echo=0,link=${this.device}`, `pty,raw,echo=0,link=${this.board}`],
      { stdio: 'ignore' },
    );
    for (const end = Date.now() + 5000; !(existsSync(this.device) && existsSync(this.board));) {
      if (Date.now() > end) throw new Error('socat did not make the pseudo-terminals');
      await new Promise((r) => setTimeout(r, 10));
    }
    // Non-blocking: read() returns what is there, and never waits for the node.
    this.#fd = openSync(this.board, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  }

  /** Unplug: end socat (the device end closes under the reader). */
  async unplug(): Promise<void> {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    const socat = this.#socat;
    this.#socat = undefined;
    if (socat === undefined || socat.exitCode !== null) return;
    const ended = new Promise((r) => socat.once('exit', r));
    socat.kill('SIGTERM');
    await ended;
    for (const end = Date.now() + 2000; existsSync(this.device) && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 10));
  }

  /** What the board prints. */
  print(text: string): void {
    if (this.#fd === undefined) throw new Error('the board is unplugged');
    writeSync(this.#fd, text);
  }

  /** What was written to the board so far (non-blocking read of what is there). */
  read(): string {
    if (this.#fd === undefined) return '';
    const chunk = Buffer.alloc(4096);
    let text = '';
    try {
      for (;;) {
        const n = readSync(this.#fd, chunk, 0, chunk.length, null);
        if (n <= 0) break;
        text += chunk.toString('latin1', 0, n);
        if (n < chunk.length) break;
      }
    } catch {
      // EAGAIN: nothing more for now
    }
    return text;
  }
}
