/**
 * lora uplink behind Node-RED's own mqtt in, on a real Mosquitto: ChirpStack v4
 * up events and The Things Stack v3 uplinks published as the network servers
 * publish them (fields left out as they leave them out) become SenML packs.
 */
import assert from 'node:assert/strict';
import mqtt, { type MqttClient } from 'mqtt';
import { type Broker, startBroker } from '../support/mosquitto';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  inLanguage,
  loraUplinkNode,
  mqttNode,
  until,
} from './helper';
import { CHIRPSTACK_UP, TTS_UPLINK } from '../support/network-uplinks';

const DEV_EUI = '0004a30b001c4a2f';

const CHIRPSTACK_TOPIC = `application/17c82e96/device/${DEV_EUI}/event/up`;
const TTS_TOPIC = 'v3/reeftemps@ttn/devices/buoy-7/up';

describe('lora uplink node behind mqtt in, on Mosquitto', function () {
  this.timeout(30_000);
  let broker: Broker;
  let client: MqttClient;
  before(async () => {
    broker = await startBroker();
    client = await mqtt.connectAsync(broker.url, { clientId: 'network-server' });
  });
  after(async () => {
    await client?.endAsync();
    await broker?.stop();
  });
  afterEach(() => helper.unload());

  /** mqtt in on the ChirpStack and TTS topics (JSON parsed, as the dialog offers) into lora uplink. */
  function flow(uplink: Record<string, unknown> = {}, datatype = 'json'): object[] {
    return [
      { id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: String(broker.port) },
      ...[
        ['cs', 'application/+/device/+/event/+'],
        ['tts', 'v3/+/devices/+/up'],
      ].map(([id, topic]) => ({
        id,
        type: 'mqtt in',
        broker: 'broker',
        topic,
        qos: '1',
        datatype,
        wires: [['uplink']],
      })),
      {
        id: 'uplink',
        type: 'lora-uplink',
        codec: 'lpp',
        preferDecoded: true,
        ...uplink,
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
  }

  async function deployed(
    ...args: Parameters<typeof flow>
  ): Promise<{ got: Msg[]; caught: Msg[] }> {
    await helper.load([mqttNode, loraUplinkNode, catchNode], flow(...args));
    const got = collect('out');
    const caught = collect('caught');
    // Subscribed once the broker node says so.
    const mqttIn = helper.getNode('cs') as unknown as { brokerConn: { connected: boolean } };
    await until('mqtt in connected', () => mqttIn.brokerConn.connected);
    await new Promise((r) => setTimeout(r, 200));
    return { got, caught };
  }

  const publish = (topic: string, body: unknown): Promise<unknown> =>
    client.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });

  it('a ChirpStack up event without fCnt or object: the payload by Cayenne LPP, counter 0, the best gateway', async () => {
    const { got } = await deployed();
    await publish(CHIRPSTACK_TOPIC, CHIRPSTACK_UP);
    await until('the pack', () => got.length === 1);
    const [msg] = got;
    assert.deepEqual(
      msg.payload.map((r: Msg) => [r.n, r.u, r.v]),
      [
        [`urn:dev:eui64:${DEV_EUI}:3/temperature`, 'Cel', 21.5],
        [`urn:dev:eui64:${DEV_EUI}:4/voltage`, 'V', 3.71],
      ],
    );
    // At the time ChirpStack received it, not when it came out of Mosquitto.
    assert.equal(msg.payload[0].t, Date.parse('2022-07-18T09:34:15.775Z') / 1000);
    assert.equal(msg.topic, `urn:dev:eui64:${DEV_EUI}:`);
    assert.equal(msg.lora.server, 'chirpstack');
    assert.equal(msg.lora.fCnt, 0);
    assert.equal(msg.lora.fPort, 1);
    assert.equal(msg.lora.source, 'payload');
    assert.equal(msg.lora.rssi, -57);
    assert.equal(msg.lora.gateway, '0016c001f153a14d');
    assert.equal(msg.lora.frequency, 868100000);
    assert.equal(msg.lora.spreadingFactor, 11);
  });

  it('a TTS uplink without f_port and with the frequency as text: its decoded payload, in the units given', async () => {
    const { got } = await deployed({ units: 'water_temperature:Cel battery_mv:mV' });
    await publish(TTS_TOPIC, TTS_UPLINK);
    await until('the pack', () => got.length === 1);
    const [msg] = got;
    assert.deepEqual(
      msg.payload.map((r: Msg) => [r.n, r.u, r.v]),
      [
        [`urn:dev:eui64:${DEV_EUI}:water_temperature`, 'Cel', 24.24],
        // mV named, V carried: SenML's primary unit.
        [`urn:dev:eui64:${DEV_EUI}:battery_mv`, 'V', 3.712],
      ],
    );
    assert.equal(msg.payload[0].t, Date.parse('2020-02-12T15:15:45.787Z') / 1000);
    assert.equal(msg.lora.server, 'tts');
    assert.equal(msg.lora.fCnt, 25);
    assert.equal('fPort' in msg.lora, false);
    assert.equal(msg.lora.frequency, 868300000);
    assert.equal(msg.lora.source, 'decoded');
    assert.equal(msg.lora.gateway, 'gtw1');
  });

  it('the decoded object set aside when asked: the node decodes the payload itself', async () => {
    const { got } = await deployed({ preferDecoded: false });
    await publish(CHIRPSTACK_TOPIC, { ...CHIRPSTACK_UP, object: { temperature: 99 } });
    await until('the pack', () => got.length === 1);
    assert.equal(got[0].lora.source, 'payload');
    assert.equal(got[0].payload[0].v, 21.5);
  });

  it('events as text (mqtt in left on its default output) read the same', async () => {
    const { got } = await deployed({}, 'auto-detect');
    await publish(CHIRPSTACK_TOPIC, JSON.stringify(CHIRPSTACK_UP));
    await publish(TTS_TOPIC, JSON.stringify(TTS_UPLINK));
    await until('two packs', () => got.length === 2);
    assert.deepEqual(
      got.map((m) => m.lora.server),
      ['chirpstack', 'tts'],
    );
  });

  it('garbage, a foreign JSON, an uplink without DevEUI and an unreadable payload go to Catch; the next uplink passes', async () => {
    const { got, caught } = await deployed({}, 'utf8');
    await publish(CHIRPSTACK_TOPIC, 'not json {');
    await publish(CHIRPSTACK_TOPIC, { temperature: 20 });
    await publish(CHIRPSTACK_TOPIC, { ...CHIRPSTACK_UP, deviceInfo: { deviceName: 'nameless' } });
    // Cayenne LPP type 0x99 does not exist: the rest of the frame cannot be read.
    await publish(CHIRPSTACK_TOPIC, {
      ...CHIRPSTACK_UP,
      data: Buffer.from('039900', 'hex').toString('base64'),
    });
    await publish(CHIRPSTACK_TOPIC, CHIRPSTACK_UP);
    await until('four errors and the good uplink', () => caught.length === 4 && got.length === 1);
    assert.deepEqual(
      caught.map((m) => m.error.code),
      ['DEVICE_LORA_INPUT', 'DEVICE_LORA_INPUT', 'DEVICE_LORA_INPUT', 'DEVICE_LPP'],
    );
    assert.match(caught[0].error.message, /not JSON/);
    assert.match(caught[1].error.message, /temperature/);
    assert.match(caught[2].error.message, /DevEUI/);
    assert.equal(got[0].payload.length, 2);
  });

  it('a join event on the same topic gives no message, counted on the status', async () => {
    const { got, caught } = await deployed();
    const uplink = helper.getNode('uplink');
    const statuses: Msg[] = [];
    uplink.on('call:status', (call: { args: Msg[] }) => statuses.push(call.args[0]));
    await publish(`application/17c82e96/device/${DEV_EUI}/event/join`, {
      deviceInfo: CHIRPSTACK_UP.deviceInfo,
      devAddr: '00189440',
    });
    await publish(CHIRPSTACK_TOPIC.replace('/up', '/join'), {
      deviceInfo: CHIRPSTACK_UP.deviceInfo,
    });
    await until('a status', () => statuses.length >= 1, 10_000);
    // The status is redrawn at most twice a second: the second event's comes after.
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(got.length, 0);
    assert.equal(caught.length, 0);
    assert.deepEqual([...new Set(statuses.map((s) => s.fill))], ['green']);
  });

  it('the status counts uplinks, empty ones and refused ones, in French', async () => {
    await inLanguage('fr', async () => {
      const { got, caught } = await deployed({}, 'utf8');
      const uplink = helper.getNode('uplink');
      const statuses: Msg[] = [];
      uplink.on('call:status', (call: { args: Msg[] }) => statuses.push(call.args[0]));
      await publish(CHIRPSTACK_TOPIC, CHIRPSTACK_UP);
      await publish(CHIRPSTACK_TOPIC, { deviceInfo: CHIRPSTACK_UP.deviceInfo });
      await publish(CHIRPSTACK_TOPIC, 'pas du json');
      const counted = 'remontées : 1 · sans données : 1 · refusées : 1';
      await until('the three counted', () => statuses.at(-1)?.text === counted, 10_000);
      assert.equal(got.length, 1);
      assert.equal(caught.length, 1);
      // Redrawn at most twice a second, not once per uplink; red after a refusal.
      assert.ok(statuses.length < 3, `${statuses.length} redraws`);
      assert.equal(statuses.at(-1)?.fill, 'red');
      assert.match(caught[0].error.message, /n'est pas du JSON/);
    });
  });
});
