import { EventEmitter } from 'node:events';
import { Backoff } from '../backoff';
import { LineFormatError } from './line-messages';

/**
 * What the connection needs of a serial port: serialport's SerialPort has it.
 * The port is handed in, never imported here, so that a native binding that
 * fails to load takes down the serial node type only, not the library.
 */
export interface SerialPortLike {
  on(event: 'open', listener: () => void): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (err?: Error & { disconnected?: boolean }) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  removeAllListeners(): unknown;
  write(data: string | Buffer, callback: (err?: Error | null) => void): unknown;
  drain(callback: (err?: Error | null) => void): unknown;
  close(callback?: (err?: Error | null) => void): unknown;
  readonly isOpen: boolean;
}

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd' | 'mark' | 'space';
  stopBits: 1 | 1.5 | 2;
}

/** Opens a port (e.g. `(s) => new SerialPort({ ...s, autoOpen: true })`). */
export type OpenSerialPort = (settings: SerialSettings) => SerialPortLike;

export type SerialState = 'connecting' | 'connected' | 'waiting' | 'disconnected';

export interface SerialStateChange {
  state: SerialState;
  /** waiting: why the port is closed, and when it is tried again. */
  error?: Error;
  retryInMs?: number;
}

export interface SerialConnectionOptions {
  backoff?: Backoff;
  /**
   * Bytes that arrive this soon after opening, up to the first line end, are the
   * tail of a line sent before (the port flushes its input on open, and a board
   * that resets on open prints nothing for a while): dropped. Default 100 ms.
   */
  settleMs?: number;
  /** The longest line kept; a longer one is dropped with a 'problem'. Default 4096. */
  maxLineLength?: number;
}

/**
 * One serial port, kept open: lines in ('line', without the line end; \r\n and
 * \n both end a line), lines out (write), and back by itself after the board is
 * unplugged or the port fails to open (backoff with jitter, the state on each
 * change only: no flood of the same error). `connect` and `disconnect` start
 * and stop it.
 *
 * Events: 'line' (text), 'state' (SerialStateChange), 'problem' (an error that
 * closes nothing, such as a line too long).
 */
export class SerialConnection extends EventEmitter {
  readonly #open: OpenSerialPort;
  readonly #backoff: Backoff;
  readonly #settleMs: number;
  readonly #maxLineLength: number;
  #port: SerialPortLike | undefined;
  #timer: NodeJS.Timeout | undefined;
  #wanted = false;
  #state: SerialState = 'disconnected';
  #partial = '';
  #openedAt = 0;
  #firstLine = true;
  #firstBytesAt: number | undefined;
  #dropping = false;

  constructor(
    readonly settings: SerialSettings,
    open: OpenSerialPort,
    options: SerialConnectionOptions = {},
  ) {
    super();
    this.#open = open;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 1000, maxMs: 30_000 });
    this.#settleMs = options.settleMs ?? 100;
    this.#maxLineLength = options.maxLineLength ?? 4096;
  }

  get state(): SerialState {
    return this.#state;
  }

  /** Open the port, and keep it open until disconnect(). */
  connect(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#backoff.reset();
    this.#attempt();
  }

  /** Close the port and stay closed until connect(). */
  async disconnect(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#timer);
    const port = this.#port;
    this.#port = undefined;
    this.#partial = ''; // a line cut off by a close is not a line
    if (port !== undefined) {
      port.removeAllListeners();
      port.on('error', () => undefined);
      if (port.isOpen) await new Promise<void>((done) => port.close(() => done()));
    }
    this.#setState({ state: 'disconnected' });
  }

  /** Write one line (a \n is added when it has none); resolves once it left. */
  write(line: string): Promise<void> {
    const port = this.#port;
    if (port === undefined || !port.isOpen || this.#state !== 'connected')
      return Promise.reject(new LineFormatError('SERIAL_NOT_OPEN', { path: this.settings.path }));
    const text = line.endsWith('\n') ? line : `${line}\n`;
    return new Promise((resolve, reject) => {
      port.write(text, (err) => {
        if (err) return reject(err);
        port.drain((drainErr) => (drainErr ? reject(drainErr) : resolve()));
      });
    });
  }

  #attempt(): void {
    if (!this.#wanted) return;
    this.#setState({ state: 'connecting' });
    let port: SerialPortLike;
    try {
      port = this.#open(this.settings);
    } catch (err) {
      this.#lost(
        err instanceof Error
          ? err
          : new LineFormatError('SERIAL_OPEN_FAILED', {
              path: this.settings.path,
              reason: String(err),
            }),
        undefined,
      );
      return;
    }
    this.#port = port;
    port.on('open', () => {
      this.#backoff.reset();
      this.#openedAt = Date.now();
      this.#firstLine = true;
      this.#firstBytesAt = undefined;
      this.#partial = '';
      this.#dropping = false;
      this.#setState({ state: 'connected' });
    });
    port.on('data', (chunk) => this.#take(chunk));
    port.on('error', (err) => this.#lost(err, port));
    port.on('close', (err) =>
      this.#lost(err ?? new LineFormatError('SERIAL_CLOSED', { path: this.settings.path }), port),
    );
  }

  /** The port closed or never opened: say so once, and try again after a while. */
  #lost(err: Error, port: SerialPortLike | undefined): void {
    if (port !== undefined && port !== this.#port) return; // an old port's last words
    if (port !== undefined) {
      port.removeAllListeners();
      port.on('error', () => undefined);
      if (port.isOpen) port.close();
    }
    this.#port = undefined;
    this.#partial = ''; // a line cut off by a close is not a line
    if (!this.#wanted) return;
    clearTimeout(this.#timer);
    const retryInMs = this.#backoff.next();
    this.#setState({ state: 'waiting', error: err, retryInMs });
    this.#timer = setTimeout(() => this.#attempt(), retryInMs);
  }

  #take(chunk: Buffer): void {
    // When the first bytes came says whether the first line is whole (see settleMs).
    if (this.#firstLine && this.#firstBytesAt === undefined) this.#firstBytesAt = Date.now();
    const text = this.#partial + chunk.toString('latin1');
    // Lines are cut out by index, the \r of a \r\n left out, in one pass over the chunk.
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      this.#line(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
      start = end + 1;
    }
    let rest = start === 0 ? text : text.slice(start);
    if (rest.length > this.#maxLineLength) {
      if (!this.#dropping)
        this.emit('problem', new LineFormatError('LINE_TOO_LONG', { max: this.#maxLineLength }));
      this.#dropping = true;
      rest = '';
    }
    this.#partial = rest;
  }

  #line(line: string): void {
    const first = this.#firstLine;
    this.#firstLine = false;
    if (this.#dropping) {
      this.#dropping = false; // the end of a line too long: what follows is whole again
      return;
    }
    if (first && (this.#firstBytesAt ?? 0) - this.#openedAt < this.#settleMs) return;
    if (line === '') return;
    this.emit('line', line);
  }

  #setState(change: SerialStateChange): void {
    if (change.state === this.#state && change.state !== 'waiting') return;
    this.#state = change.state;
    this.emit('state', change);
  }
}
