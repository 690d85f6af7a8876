/**
 * The serial connection on a real serial port (serialport 13 on a socat
 * pseudo-terminal pair): lines in and out, the partial first line after opening,
 * and a board unplugged and plugged back in mid-stream.
 */
import assert from 'node:assert/strict';
import { SerialPort } from 'serialport';
import { Backoff } from '../../../lib/backoff';
import {
  SerialConnection,
  type SerialSettings,
  type SerialStateChange,
} from '../../../lib/devices/serial-connection';
import { PtyBoard } from '../../support/pty';

const open = (settings: SerialSettings): SerialPort => new SerialPort({ ...settings });

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !check();) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('serial connection (socat pseudo-terminals)', function () {
  this.timeout(30_000);
  let board: PtyBoard;
  let connection: SerialConnection;
  let lines: string[];
  let states: SerialStateChange[];

  beforeEach(async () => {
    board = new PtyBoard();
    await board.plug();
    connection = new SerialConnection(
      { path: board.device, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
      open,
      { backoff: new Backoff({ initialMs: 50, maxMs: 200, minMs: 20 }) },
    );
    lines = [];
    states = [];
    connection.on('line', (line: string) => lines.push(line));
    connection.on('state', (change: SerialStateChange) => states.push(change));
  });

  afterEach(async () => {
    await connection.disconnect();
    await board.unplug();
  });

  const connected = (): Promise<void> => until('connected', () => connection.state === 'connected');

  it('gives each line without its end (\\n or \\r\\n), and writes lines back to the board', async () => {
    connection.connect();
    await connected();
    await new Promise((r) => setTimeout(r, 150)); // past the settling time
    board.print('water_temperature=21.50 battery=3.71\r\n');
    board.print('water_temperature=21.55 ');
    await new Promise((r) => setTimeout(r, 50));
    board.print('battery=3.70\n\n');
    await until('two lines', () => lines.length === 2);
    assert.deepEqual(lines, [
      'water_temperature=21.50 battery=3.71',
      'water_temperature=21.55 battery=3.70',
    ]);
    await connection.write('PERIOD 5');
    await until('the line at the board', () => board.read().includes('PERIOD 5\n'));
  });

  it('drops the tail of a line the board was printing when the port opened, keeps the next ones', async () => {
    connection.connect();
    await connected();
    board.print('perature=21.50 battery=3.71\nwater_temperature=21.60 battery=3.71\n');
    await until('one line', () => lines.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(lines, ['water_temperature=21.60 battery=3.71']);
  });

  it('a first line that starts after the port settled is whole: kept', async () => {
    connection.connect();
    await connected();
    await new Promise((r) => setTimeout(r, 200)); // a board that resets on open prints later
    board.print('water_temperature=21.50 battery=3.71\n');
    await until('the line', () => lines.length === 1);
  });

  it('unplugged mid-stream: says so once, comes back by itself when plugged in, and loses no line sent while connected', async () => {
    connection.connect();
    await connected();
    await new Promise((r) => setTimeout(r, 150));
    for (let i = 0; i < 20; i++) board.print(`n=${i}\n`);
    await until('20 lines', () => lines.length === 20);
    await board.unplug();
    await until('waiting', () => connection.state === 'waiting');
    const waiting = states.find((s) => s.state === 'waiting');
    assert.ok(waiting?.error, 'the state says why');
    assert.ok((waiting?.retryInMs ?? -1) >= 0);
    // While unplugged it keeps trying, quietly: no state change repeats 'connected'.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(connection.state === 'connected', false);
    await board.plug();
    await until('connected again', () => connection.state === 'connected');
    await new Promise((r) => setTimeout(r, 150));
    for (let i = 20; i < 40; i++) board.print(`n=${i}\n`);
    await until('40 lines', () => lines.length === 40);
    assert.deepEqual(
      lines,
      Array.from({ length: 40 }, (_, i) => `n=${i}`),
    );
  });

  it('disconnect closes the port and keeps it closed; connect opens it again', async () => {
    connection.connect();
    await connected();
    await connection.disconnect();
    assert.equal(connection.state, 'disconnected');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(connection.state, 'disconnected', 'no reconnection after a disconnect');
    await assert.rejects(connection.write('x'), { code: 'DEVICE_SERIAL' });
    connection.connect();
    await connected();
  });

  it('a line longer than the limit is dropped with a problem; the next line comes through', async () => {
    const short = new SerialConnection(
      { path: board.device, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
      open,
      { maxLineLength: 64 },
    );
    const got: string[] = [];
    const problems: Error[] = [];
    short.on('line', (line: string) => got.push(line));
    short.on('problem', (err: Error) => problems.push(err));
    short.connect();
    try {
      await until('connected', () => short.state === 'connected');
      await new Promise((r) => setTimeout(r, 150));
      board.print('x'.repeat(200));
      await new Promise((r) => setTimeout(r, 100));
      board.print('yyy\nok=1\n');
      await until('the next line', () => got.length === 1);
      assert.deepEqual(got, ['ok=1']);
      assert.equal(problems.length, 1);
      assert.equal((problems[0] as { messageId?: string }).messageId, 'LINE_TOO_LONG');
    } finally {
      await short.disconnect();
    }
  });

  it('a port that does not exist: waiting, with the reason, and it opens once the board appears', async () => {
    await board.unplug();
    connection.connect();
    await until('waiting', () => connection.state === 'waiting');
    assert.match(
      String(states.find((s) => s.state === 'waiting')?.error?.message),
      /No such file|ENOENT|cannot open/i,
    );
    await board.plug();
    await connected();
  });
});
