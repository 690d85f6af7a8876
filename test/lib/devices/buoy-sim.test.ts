/**
 * The buoy sketch (examples/arduino/buoy/buoy.ino) built with avr-gcc and run on
 * a simulated ATmega328P by simavr (test/harness/simavr/buoy-pty.c), its UART on a
 * pseudo-terminal read here as a plain tty. No probe is simulated: the test hook
 * -DBUOY_TEST_TEMPERATURE_CENTI stands in for it, and a build without the hook
 * must say that the probe is missing. The battery reaches A0 through the sketch's
 * divider (10 kOhm over 10 kOhm), so the harness is given half the battery voltage.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tty from 'node:tty';
import {
  A0_MV,
  BATTERY_MV,
  type Harness,
  build,
  startHarness,
  stopHarness,
} from '../../support/buoy-sim';

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
