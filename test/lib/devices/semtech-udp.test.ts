/**
 * Semtech UDP, server side: the datagrams of Lora-net/packet_forwarder PROTOCOL.TXT
 * (its own rxpk example, in protocol versions 1 and 2), their acks, and every kind
 * of datagram that is not well formed, each refused with its own sentence.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LoraError } from '../../../lib/devices/lora-messages';
import { lenientBase64 } from '../../../lib/devices/lenient-base64';
import { type GatewayDatagram, ackFor, parseDatagram } from '../../../lib/devices/semtech-udp';
import { SPEC_RXPK, SPEC_STAT } from '../../support/semtech-examples';

const EUI = 'b827ebfffe6a1c2d';

function datagram(
  version: number,
  token: number,
  type: number,
  eui: string,
  body?: string | object,
): Buffer {
  const head = Buffer.from([version, token >> 8, token & 0xff, type]);
  const json = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return Buffer.concat([head, Buffer.from(eui, 'hex'), Buffer.from(json)]);
}
const push = (body: string | object, version = 2, token = 0x1234, eui = EUI) =>
  datagram(version, token, 0x00, eui, body);

function pushData(d: GatewayDatagram) {
  assert.equal(d.type, 'PUSH_DATA');
  return d as Extract<GatewayDatagram, { type: 'PUSH_DATA' }>;
}

function refused(data: Buffer, messageId: string, params: Record<string, unknown> = {}) {
  assert.throws(
    () => parseDatagram(data),
    (err: unknown) => {
      assert.ok(err instanceof LoraError, `not a LoraError: ${String(err)}`);
      assert.equal(err.code, 'DEVICE_LORA_GATEWAY');
      assert.equal(err.messageId, messageId, err.message);
      for (const [k, v] of Object.entries(params)) assert.equal(err.params[k], v, k);
      return true;
    },
  );
}

describe('Semtech UDP datagrams', () => {
  for (const version of [1, 2]) {
    it(`PUSH_DATA v${version} with the spec's rxpk example: three frames, their radio metadata, a PUSH_ACK with token and version`, () => {
      const d = pushData(parseDatagram(push(SPEC_RXPK, version, 0xabcd)));
      assert.deepEqual([d.version, d.token, d.gatewayEui], [version, 0xabcd, EUI]);
      assert.deepEqual(
        d.packets.map((p) => p.kind),
        ['frame', 'frame', 'frame'],
      );
      const [lora, fsk, third] = d.packets.map((p) => (p.kind === 'frame' ? p : assert.fail()));
      // "-DS4" is 62 3 18 56: 111110 000011 010010 111000 = f8 34 b8.
      assert.equal(lora.payload.length, 32);
      assert.equal(lora.payload.subarray(0, 3).toString('hex'), 'f834b8');
      assert.deepEqual(lora.radio, {
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
      assert.equal(fsk.payload.toString(), 'TEST_PACKET_1234');
      assert.deepEqual(
        [fsk.radio.modulation, fsk.radio.datarate, fsk.radio.snr],
        ['FSK', 50000, undefined],
      );
      assert.equal(third.payload.length, 32);
      assert.equal(third.radio.datarate, 'SF10BW125');
      assert.deepEqual([...ackFor(d)!], [version, 0xab, 0xcd, 0x01]);
    });
  }

  it('a stat-only PUSH_DATA (the spec example) is read and acked, with no frame', () => {
    const d = pushData(parseDatagram(push(SPEC_STAT, 1, 7)));
    assert.deepEqual(d.packets, []);
    assert.equal(d.stat?.rxnb, 2);
    assert.deepEqual([...ackFor(d)!], [1, 0, 7, 0x01]);
    // rxpk and stat together
    const both = pushData(parseDatagram(push({ ...SPEC_RXPK, ...SPEC_STAT })));
    assert.equal(both.packets.length, 3);
    assert.equal(both.stat?.ackr, 100);
  });

  it('stat -1 (CRC failed) and stat 0 (no CRC) are told apart from good frames, in order', () => {
    const good = SPEC_RXPK.rxpk[0];
    const d = pushData(
      parseDatagram(
        push({
          rxpk: [{ ...good, stat: -1 }, good, { ...good, stat: 0 }, { ...good, stat: undefined }],
        }),
      ),
    );
    assert.deepEqual(
      d.packets.map((p) => [p.kind, p.index]),
      [
        ['crc-failed', 0],
        ['frame', 1],
        ['no-crc', 2],
        ['no-crc', 3],
      ],
    );
  });

  it('base64 is read leniently: no padding, the URL-safe alphabet, padded; other text is not base64', () => {
    const bytes = Buffer.from('fb ef ff 00 3e 3f 40'.replace(/ /g, ''), 'hex');
    for (const text of [
      bytes.toString('base64'), // padded, with + and /
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      `${bytes.toString('base64url')}=`,
    ])
      assert.deepEqual(lenientBase64(text), bytes, text);
    assert.deepEqual(lenientBase64(''), Buffer.alloc(0));
    for (const text of ['abc!', 'a', 'ab cd', 'abcde', '====', 'ab=c'])
      assert.equal(lenientBase64(text), undefined, text);
  });

  it('an rxpk whose data is not base64, whose size disagrees, or that is no object, spoils only itself', () => {
    const good = SPEC_RXPK.rxpk[1];
    const d = pushData(
      parseDatagram(
        push({
          rxpk: [
            { ...good, data: 'not base64!' },
            good,
            { ...good, size: 17 },
            42,
            { ...good, data: 5 },
          ],
        }),
      ),
    );
    assert.deepEqual(
      d.packets.map((p) => (p.kind === 'bad' ? p.error.messageId : p.kind)),
      [
        'LORA_GATEWAY_DATA',
        'frame',
        'LORA_GATEWAY_SIZE',
        'LORA_GATEWAY_RXPK_ITEM',
        'LORA_GATEWAY_DATA',
      ],
    );
    const bad = d.packets[0];
    assert.ok(bad.kind === 'bad');
    assert.equal(
      bad.error.message,
      `rxpk 0 from gateway ${EUI}: data is not base64: "not base64!"`,
    );
    assert.ok(ackFor(d), 'the datagram itself is well formed: acked');
  });

  it('PULL_DATA gets a PULL_ACK (0x04) in its version; TX_ACK (v2) is read and gets none', () => {
    for (const version of [1, 2]) {
      const d = parseDatagram(datagram(version, 0xbeef, 0x02, EUI));
      assert.deepEqual([d.type, d.gatewayEui], ['PULL_DATA', EUI]);
      assert.deepEqual([...ackFor(d)!], [version, 0xbe, 0xef, 0x04]);
    }
    const tx = parseDatagram(datagram(2, 9, 0x05, EUI, { txpk_ack: { error: 'TOO_LATE' } }));
    assert.deepEqual([tx.type, tx.type === 'TX_ACK' && tx.error], ['TX_ACK', 'TOO_LATE']);
    assert.equal(ackFor(tx), undefined);
    const empty = parseDatagram(datagram(2, 9, 0x05, EUI));
    assert.deepEqual([empty.type, empty.type === 'TX_ACK' && empty.error], ['TX_ACK', undefined]);
  });

  it('the EUI is read as lower-case hex, and a trailing NUL after the JSON is tolerated', () => {
    const d = parseDatagram(
      Buffer.concat([push(SPEC_STAT, 2, 1, 'AA555A0000000101'), Buffer.from([0])]),
    );
    assert.equal(d.gatewayEui, 'aa555a0000000101');
  });

  describe('malformed datagrams, each refused with its sentence', () => {
    it('too short for a header', () =>
      refused(Buffer.from([2, 0, 1]), 'LORA_GATEWAY_HEADER', { length: 3 }));
    it('an unknown protocol version', () =>
      refused(push(SPEC_STAT, 3), 'LORA_GATEWAY_VERSION', { version: 3 }));
    it('a type a gateway does not send, or TX_ACK in version 1', () => {
      refused(datagram(2, 1, 0x01, EUI), 'LORA_GATEWAY_TYPE', { type: '0x01' });
      refused(datagram(2, 1, 0x03, EUI, {}), 'LORA_GATEWAY_TYPE', { type: '0x03' });
      refused(datagram(2, 1, 0x7f, EUI), 'LORA_GATEWAY_TYPE', { type: '0x7f' });
      refused(datagram(1, 1, 0x05, EUI), 'LORA_GATEWAY_TYPE', { type: '0x05', version: 1 });
    });
    it('a gateway EUI of the wrong length', () => {
      refused(push(SPEC_STAT, 2, 1, EUI.slice(2)), 'LORA_GATEWAY_EUI', {
        kind: 'PUSH_DATA',
        length: 7,
      });
      refused(push(SPEC_STAT, 2, 1, `${EUI}01`), 'LORA_GATEWAY_EUI', { length: 9 });
      refused(datagram(2, 1, 0x02, EUI.slice(4)), 'LORA_GATEWAY_EUI', {
        kind: 'PULL_DATA',
        length: 6,
      });
      refused(datagram(2, 1, 0x02, `${EUI}00`), 'LORA_GATEWAY_EUI', { length: 9 });
    });
    it('a PUSH_DATA cut inside its EUI', () =>
      refused(datagram(2, 1, 0x00, EUI.slice(0, 10)), 'LORA_GATEWAY_SHORT', {
        min: 12,
        length: 9,
      }));
    it('JSON that cannot be read, or none', () => {
      refused(push('{"rxpk":[{"stat":1,'), 'LORA_GATEWAY_JSON', {
        kind: 'PUSH_DATA',
        gateway: EUI,
      });
      refused(push(''), 'LORA_GATEWAY_JSON');
      refused(push('hello, server'), 'LORA_GATEWAY_JSON');
      refused(datagram(2, 1, 0x05, EUI, '{oops'), 'LORA_GATEWAY_JSON', { kind: 'TX_ACK' });
    });
    it('JSON that is no object', () => {
      refused(push('[{"rxpk":[]}]'), 'LORA_GATEWAY_NOT_OBJECT', { value: '[{"rxpk":[]}]' });
      refused(push('42'), 'LORA_GATEWAY_NOT_OBJECT', { value: '42' });
      refused(push('null'), 'LORA_GATEWAY_NOT_OBJECT', { value: 'null' });
    });
    it('rxpk that is not an array', () =>
      refused(push({ rxpk: { stat: 1, data: 'AA' } }), 'LORA_GATEWAY_RXPK', {
        value: '{"stat":1,"data":"AA"}',
      }));
  });

  it('any bytes at all: a datagram or a LoraError, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .tuple(
              fc.constantFrom(1, 2),
              fc.constantFrom(0, 2, 5),
              fc.uint8Array({ maxLength: 40 }),
            )
            .map(([v, t, rest]) => Uint8Array.from([v, 0, 0, t, ...rest])),
          fc.jsonValue().map((j) => Uint8Array.from(push(JSON.stringify(j) ?? ''))),
        ),
        (bytes) => {
          try {
            const d = parseDatagram(Buffer.from(bytes));
            if (d.type !== 'TX_ACK') assert.equal(ackFor(d)?.length, 4);
          } catch (err) {
            assert.ok(err instanceof LoraError, String(err));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
