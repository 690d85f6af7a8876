/**
 * The whole hobbyist path: the buoy sketch as a user flashes it
 * (examples/arduino/buoy/buoy.ino, key=value lines), running on a simulated
 * ATmega328P (simavr) whose UART is a pseudo-terminal, read by serial sensor in
 * Node-RED with the settings the sketch's header gives.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { A0_MV, type Harness, build, startHarness, stopHarness } from '../support/buoy-sim';
import { type Msg, catchNode, collect, helper, serialSensorNode, until } from './helper';

const BUOY = 'urn:dev:mac:0024befffe804ff1:';

describe('serial sensor reads the buoy sketch on a simulated Arduino (simavr)', function () {
  this.timeout(120_000);
  let out: string;
  let harness: Harness | undefined;

  before(async function () {
    this.timeout(600_000);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'senfed-buoy-node-'));
    await build(out, ['-DBUOY_PERIOD_SECONDS=1', '-DBUOY_TEST_TEMPERATURE_CENTI=2150']);
  });

  afterEach(async () => {
    await helper.unload();
    await stopHarness(harness);
    harness = undefined;
  });

  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('each reading of the sketch comes out as a SenML pack: water temperature in Cel, battery in V', async () => {
    harness = await startHarness(out, A0_MV);
    await helper.load(
      [serialSensorNode, catchNode],
      [
        {
          id: 'buoy',
          type: 'serial-sensor',
          port: harness.link,
          baudRate: '9600',
          dataBits: '8',
          parity: 'none',
          stopBits: '1',
          format: 'keyvalue',
          fields: 'water_temperature:Cel, battery:V',
          baseName: BUOY,
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    const packs = collect('out');
    const caught = collect('caught');
    await until('two readings', () => packs.length >= 2, 60_000);
    assert.deepEqual(
      caught.map((m) => m.error.message),
      [],
    );
    for (const msg of packs.slice(0, 2)) {
      const [temperature, battery] = msg.payload as Msg[];
      assert.deepEqual(
        [temperature.n, temperature.u, temperature.v],
        [`${BUOY}water_temperature`, 'Cel', 21.5],
      );
      assert.deepEqual([battery.n, battery.u], [`${BUOY}battery`, 'V']);
      assert.ok(Math.abs(battery.v - 3.71) <= 0.02, `battery ${battery.v}`);
    }
  });
});
