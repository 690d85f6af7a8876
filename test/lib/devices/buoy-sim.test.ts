/**
 * The buoy sketch (examples/arduino/buoy/buoy.ino) built with avr-gcc and run on
 * a simulated ATmega328P by simavr (test/harness/simavr/buoy-pty.c), its UART on a
 * pseudo-terminal read here as a plain tty. No probe is simulated: the test hook
 * -DBUOY_TEST_TEMPERATURE_CENTI stands in for it, and a build without the hook
 * must say that the probe is missing. The battery reaches A0 through the sketch's
 * divider (10 kOhm over 10 kOhm), so the harness is given half the battery voltage.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';

const BATTERY_MV = 3710;
const R_TOP_OHMS = 10_000; // as BUOY_R_TOP_OHMS in the sketch
const R_BOTTOM_OHMS = 10_000; // as BUOY_R_BOTTOM_OHMS
const A0_MV = Math.round((BATTERY_MV * R_BOTTOM_OHMS) / (R_TOP_OHMS + R_BOTTOM_OHMS));

/** The repository root: the folder holding scripts/devices/build-buoy.sh, above this file. */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'devices', 'build-buoy.sh'))) return dir;
    if (path.dirname(dir) === dir)
      throw new Error(`no scripts/devices/build-buoy.sh above ${__dirname}`);
  }
}

/** Builds the sketch and the harness into `out` with the sketch's -D flags. */
function build(out: string, defines: string[]): Promise<void> {
  const script = path.join(repositoryRoot(), 'scripts', 'devices', 'build-buoy.sh');
  return new Promise((resolve, reject) => {
    execFile('bash', [script, out, ...defines], { timeout: 240_000 }, (err, _stdout, stderr) =>
      err ? reject(new Error(`build-buoy.sh ${defines.join(' ')} failed: ${stderr}`)) : resolve(),
    );
  });
}

interface Harness {
  child: ChildProcess;
  pty: string;
  link: string;
  stderr: () => string;
}

/** Starts the harness on `out`/buoy.elf and waits for its "PTY /dev/pts/N" line. */
function startHarness(out: string, a0Millivolts: number): Promise<Harness> {
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

async function stopHarness(harness: Harness | undefined): Promise<void> {
  if (!harness || harness.child.exitCode !== null || harness.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => harness.child.once('exit', () => resolve()));
  harness.child.kill('SIGTERM');
  const timer = setTimeout(() => harness.child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Opens the pty as a terminal (no serial library) and returns its first `count` lines. */
function readLines(device: string, count: number, timeoutMs: number): Promise<string[]> {
  const fd = fs.openSync(device, fs.constants.O_RDONLY | fs.constants.O_NOCTTY);
  assert.ok(tty.isatty(fd), `${device} is not a terminal`);
  const stream = new tty.ReadStream(fd);
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (err: Error | null, lines?: string[]) => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.on('error', () => undefined); // EIO once the harness has gone
      stream.destroy();
      if (err) reject(err);
      else resolve(lines!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(
            `${count} lines expected from ${device} in ${timeoutMs} ms, got ${JSON.stringify(text)}`,
          ),
        ),
      timeoutMs,
    );
    stream.on('error', (err) => finish(err));
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const lines = text.split('\n');
      if (lines.length > count) finish(null, lines.slice(0, count));
    });
  });
}

describe('buoy sketch on a simulated Arduino Uno (simavr)', function () {
  let root: string;
  const out = { keyValue: '', senml: '', noProbe: '' };
  let harness: Harness | undefined;

  before(async function () {
    this.timeout(600_000);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'senfed-buoy-'));
    out.keyValue = path.join(root, 'keyvalue');
    out.senml = path.join(root, 'senml');
    out.noProbe = path.join(root, 'noprobe');
    const fast = '-DBUOY_PERIOD_SECONDS=1';
    const hook = '-DBUOY_TEST_TEMPERATURE_CENTI=2150';
    await build(out.keyValue, [fast, hook]);
    await build(out.senml, [fast, hook, '-DBUOY_FORMAT=BUOY_FORMAT_SENML']);
    await build(out.noProbe, [fast]);
  });

  afterEach(async () => {
    await stopHarness(harness);
    harness = undefined;
  });

  after(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('prints key=value lines with the water temperature and the battery voltage', async () => {
    harness = await startHarness(out.keyValue, A0_MV);
    assert.equal(fs.realpathSync(harness.link), harness.pty, 'the link names the pty');
    const lines = await readLines(harness.link, 2, 30_000);
    for (const line of lines) {
      const match = /^water_temperature=(-?\d+\.\d\d) battery=(\d+\.\d\d)\r$/.exec(line);
      assert.ok(match, `not a key=value line: ${JSON.stringify(line)}`);
      assert.equal(match[1], '21.50');
      const battery = Number(match[2]);
      assert.ok(
        Math.abs(battery - BATTERY_MV / 1000) <= 0.02,
        `battery ${battery} V, expected 3.71 V ± 0.02`,
      );
    }
  });

  it('prints a SenML pack when built with BUOY_FORMAT_SENML', async () => {
    harness = await startHarness(out.senml, A0_MV);
    const [line] = await readLines(harness.pty, 1, 30_000);
    const pack = JSON.parse(line) as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(pack) && pack.length === 2, `not a pack of two records: ${line}`);
    const bn = pack[0].bn;
    assert.ok(
      typeof bn === 'string' && /^urn:dev:mac:[0-9a-f]{16}:$/.test(bn),
      `base name ${String(bn)}`,
    );
    assert.deepEqual(
      { ...pack[0], bn: undefined },
      { bn: undefined, n: 'water_temperature', u: 'Cel', v: 21.5 },
    );
    assert.equal(pack[1].n, 'battery');
    assert.equal(pack[1].u, 'V');
    assert.ok(pack[1].bn === undefined, 'the base name is given once');
    assert.ok(
      typeof pack[1].v === 'number' && Math.abs(pack[1].v - 3.71) <= 0.02,
      `battery ${String(pack[1].v)}`,
    );
  });

  it('says the probe is missing when none answers on the 1-Wire bus', async () => {
    harness = await startHarness(out.noProbe, A0_MV);
    const lines = await readLines(harness.pty, 2, 30_000);
    for (const line of lines) {
      const match = /^error=no_probe battery=(\d+\.\d\d)\r$/.exec(line);
      assert.ok(match, `not a missing-probe line: ${JSON.stringify(line)}`);
      assert.ok(Math.abs(Number(match[1]) - 3.71) <= 0.02, `battery ${match[1]} V`);
    }
  });
});
