/**
 * LoRaWAN 1.0.x uplinks: the lora-packet README's frame, frames made with
 * lora-packet for counters past 65,535, replays, wrong keys, and OTAA with the
 * session keys checked against the derivation of LoRaWAN 1.0.4 §6.2.5 computed
 * here with node:crypto.
 */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import loraPacket from 'lora-packet';
import { LoraError } from '../../../lib/devices/lora-messages';
import {
  type JoinRequestFrame,
  type LoraDeviceKeys,
  MAX_FCNT_GAP,
  readFrame,
  readPhyPayload,
} from '../../../lib/devices/lorawan';

const NWK_S_KEY = '44024241ed4ce9a68c6a8bc055233fd3';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';
const DEV_ADDR = '49be7df1';
const ABP: LoraDeviceKeys = {
  name: 'buoy-7',
  session: { devAddr: DEV_ADDR, nwkSKey: NWK_S_KEY, appSKey: APP_S_KEY, id: 'abp' },
};

/** An uplink as a device would send it, counter `fCnt` (32 bits), made by lora-packet. */
function uplink(fCnt: number, text: string, keys = { nwk: NWK_S_KEY, app: APP_S_KEY }): Buffer {
  const msb = Math.floor(fCnt / 0x10000);
  const packet = loraPacket.fromFields(
    {
      MType: 'Unconfirmed Data Up',
      DevAddr: Buffer.from(DEV_ADDR, 'hex'),
      FCtrl: { ADR: true, ACK: false, ADRACKReq: false, FPending: false },
      FCnt: fCnt & 0xffff,
      FPort: 2,
      payload: Buffer.from(text),
    },
    Buffer.from(keys.app, 'hex'),
    Buffer.from(keys.nwk, 'hex'),
    undefined,
    Buffer.from([msb & 0xff, msb >> 8]),
  );
  return packet.getPHYPayload() as Buffer;
}

