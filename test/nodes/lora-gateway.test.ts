/**
 * lora gateway in Node-RED, spoken to over real UDP on loopback by a small script
 * playing a Semtech packet forwarder: acks with token and version echoed, frames out
 * as messages, CRC failures dropped, garbage survived (and warned about once),
 * redeploys on the same port, a port in use named, and a frame all the way through
 * lora decode to a SenML pack.
 */
import assert from 'node:assert/strict';
import { type Socket, createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import loraPacket from 'lora-packet';
import {
  type Msg,
  collect,
  helper,
  inLanguage,
  loraDecodeNode,
  loraDeviceNode,
  loraGatewayNode,
  statuses,
  until,
} from './helper';
import { SPEC_RXPK } from '../support/semtech-examples';
import { freeUdpPort } from '../support/ports';

const HOST = '127.0.0.1';
const EUI = 'b827ebfffe6a1c2d';

/** PROTOCOL.TXT's first rxpk example (LoRa) and its second (FSK). */
const [LORA_RX, FSK_RX] = SPEC_RXPK.rxpk;

function datagram(version: number, token: number, type: number, body?: object | string): Buffer {
  const json = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return Buffer.concat([
    Buffer.from([version, token >> 8, token & 0xff, type]),
    Buffer.from(EUI, 'hex'),
    Buffer.from(json),
  ]);
}

/** A packet forwarder on loopback: sends datagrams to the node, keeps what comes back. */
class Forwarder {
  readonly replies: Buffer[] = [];
  private constructor(
    private readonly socket: Socket,
    private readonly port: number,
  ) {
    socket.on('message', (reply) => this.replies.push(reply));
  }

  static async open(port: number): Promise<Forwarder> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, HOST, resolve));
    return new Forwarder(socket, port);
  }

  send(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(data, this.port, HOST, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Send a datagram and resolve with the next reply. */
  async exchange(data: Buffer): Promise<Buffer> {
    const before = this.replies.length;
    await this.send(data);
    await until('a reply', () => this.replies.length > before, 5000);
    return this.replies[before];
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(resolve));
  }
}

/** What the runtime logged for a node, as [level, text]. */
function logged(id: string, level: number): string[] {
  return helper
    .log()
    .args.map(([event]: [Msg]) => event)
    .filter((event: Msg) => event.id === id && event.level === level)
    .map((event: Msg) => String(event.msg));
}

