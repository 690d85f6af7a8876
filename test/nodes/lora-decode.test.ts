/**
 * lora device and lora decode in Node-RED: frames as devices send them (made
 * with lora-packet), decoded to SenML; replays refused, also after a restart of
 * the flow; a wrong key named; a decodeUplink script; OTAA join.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import loraPacket from 'lora-packet';
import { uplink11 } from '../support/lorawan-11-frames';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  loraDecodeNode,
  loraDeviceNode,
  until,
} from './helper';

const NWK = '44024241ed4ce9a68c6a8bc055233fd3';
const APP = 'ec925802ae430ca77fd3dd73cb2cc588';
const DEV_ADDR = '49be7df1';
const DEV_EUI = '0004a30b001c4a2f';

function uplink(fCnt: number, payload: Buffer, port = 1): Buffer {
  const msb = Math.floor(fCnt / 0x10000);
  return loraPacket
    .fromFields(
      {
        MType: 'Unconfirmed Data Up',
        DevAddr: Buffer.from(DEV_ADDR, 'hex'),
        FCtrl: { ADR: false, ACK: false, ADRACKReq: false, FPending: false },
        FCnt: fCnt & 0xffff,
        FPort: port,
        payload,
      },
      Buffer.from(APP, 'hex'),
      Buffer.from(NWK, 'hex'),
      undefined,
      Buffer.from([msb & 0xff, msb >> 8]),
    )
    .getPHYPayload() as Buffer;
}

/** Cayenne LPP: channel 3 temperature 21.5 Cel, channel 4 voltage 3.71 V. */
const LPP = Buffer.from('036700d704740173', 'hex');

