/**
 * serial sensor in Node-RED, on a real serial port (serialport 13 on a socat
 * pseudo-terminal pair playing the board): lines become SenML packs, a bad line
 * reaches the Catch node with the line, an unplugged board comes back by itself,
 * msg.action connects and disconnects, msg.payload is written to the board.
 */
import assert from 'node:assert/strict';
import { PtyBoard } from '../support/pty';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  inLanguage,
  serialSensorNode,
  statuses,
  until,
  warnings,
} from './helper';

const BUOY = 'urn:dev:mac:0004a30b001c4a2f:';

describe('serial sensor node (socat pseudo-terminals)', function () {
  this.timeout(30_000);
  let board: PtyBoard;

  beforeEach(async () => {
    board = new PtyBoard();
    await board.plug();
  });

  afterEach(async () => {
    await helper.unload();
    await board.unplug();
  });

  function flow(settings: Record<string, unknown> = {}): object[] {
    return [
      {
        id: 'sensor',
        type: 'serial-sensor',
        port: board.device,
        baudRate: '9600',
        dataBits: '8',
        parity: 'none',
        stopBits: '1',
        format: 'keyvalue',
        fields: 'water_temperature:Cel, battery:V',
        baseName: BUOY,
        wires: [['out']],
        ...settings,
      },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
  }

  /** Past the settling time after opening: what the board prints now is read whole. */
  const settled = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

  it('each key=value line becomes a SenML pack under the base name, with the units of Fields', async () => {
    await helper.load([serialSensorNode, catchNode], flow());
    const out = collect('out');
    const shown = statuses('sensor');
    await settled();
    const before = Date.now() / 1000;
    board.print('water_temperature=21.50 battery=3.71\r\n');
    await until('the pack', () => out.length === 1);
    const [msg] = out;
    assert.equal(msg.line, 'water_temperature=21.50 battery=3.71');
    assert.equal(msg.topic, BUOY);
    assert.deepEqual(
      msg.payload.map((r: Msg) => [r.n, r.u, r.v]),
      [
        [`${BUOY}water_temperature`, 'Cel', 21.5],
        [`${BUOY}battery`, 'V', 3.71],
      ],
    );
    assert.ok(msg.payload[0].t >= before - 1 && msg.payload[0].t <= Date.now() / 1000 + 1);
    await until('the count on the status', () =>
      shown.some((s) => s.text === 'serial-sensor.status.connected' && s.fill === 'green'),
    );
  });

  it('a line it cannot read goes to the Catch node with the line and the reason; the next line goes on', async () => {
    await helper.load([serialSensorNode, catchNode], flow());
    const out = collect('out');
    const caught = collect('caught');
    await settled();
    board.print('water_temperature 21.50\nwater_temperature=21.60 battery=3.70\n');
    await until('the next pack', () => out.length === 1);
    await until('the error', () => caught.length === 1);
    assert.equal(caught[0].payload, 'water_temperature 21.50');
    assert.equal(caught[0].error.source.id, 'sensor');
    assert.match(caught[0].error.message, /LINE_KEYVALUE_PAIR|water_temperature 21\.50/);
    assert.equal(out[0].payload[0].v, 21.6);
  });

  it('CSV, JSON, SenML and Cayenne LPP lines, as the help shows them', async () => {
    const cases: [Record<string, unknown>, string, [string, string | undefined, number][]][] = [
      [
        { format: 'csv' },
        '21.50,3.71',
        [
          [`${BUOY}water_temperature`, 'Cel', 21.5],
          [`${BUOY}battery`, 'V', 3.71],
        ],
      ],
      [
        { format: 'json' },
        '{"water_temperature":21.5,"battery":3.71}',
        [
          [`${BUOY}water_temperature`, 'Cel', 21.5],
          [`${BUOY}battery`, 'V', 3.71],
        ],
      ],
      [
        { format: 'senml', fields: '' },
        `[{"bn":"${BUOY}","n":"water_temperature","u":"Cel","v":21.5},{"n":"battery","u":"V","v":3.71}]`,
        [
          [`${BUOY}water_temperature`, 'Cel', 21.5],
          [`${BUOY}battery`, 'V', 3.71],
        ],
      ],
      [
        { format: 'lpp-hex', fields: '' },
        '03 67 00 D7 04 74 01 73',
        [
          [`${BUOY}3/temperature`, 'Cel', 21.5],
          [`${BUOY}4/voltage`, 'V', 3.71],
        ],
      ],
    ];
    for (const [settings, line, expected] of cases) {
      await helper.load([serialSensorNode, catchNode], flow(settings));
      const out = collect('out');
      const caught = collect('caught');
      await settled();
      board.print(`${line}\n`);
      await until(`the pack of ${line}`, () => out.length + caught.length === 1);
      assert.deepEqual(
        caught.map((m) => m.error.message),
        [],
        line,
      );
      assert.deepEqual(
        out[0].payload.map((r: Msg) => [r.n, r.u, r.v]),
        expected,
        line,
      );
      await helper.unload();
    }
  });

  it("arduino-LoRa receiver lines: the packet's readings, and the RSSI in msg.lora", async () => {
    await helper.load(
      [serialSensorNode, catchNode],
      flow({ format: 'lora-receiver', innerFormat: 'keyvalue' }),
    );
    const out = collect('out');
    await settled();
    board.print("Received packet 'water_temperature=21.50 battery=3.71' with RSSI -67\n");
    await until('the pack', () => out.length === 1);
    assert.deepEqual(out[0].lora, { rssi: -67 });
    assert.equal(out[0].payload[1].n, `${BUOY}battery`);
  });

  it('unplugged: red status with the reason, said once in the log; plugged back in, it reads again by itself', async () => {
    await helper.load([serialSensorNode, catchNode], flow());
    const out = collect('out');
    const shown = statuses('sensor');
    const warned = warnings('sensor');
    await settled();
    board.print('water_temperature=21.50 battery=3.71\n');
    await until('the first pack', () => out.length === 1);
    await board.unplug();
    await until('the red status', () => shown.some((s) => s.fill === 'red'));
    // Several tries while it is away: one warning, not one per try.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(warned.length, 1, JSON.stringify(warned));
    await board.plug();
    await until('green again', () => shown.at(-1)?.fill === 'green', 20_000);
    await settled();
    board.print('water_temperature=21.70 battery=3.69\n');
    await until('the pack after the replug', () => out.length === 2);
    assert.equal(out[1].payload[0].v, 21.7);
  });

  it('msg.payload is written to the board; msg.action disconnect closes the port and a write then fails, connect opens it again', async () => {
    await helper.load([serialSensorNode, catchNode], flow());
    const caught = collect('caught');
    const shown = statuses('sensor');
    const sensor = helper.getNode('sensor');
    await settled();
    sensor.receive({ payload: 'PERIOD 5' });
    await until('the line at the board', () => board.read().includes('PERIOD 5\n'));
    sensor.receive({ action: 'disconnect' });
    await until('disconnected', () =>
      shown.some((s) => s.text === 'node-red:common.status.disconnected'),
    );
    sensor.receive({ payload: 'PERIOD 6' });
    await until('the failed write at Catch', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_SERIAL');
    sensor.receive({ action: 'connect' });
    await until('connected again', () => shown.at(-1)?.fill === 'green');
  });

  it('without a port: a red status, and every message is refused with the reason', async () => {
    await helper.load([serialSensorNode, catchNode], flow({ port: '' }));
    const caught = collect('caught');
    helper.getNode('sensor').receive({ payload: 'x' });
    await until('the refusal', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_SERIAL_SETTINGS');
  });

  it('in French: a bad line is reported in French', async () => {
    await inLanguage('fr', async () => {
      await helper.load([serialSensorNode, catchNode], flow());
      const caught = collect('caught');
      await settled();
      board.print('water_temperature 21.50\n');
      await until('the error', () => caught.length === 1);
      assert.match(
        caught[0].error.message,
        /n'est pas une paire clé=valeur : « water_temperature 21\.50 »/,
      );
    });
  });

  it('the ports endpoint answers with a list, and says why when the machine cannot list', async () => {
    await helper.load([serialSensorNode], flow());
    const answer = await helper.request().get('/senfed/serial/ports');
    assert.equal(answer.status, 200);
    assert.ok(Array.isArray(answer.body.ports));
    if (answer.body.error !== undefined) assert.equal(typeof answer.body.error, 'string');
  });
});