describe('lora gateway node', function () {
  this.timeout(30_000);
  let userDir: string;
  let port: number;
  let forwarder: Forwarder;
  beforeEach(async () => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-gateway-'));
    helper.settings({ userDir });
    port = await freeUdpPort();
    forwarder = await Forwarder.open(port);
  });
  afterEach(async () => {
    await helper.unload();
    await forwarder.close();
    rmSync(userDir, { recursive: true, force: true });
  });

  const gateway = (extra: Record<string, unknown> = {}) => ({
    id: 'gw',
    type: 'lora-gateway',
    port,
    bind: HOST,
    wires: [['out']],
    ...extra,
  });

  async function deploy(flow: object[] = [gateway(), { id: 'out', type: 'helper' }]) {
    await helper.load([loraGatewayNode], flow);
    await until('the node listening', () =>
      logged('gw', helper.log().INFO).some((t) => t.includes('listening')),
    );
  }

  it('acks PUSH_DATA v1 and v2 and PULL_DATA with their token and version, and sends each rxpk as a message', async () => {
    await deploy();
    const out = collect('out');
    for (const version of [1, 2]) {
      const push = await forwarder.exchange(
        datagram(version, 0xa1b2 + version, 0x00, { rxpk: [LORA_RX, FSK_RX] }),
      );
      assert.deepEqual([...push], [version, 0xa1, 0xb2 + version, 0x01]);
      const pull = await forwarder.exchange(datagram(version, 0x0c0d, 0x02));
      assert.deepEqual([...pull], [version, 0x0c, 0x0d, 0x04]);
    }
    await until('four frames', () => out.length === 4);
    assert.ok(Buffer.isBuffer(out[0].payload));
    assert.equal(out[0].payload.length, 32);
    assert.equal(out[0].payload.subarray(0, 3).toString('hex'), 'f834b8');
    assert.deepEqual(out[0].lora, {
      gatewayEui: EUI,
      time: '2013-03-31T16:21:17.528002Z',
      tmst: 3512348611,
      freq: 866.349812,
      chan: 2,
      rfch: 0,
      modulation: 'LORA',
      datarate: 'SF7BW125',
      codr: '4/6',
      rssi: -35,
      snr: 5.1,
      size: 32,
    });
    assert.equal(out[1].payload.toString(), 'TEST_PACKET_1234');
    assert.equal(out[1].lora.datarate, 50000);
    // A TX_ACK gets no answer: the next reply is the PULL_ACK sent after it.
    await forwarder.send(datagram(2, 0x7777, 0x05, { txpk_ack: { error: 'NONE' } }));
    const after = await forwarder.exchange(datagram(2, 0x0e0f, 0x02));
    assert.deepEqual([...after], [2, 0x0e, 0x0f, 0x04]);
    assert.equal(forwarder.replies.length, 5);
  });

  it('drops CRC-failed and CRC-less frames, acks a stat-only datagram, and counts them on the status', async () => {
    await inLanguage('en-US', async () => {
      await deploy();
      const seen = statuses('gw');
      const out = collect('out');
      const ack = await forwarder.exchange(
        datagram(2, 1, 0x00, { rxpk: [{ ...LORA_RX, stat: -1 }, FSK_RX, { ...LORA_RX, stat: 0 }] }),
      );
      assert.deepEqual([...ack], [2, 0, 1, 0x01]);
      const statAck = await forwarder.exchange(
        datagram(1, 2, 0x00, { stat: { time: '2014-01-12 08:59:28 GMT', rxnb: 2, rxok: 2 } }),
      );
      assert.deepEqual([...statAck], [1, 0, 2, 0x01]);
      await until(
        'the counts',
        () => seen.at(-1)?.text === 'frames: 1 · CRC dropped: 2 · stat: 1 · bad: 0',
        3000,
      );
      assert.equal(seen.at(-1)?.fill, 'green');
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(
        out.map((m) => m.payload.toString()),
        ['TEST_PACKET_1234'],
      );
    });
  });

  it('survives garbage datagrams, acking none of them, warns once for them all, and keeps working', async () => {
    await inLanguage('en-US', async () => {
      await deploy();
      const seen = statuses('gw');
      const out = collect('out');
      const garbage = [
        Buffer.from([2, 0]),
        datagram(9, 1, 0x00, { rxpk: [LORA_RX] }),
        datagram(2, 1, 0x03, { txpk: {} }),
        datagram(1, 1, 0x05),
        Buffer.concat([
          Buffer.from([2, 0, 1, 0]),
          Buffer.from('b827ebfffe6a1c', 'hex'),
          Buffer.from('{}'),
        ]),
        datagram(2, 1, 0x00, '{"rxpk":[{"stat":1,'),
        datagram(2, 1, 0x00, { rxpk: { stat: 1 } }),
        datagram(2, 1, 0x00, '[]'),
        Buffer.from('GET / HTTP/1.1\r\n\r\n'),
      ];
      for (const bytes of garbage) await forwarder.send(bytes);
      // Well formed, but its one frame's data is no base64: acked, the frame refused.
      const ack = await forwarder.exchange(
        datagram(2, 0x4242, 0x00, { rxpk: [{ ...LORA_RX, data: '%%%' }] }),
      );
      assert.deepEqual([...ack], [2, 0x42, 0x42, 0x01]);
      const good = await forwarder.exchange(datagram(2, 0x5353, 0x00, { rxpk: [LORA_RX] }));
      assert.deepEqual([...good], [2, 0x53, 0x53, 0x01]);
      assert.equal(forwarder.replies.length, 2, 'garbage is not acked');
      await until('the frame after the garbage', () => out.length === 1);
      await until(
        'the counts',
        () =>
          seen.at(-1)?.text === `frames: 1 · CRC dropped: 0 · stat: 0 · bad: ${garbage.length + 1}`,
        3000,
      );
      const warned = logged('gw', helper.log().WARN);
      assert.equal(warned.length, 1, `one warning, not ${warned.length}: ${warned.join(' | ')}`);
      assert.match(
        warned[0],
        /^datagram from 127\.0\.0\.1:\d+ refused: a Semtech UDP datagram has at least 4 bytes/,
      );
      assert.deepEqual(logged('gw', helper.log().ERROR), []);
    });
  });

  it('listens again on the same port after a redeploy, and after a stop and start', async () => {
    await deploy();
    assert.deepEqual([...(await forwarder.exchange(datagram(2, 1, 0x02)))], [2, 0, 1, 0x04]);
    // A full deploy from the editor: the old node closes, the new one binds the same port.
    await (helper as any).setFlows(
      [gateway({ name: 'edited' }), { id: 'out', type: 'helper' }],
      'full',
    );
    await until('the new node', () => (helper.getNode('gw') as any)?.name === 'edited');
    const out = collect('out');
    assert.deepEqual([...(await forwarder.exchange(datagram(2, 2, 0x02)))], [2, 0, 2, 0x04]);
    await forwarder.exchange(datagram(2, 3, 0x00, { rxpk: [FSK_RX] }));
    await until('a frame after the redeploy', () => out.length === 1);
    await helper.unload();
    await deploy();
    assert.deepEqual([...(await forwarder.exchange(datagram(2, 4, 0x02)))], [2, 0, 4, 0x04]);
    assert.deepEqual(logged('gw', helper.log().ERROR), []);
  });

  it('names a port already in use, in a red status and one error', async () => {
    const squatter = createSocket('udp4');
    await new Promise<void>((resolve) => squatter.bind(port, HOST, resolve));
    try {
      await inLanguage('en-US', async () => {
        await helper.load(
          [loraGatewayNode],
          [
            { ...gateway(), wires: [[]] },
            { id: 'gw2', type: 'lora-gateway', port: 'http', bind: HOST, wires: [[]] },
            // TEST-NET-1 (RFC 5737): an address no machine of ours has
            { id: 'gw3', type: 'lora-gateway', port, bind: '192.0.2.1', wires: [[]] },
          ],
        );
        const seen = statuses('gw');
        await until('the error', () => logged('gw', helper.log().ERROR).length > 0, 5000);
        assert.deepEqual(logged('gw', helper.log().ERROR), [
          `UDP port ${port} on ${HOST} is in use: another program (a network server, a packet forwarder endpoint) or another lora gateway node listens there`,
        ]);
        await until('the red status', () => seen.length > 0);
        assert.deepEqual(seen.at(-1), { fill: 'red', shape: 'ring', text: `port ${port} in use` });
        assert.deepEqual(logged('gw2', helper.log().ERROR), [
          'the UDP port must be a whole number from 1 to 65535, not "http"',
        ]);
        await until('the third error', () => logged('gw3', helper.log().ERROR).length > 0, 5000);
        assert.deepEqual(logged('gw3', helper.log().ERROR), [
          'cannot listen on 192.0.2.1 (EADDRNOTAVAIL): it is not an address of this machine',
        ]);
      });
    } finally {
      await new Promise<void>((resolve) => squatter.close(resolve));
    }
  });

  it('end to end: a frame from the gateway, through lora decode, is a SenML pack with the radio metadata and the frame counter', async () => {
    const nwk = '44024241ed4ce9a68c6a8bc055233fd3';
    const app = 'ec925802ae430ca77fd3dd73cb2cc588';
    const devAddr = '49be7df1';
    const devEui = '0004a30b001c4a2f';
    const phy = loraPacket
      .fromFields(
        {
          MType: 'Unconfirmed Data Up',
          DevAddr: Buffer.from(devAddr, 'hex'),
          FCtrl: { ADR: false, ACK: false, ADRACKReq: false, FPending: false },
          FCnt: 42,
          FPort: 1,
          payload: Buffer.from('036700d704740173', 'hex'), // LPP: 21.5 Cel, 3.71 V
        },
        Buffer.from(app, 'hex'),
        Buffer.from(nwk, 'hex'),
      )
      .getPHYPayload() as Buffer;
    await helper.load(
      [loraGatewayNode, loraDeviceNode, loraDecodeNode],
      [
        { ...gateway(), wires: [['decode']] },
        {
          id: 'buoy',
          type: 'lora-device',
          name: 'buoy-7',
          devEui,
          activation: 'abp',
          devAddr,
        },
        { id: 'decode', type: 'lora-decode', device: '', codec: 'lpp', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
      { buoy: { nwkSKey: nwk, appSKey: app } },
    );
    await until('the node listening', () =>
      logged('gw', helper.log().INFO).some((t) => t.includes('listening')),
    );
    const out = collect('out');
    const data = phy.toString('base64url'); // unpadded, URL-safe, as the spec's own example
    await forwarder.exchange(
      datagram(2, 9, 0x00, {
        rxpk: [{ ...LORA_RX, rssi: -101, lsnr: -7.5, size: phy.length, data }],
      }),
    );
    await until('the pack', () => out.length === 1);
    assert.deepEqual(
      out[0].payload.map((r: Msg) => [r.n, r.u, r.v]),
      [
        [`urn:dev:eui64:${devEui}:3/temperature`, 'Cel', 21.5],
        [`urn:dev:eui64:${devEui}:4/voltage`, 'V', 3.71],
      ],
    );
    const { lora } = out[0];
    assert.deepEqual(
      [lora.gatewayEui, lora.rssi, lora.snr, lora.datarate, lora.fCnt, lora.devAddr],
      [EUI, -101, -7.5, 'SF7BW125', 42, devAddr],
    );
  });
});