describe('lora decode node', function () {
  this.timeout(30_000);
  let userDir: string;
  beforeEach(() => {
    // Frame counters live under the user directory: each test starts with none.
    userDir = mkdtempSync(join(tmpdir(), 'senfed-lora-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });

  function flow(
    decode: Record<string, unknown> = {},
    device: Record<string, unknown> = {},
  ): object[] {
    return [
      {
        id: 'buoy',
        type: 'lora-device',
        name: 'buoy-7',
        devEui: DEV_EUI,
        activation: 'abp',
        devAddr: DEV_ADDR,
        ...device,
      },
      { id: 'decode', type: 'lora-decode', device: '', codec: 'lpp', wires: [['out']], ...decode },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
  }
  const keys = { buoy: { nwkSKey: NWK, appSKey: APP } };

  it('decodes a Cayenne LPP uplink into a pack under urn:dev:eui64, with the frame in msg.lora', async () => {
    await helper.load([loraDeviceNode, loraDecodeNode, catchNode], flow(), keys);
    const out = collect('out');
    helper
      .getNode('decode')
      .receive({ payload: uplink(70_000, LPP).toString('base64'), lora: { rssi: -67 } });
    await until('the pack', () => out.length === 1);
    assert.deepEqual(
      out[0].payload.map((r: Msg) => [r.n, r.u, r.v]),
      [
        [`urn:dev:eui64:${DEV_EUI}:3/temperature`, 'Cel', 21.5],
        [`urn:dev:eui64:${DEV_EUI}:4/voltage`, 'V', 3.71],
      ],
    );
    assert.deepEqual(
      [out[0].lora.rssi, out[0].lora.fCnt, out[0].lora.fPort, out[0].lora.devAddr],
      [-67, 70_000, 1, DEV_ADDR],
    );
  });

  it('refuses a replayed frame, also after the flow restarts; a wrong key is reported naming the device', async () => {
    await helper.load([loraDeviceNode, loraDecodeNode, catchNode], flow(), keys);
    let out = collect('out');
    let caught = collect('caught');
    const frame = uplink(5, LPP);
    helper.getNode('decode').receive({ payload: frame });
    await until('the first', () => out.length === 1);
    helper.getNode('decode').receive({ payload: frame });
    await until('the replay refused', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_LORA_COUNTER');
    await helper.unload();
    // The same device id: its counters file is found again.
    await helper.load([loraDeviceNode, loraDecodeNode, catchNode], flow(), keys);
    out = collect('out');
    caught = collect('caught');
    helper.getNode('decode').receive({ payload: frame });
    await until('refused after the restart', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_LORA_COUNTER');
    helper.getNode('decode').receive({ payload: uplink(6, LPP) });
    await until('the next frame', () => out.length === 1);
    await helper.unload();
    await helper.load([loraDeviceNode, loraDecodeNode, catchNode], flow(), {
      buoy: { nwkSKey: '00'.repeat(16), appSKey: APP },
    });
    caught = collect('caught');
    helper.getNode('decode').receive({ payload: uplink(7, LPP) });
    await until('the MIC error', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_LORA_MIC');
    assert.match(caught[0].error.message, /buoy-7/);
  });

  it('a decodeUplink script decodes the payload; one that throws reaches the Catch node', async () => {
    const script =
      'function decodeUplink(input) { if (input.bytes.length < 2) throw new Error("short"); return { data: { water_temperature: ((input.bytes[0] << 8) | input.bytes[1]) / 100 } }; }';
    await helper.load(
      [loraDeviceNode, loraDecodeNode, catchNode],
      flow({ codec: 'script', script }),
      keys,
    );
    const out = collect('out');
    const caught = collect('caught');
    helper.getNode('decode').receive({ payload: uplink(10, Buffer.from([0x08, 0x66]), 2) });
    await until('the pack', () => out.length === 1);
    assert.deepEqual(
      out[0].payload.map((r: Msg) => [r.n, r.v]),
      [[`urn:dev:eui64:${DEV_EUI}:water_temperature`, 21.5]],
    );
    helper.getNode('decode').receive({ payload: uplink(11, Buffer.from([1]), 2) });
    await until('the error', () => caught.length === 1);
    assert.equal(caught[0].error.code, 'DEVICE_SCRIPT');
  });

  it('a frame of no deployed device, and text that is no frame, reach the Catch node', async () => {
    await helper.load([loraDeviceNode, loraDecodeNode, catchNode], flow(), keys);
    const caught = collect('caught');
    const other = Buffer.from(uplink(3, LPP));
    other.writeUInt32LE(0x26011bda, 1); // another DevAddr
    helper.getNode('decode').receive({ payload: other });
    helper.getNode('decode').receive({ payload: 'not a frame!' });
    await until('two errors', () => caught.length === 2);
    assert.deepEqual(caught.map((m) => m.error.code).sort(), [
      'DEVICE_LORA_FRAME',
      'DEVICE_LORA_INPUT',
    ]);
  });

  describe('two OTAA devices joining at once', () => {
    const OTAA = [
      {
        id: 'buoy7',
        name: 'buoy-7',
        devEui: '0004a30b001c4a2f',
        appKey: '2b7e151628aed2a6abf7158809cf4f3c',
        devNonce: '1234',
        devAddr: '26011bda',
      },
      {
        id: 'buoy8',
        name: 'buoy-8',
        devEui: '0004a30b001c4a30',
        appKey: '000102030405060708090a0b0c0d0e0f',
        devNonce: '5678',
        devAddr: '26011bdb',
      },
    ];
    const JOIN_EUI = '70b3d57ed0000000';
    const JOIN_NONCE = '0a0b0c';
    const NET_ID = '000013';
    const hex = (text: string): Buffer => Buffer.from(text, 'hex');

    const joinRequest = (d: (typeof OTAA)[number]): Buffer =>
      loraPacket
        .fromFields(
          {
            MType: 'Join Request',
            AppEUI: hex(JOIN_EUI),
            DevEUI: hex(d.devEui),
            DevNonce: hex(d.devNonce),
          },
          undefined,
          undefined,
          hex(d.appKey),
        )
        .getPHYPayload() as Buffer;
    const joinAccept = (d: (typeof OTAA)[number]): Buffer =>
      loraPacket
        .fromFields(
          {
            MType: 'Join Accept',
            AppNonce: hex(JOIN_NONCE),
            NetID: hex(NET_ID),
            DevAddr: hex(d.devAddr),
            DLSettings: 0,
            RxDelay: 1,
          },
          undefined,
          undefined,
          hex(d.appKey),
        )
        .getPHYPayload() as Buffer;
    /** LoRaWAN 1.0.4 §6.2.5: aes128_encrypt(AppKey, type | JoinNonce | NetID | DevNonce | pad16), fields little-endian. */
    const sessionKey = (d: (typeof OTAA)[number], type: number): Buffer => {
      const block = Buffer.concat([
        Buffer.from([type]),
        hex(JOIN_NONCE).reverse(),
        hex(NET_ID).reverse(),
        hex(d.devNonce).reverse(),
        Buffer.alloc(7),
      ]);
      const cipher = createCipheriv('aes-128-ecb', hex(d.appKey), null).setAutoPadding(false);
      return Buffer.concat([cipher.update(block), cipher.final()]);
    };
    const joinedUplink = (d: (typeof OTAA)[number], celsius: number): Buffer => {
      const lpp = Buffer.from([1, 0x67, 0, 0]);
      lpp.writeInt16BE(Math.round(celsius * 10), 2);
      return loraPacket
        .fromFields(
          {
            MType: 'Unconfirmed Data Up',
            DevAddr: hex(d.devAddr),
            FCtrl: { ADR: false, ACK: false, ADRACKReq: false, FPending: false },
            FCnt: 0,
            FPort: 1,
            payload: lpp,
          },
          sessionKey(d, 0x02),
          sessionKey(d, 0x01),
        )
        .getPHYPayload() as Buffer;
    };

    /** Both OTAA devices deployed with their AppKeys, and lora decode taking any device's frames. */
    async function loadBothDevices(): Promise<void> {
      const nodes = [
        ...OTAA.map((d) => ({
          id: d.id,
          type: 'lora-device',
          name: d.name,
          devEui: d.devEui,
          activation: 'otaa',
          devAddr: '',
          joinEui: JOIN_EUI,
        })),
        { id: 'decode', type: 'lora-decode', device: '', codec: 'lpp', wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ];
      const credentials = Object.fromEntries(OTAA.map((d) => [d.id, { appKey: d.appKey }]));
      await helper.load([loraDeviceNode, loraDecodeNode, catchNode], nodes, credentials);
    }

    it('each join accept goes to the device whose AppKey it answers to, not the first one deployed', async () => {
      await loadBothDevices();
      const out = collect('out');
      const caught = collect('caught');
      const decode = helper.getNode('decode');
      const [buoy7, buoy8] = OTAA;
      decode.receive({ payload: joinRequest(buoy7) });
      decode.receive({ payload: joinRequest(buoy8) });
      // The later request is answered first, as a network server may.
      decode.receive({ payload: joinAccept(buoy8) });
      decode.receive({ payload: joinAccept(buoy7) });
      decode.receive({ payload: joinedUplink(buoy8, 18.5) });
      decode.receive({ payload: joinedUplink(buoy7, 21.5) });
      await until('both packs', () => out.length + caught.length === 2);
      assert.deepEqual(
        caught.map((m) => m.error.message),
        [],
      );
      assert.deepEqual(
        // Two devices' frames are taken side by side: their order between them is free.
        out.map((m) => [m.payload[0].n, m.payload[0].v, m.lora.devAddr]).sort(),
        [
          [`urn:dev:eui64:${buoy7.devEui}:1/temperature`, 21.5, buoy7.devAddr],
          [`urn:dev:eui64:${buoy8.devEui}:1/temperature`, 18.5, buoy8.devAddr],
        ],
      );
    });

    it('says on its status that a device sent its join request, then that it joined', async () => {
      await loadBothDevices();
      const decode = helper.getNode('decode');
      const statuses: Msg[] = [];
      decode.on('call:status', (call: { args: Msg[] }) => statuses.push(call.args[0]));
      decode.receive({ payload: joinRequest(OTAA[0]) });
      await until('the joining status', () => statuses.length > 0);
      // Not covered by a count drawn after it.
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(
        statuses.map((s) => [s.fill, s.text]),
        [['yellow', 'lora-decode.status.joining']],
      );
      decode.receive({ payload: joinAccept(OTAA[0]) });
      await until('the joined status', () => statuses.length > 1);
      await new Promise((r) => setTimeout(r, 700));
      assert.deepEqual(statuses.at(-1), {
        fill: 'green',
        shape: 'dot',
        text: 'lora-decode.status.joined',
      });
    });

    it('a join accept no deployed AppKey answers to is refused, naming the MIC', async () => {
      await loadBothDevices();
      const caught = collect('caught');
      const decode = helper.getNode('decode');
      decode.receive({ payload: joinRequest(OTAA[0]) });
      decode.receive({ payload: joinAccept({ ...OTAA[0], appKey: 'ff'.repeat(16) }) });
      await until('the refusal', () => caught.length === 1);
      assert.equal(caught[0].error.code, 'DEVICE_LORA_MIC');
    });
  });

  describe('a LoRaWAN 1.1 ABP device', () => {
    const KEYS = {
      fNwkSIntKey: '2b7e151628aed2a6abf7158809cf4f3c',
      sNwkSIntKey: '000102030405060708090a0b0c0d0e0f',
      appSKey: APP,
      devAddr: '26011bda',
    };
    const nodes = (device: Record<string, unknown> = {}) => [
      {
        id: 'buoy11',
        type: 'lora-device',
        name: 'buoy-11',
        devEui: DEV_EUI,
        activation: 'abp',
        version: '1.1',
        devAddr: KEYS.devAddr,
        joinEui: '',
        ...device,
      },
      { id: 'decode', type: 'lora-decode', device: '', codec: 'lpp', wires: [['out']] },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
    const credentials = {
      buoy11: { nwkSKey: KEYS.fNwkSIntKey, sNwkSIntKey: KEYS.sNwkSIntKey, appSKey: KEYS.appSKey },
    };

    it('decodes its frames, the data rate and channel from msg.lora or found; an ACK frame says which half vouched', async () => {
      await helper.load([loraDeviceNode, loraDecodeNode, catchNode], nodes(), credentials);
      const out = collect('out');
      const caught = collect('caught');
      const decode = helper.getNode('decode');
      decode.receive({
        payload: uplink11(KEYS, 1, { txDr: 5, txCh: 2 }),
        lora: { txDr: 5, txCh: 2 },
      });
      decode.receive({ payload: uplink11(KEYS, 2, { txDr: 3, txCh: 1 }) });
      decode.receive({ payload: uplink11(KEYS, 3, { txDr: 0, txCh: 0, ack: true, confFCnt: 9 }) });
      // Signed for channel 2, said to be on channel 1: refused.
      decode.receive({
        payload: uplink11(KEYS, 4, { txDr: 5, txCh: 2 }),
        lora: { txDr: 5, txCh: 1 },
      });
      await until('three packs and a refusal', () => out.length === 3 && caught.length === 1);
      assert.deepEqual(
        out.map((m) => [m.lora.fCnt, m.lora.mic, m.payload[0].n, m.payload[0].v]),
        [
          [1, 'full', `urn:dev:eui64:${DEV_EUI}:3/temperature`, 21.5],
          [2, 'full', `urn:dev:eui64:${DEV_EUI}:3/temperature`, 21.5],
          [3, 'fNwkSIntKey', `urn:dev:eui64:${DEV_EUI}:3/temperature`, 21.5],
        ],
      );
      assert.equal(caught[0].error.code, 'DEVICE_LORA_MIC');
      assert.match(caught[0].error.message, /FNwkSIntKey or SNwkSIntKey/);
    });

    it('without its SNwkSIntKey the device says which keys LoRaWAN 1.1 needs', async () => {
      await helper.load([loraDeviceNode, loraDecodeNode, catchNode], nodes(), {
        buoy11: { nwkSKey: KEYS.fNwkSIntKey, appSKey: KEYS.appSKey },
      });
      const caught = collect('caught');
      helper.getNode('decode').receive({ payload: uplink11(KEYS, 1, { txDr: 5, txCh: 2 }) });
      await until('the refusal', () => caught.length === 1);
      assert.match(caught[0].error.message, /SNwkSIntKey/);
    });
  });
});