describe('LoRaWAN uplinks', () => {
  it("reads the lora-packet README's frame: MIC, counter, port and the decrypted payload", () => {
    const frame = readFrame(readPhyPayload('40F17DBE4900020001954378762B11FF0D'), ABP);
    assert.equal(frame.kind, 'data');
    assert.deepEqual(
      frame.kind === 'data' && [frame.devAddr, frame.fCnt, frame.fPort, frame.payload.toString()],
      [DEV_ADDR, 2, 1, 'test'],
    );
  });

  it('takes hex, base64 and base64url with or without padding, and says what else is not a payload', () => {
    const bytes = Buffer.from('40F17DBE4900020001954378762B11FF0D', 'hex');
    for (const text of [
      '40 f1 7d be 49 00 02 00 01 95 43 78 76 2b 11 ff 0d',
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
    ])
      assert.deepEqual(readPhyPayload(text), bytes, text);
    assert.throws(() => readPhyPayload('not a frame!'), { messageId: 'LORA_PAYLOAD_TEXT' });
    assert.throws(() => readPhyPayload(42), { messageId: 'LORA_PAYLOAD_TYPE' });
  });

  it('rebuilds the 32-bit counter across the rollover past 65,535', () => {
    const before = readFrame(uplink(65_535, 'a'), ABP, { lastFCnt: 65_534 });
    assert.equal(before.kind === 'data' && before.fCnt, 65_535);
    const after = readFrame(uplink(65_536, 'b'), ABP, { lastFCnt: 65_535 });
    assert.deepEqual(after.kind === 'data' && [after.fCnt, after.payload.toString()], [
      65_536,
      'b',
    ]);
    const later = readFrame(uplink(200_003, 'c'), ABP, { lastFCnt: 200_000 });
    assert.deepEqual(later.kind === 'data' && [later.fCnt, later.payload.toString()], [
      200_003,
      'c',
    ]);
  });

  it('finds the counter of a first frame heard after 65,535 by its MIC', () => {
    const frame = readFrame(uplink(70_000, 'first'), ABP);
    assert.deepEqual(frame.kind === 'data' && [frame.fCnt, frame.payload.toString()], [
      70_000,
      'first',
    ]);
  });

  it('refuses a replay and a frame older than the last accepted, naming both counters', () => {
    for (const fCnt of [5, 3]) {
      assert.throws(
        () => readFrame(uplink(fCnt, 'x'), ABP, { lastFCnt: 5 }),
        (err: LoraError) =>
          err.messageId === 'LORA_REPLAY' &&
          err.message.includes(`FCnt ${fCnt}`) &&
          err.message.includes('5 was accepted'),
      );
    }
  });

  it('a frame from an earlier epoch (counter 2 after 70,000) is stale, not a bad MIC', () => {
    assert.throws(() => readFrame(uplink(2, 'old'), ABP, { lastFCnt: 70_000 }), {
      messageId: 'LORA_REPLAY',
    });
  });

  it('refuses a jump of more than MAX_FCNT_GAP', () => {
    assert.throws(() => readFrame(uplink(10 + MAX_FCNT_GAP + 1, 'x'), ABP, { lastFCnt: 10 }), {
      messageId: 'LORA_COUNTER_GAP',
    });
    assert.equal(readFrame(uplink(10 + MAX_FCNT_GAP, 'x'), ABP, { lastFCnt: 10 }).kind, 'data');
  });

  it('a wrong NwkSKey fails the MIC, and the error names the device; another DevAddr is not this device', () => {
    const wrong = { ...ABP, session: { ...ABP.session!, nwkSKey: '00'.repeat(16) } };
    assert.throws(
      () => readFrame(uplink(9, 'x'), wrong, { lastFCnt: 8 }),
      (err: LoraError) => err.messageId === 'LORA_MIC' && err.message.includes('buoy-7'),
    );
    const other = { ...ABP, session: { ...ABP.session!, devAddr: '26011bda' } };
    assert.throws(() => readFrame(uplink(9, 'x'), other), { messageId: 'LORA_OTHER_DEVICE' });
    assert.throws(() => readFrame(uplink(9, 'x'), { name: 'new' }), {
      messageId: 'LORA_NO_SESSION',
    });
  });

  it('cut or damaged frames give only LoraErrors (fast-check)', () => {
    const good = uplink(1234, 'water_temperature=21.5');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: 0, max: good.length - 1 }).map((n) => good.subarray(0, n)),
          fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
          fc
            .tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }))
            .map(([at, x]) => {
              const copy = Buffer.from(good);
              copy[at] ^= x;
              return copy;
            }),
        ),
        (bytes) => {
          try {
            readFrame(bytes, ABP, { lastFCnt: 1000 });
          } catch (err) {
            assert.ok(err instanceof LoraError, String(err));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('LoRaWAN OTAA', () => {
  const APP_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
  const DEVICE: LoraDeviceKeys = {
    name: '0004a30b001c4a2f',
    appKey: APP_KEY,
    devEui: '0004a30b001c4a2f',
  };
  const DEV_NONCE = '1234';
  const JOIN_NONCE = '0a0b0c';
  const NET_ID = '000013';
  const NEW_ADDR = '26011bda';

  function joinRequestFrame(appKey = APP_KEY): Buffer {
    return loraPacket
      .fromFields(
        {
          MType: 'Join Request',
          AppEUI: Buffer.from('70b3d57ed0000000', 'hex'),
          DevEUI: Buffer.from('0004a30b001c4a2f', 'hex'),
          DevNonce: Buffer.from(DEV_NONCE, 'hex'),
        },
        undefined,
        undefined,
        Buffer.from(appKey, 'hex'),
      )
      .getPHYPayload() as Buffer;
  }

  /** A join accept as a network server sends it (lora-packet MICs it and encrypts it with AES decrypt, §6.2.5). */
  function joinAcceptFrame(): Buffer {
    return loraPacket
      .fromFields(
        {
          MType: 'Join Accept',
          AppNonce: Buffer.from(JOIN_NONCE, 'hex'),
          NetID: Buffer.from(NET_ID, 'hex'),
          DevAddr: Buffer.from(NEW_ADDR, 'hex'),
          DLSettings: 0,
          RxDelay: 1,
        },
        undefined,
        undefined,
        Buffer.from(APP_KEY, 'hex'),
      )
      .getPHYPayload() as Buffer;
  }

  /** NwkSKey/AppSKey = aes128_encrypt(AppKey, 0x01|0x02 | AppNonce | NetID | DevNonce | pad16), fields little-endian. */
  function derived(type: number): string {
    const le = (hex: string): Buffer => Buffer.from(hex, 'hex').reverse();
    const block = Buffer.concat([
      Buffer.from([type]),
      le(JOIN_NONCE),
      le(NET_ID),
      le(DEV_NONCE),
      Buffer.alloc(7),
    ]);
    const cipher = createCipheriv('aes-128-ecb', Buffer.from(APP_KEY, 'hex'), null).setAutoPadding(
      false,
    );
    return Buffer.concat([cipher.update(block), cipher.final()]).toString('hex');
  }

  it('a join request is checked under the AppKey; its join accept gives the session keys LoRaWAN derives', () => {
    const request = readFrame(joinRequestFrame(), DEVICE) as JoinRequestFrame;
    assert.deepEqual(request, {
      kind: 'join-request',
      devEui: '0004a30b001c4a2f',
      joinEui: '70b3d57ed0000000',
      devNonce: DEV_NONCE,
    });
    const accept = readFrame(joinAcceptFrame(), DEVICE, { lastJoinRequest: request });
    assert.equal(accept.kind, 'join-accept');
    if (accept.kind !== 'join-accept') return;
    assert.equal(accept.session.devAddr, NEW_ADDR);
    assert.equal(accept.session.nwkSKey, derived(0x01));
    assert.equal(accept.session.appSKey, derived(0x02));
    // The new session reads the device's frames.
    const joined: LoraDeviceKeys = { ...DEVICE, session: accept.session };
    const data = loraPacket.fromFields(
      {
        MType: 'Unconfirmed Data Up',
        DevAddr: Buffer.from(NEW_ADDR, 'hex'),
        FCtrl: { ADR: false, ACK: false, ADRACKReq: false, FPending: false },
        FCnt: 0,
        FPort: 1,
        payload: Buffer.from('joined'),
      },
      Buffer.from(accept.session.appSKey, 'hex'),
      Buffer.from(accept.session.nwkSKey, 'hex'),
    );
    const frame = readFrame(data.getPHYPayload() as Buffer, joined);
    assert.equal(frame.kind === 'data' && frame.payload.toString(), 'joined');
  });

  it('a join request under another AppKey fails its MIC; a join accept without its request gives no keys', () => {
    assert.throws(() => readFrame(joinRequestFrame('00'.repeat(16)), DEVICE), {
      messageId: 'LORA_JOIN_MIC',
    });
    assert.throws(() => readFrame(joinAcceptFrame(), DEVICE), {
      messageId: 'LORA_NO_JOIN_REQUEST',
    });
  });
});
