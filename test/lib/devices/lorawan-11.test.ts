/**
 * LoRaWAN 1.1 data uplinks (ABP): the MIC is two halves, cmacS under the
 * SNwkSIntKey over B1 (with ConfFCnt, TxDr and TxCh) and cmacF under the
 * FNwkSIntKey over B0 (§4.4.2). The frames here are signed by an AES-CMAC
 * written from RFC 4493 on node:crypto, checked against the RFC's own vectors,
 * so that the library is checked against the specification and not against itself.
 */
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { type LoraDeviceKeys, readFrame } from '../../../lib/devices/lorawan';
import { cmac, uplink11 as signed11 } from '../../support/lorawan-11-frames';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

const F_NWK_S_INT_KEY = '2b7e151628aed2a6abf7158809cf4f3c';
const S_NWK_S_INT_KEY = '000102030405060708090a0b0c0d0e0f';
const APP_S_KEY = 'ec925802ae430ca77fd3dd73cb2cc588';
const DEV_ADDR = '26011bda';

const DEVICE: LoraDeviceKeys = {
  name: 'buoy-11',
  session: {
    devAddr: DEV_ADDR,
    nwkSKey: F_NWK_S_INT_KEY,
    sNwkSIntKey: S_NWK_S_INT_KEY,
    appSKey: APP_S_KEY,
    id: 'abp',
  },
};

const KEYS = {
  fNwkSIntKey: F_NWK_S_INT_KEY,
  sNwkSIntKey: S_NWK_S_INT_KEY,
  appSKey: APP_S_KEY,
  devAddr: DEV_ADDR,
};

/** A 1.1 uplink of the test device; `keys` f and s replace its two MIC keys. */
function uplink11(
  fCnt: number,
  options: { txDr: number; txCh: number; ack?: boolean; confFCnt?: number },
  keys = { f: F_NWK_S_INT_KEY, s: S_NWK_S_INT_KEY },
): Buffer {
  return signed11({ ...KEYS, fNwkSIntKey: keys.f, sNwkSIntKey: keys.s }, fCnt, options);
}

describe('AES-CMAC of the tests (RFC 4493 §4 vectors)', () => {
  const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
  it('gives the RFC example MACs for messages of 0, 16 and 40 bytes', () => {
    assert.equal(cmac(key, Buffer.alloc(0)).toString('hex'), 'bb1d6929e95937287fa37d129b756746');
    assert.equal(
      cmac(key, hex('6bc1bee22e409f96e93d7e117393172a')).toString('hex'),
      '070a16b46b4d4144f79bdd9dd04a287c',
    );
    assert.equal(
      cmac(
        key,
        hex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411'),
      ).toString('hex'),
      'dfa66747de9ae63030ca32611497c827',
    );
  });
});

describe('LoRaWAN 1.1 data uplinks', () => {
  it('a frame is taken under both keys, its data rate and channel given by the radio or found', () => {
    const phy = uplink11(10, { txDr: 5, txCh: 2 });
    const given = readFrame(phy, DEVICE, { radio: { txDr: 5, txCh: 2 } });
    assert.equal(given.kind, 'data');
    if (given.kind !== 'data') return;
    assert.equal(given.mic, 'full');
    assert.equal(given.fCnt, 10);
    assert.equal(given.payload.toString('hex'), '036700d7');
    const found = readFrame(phy, DEVICE);
    assert.equal(found.kind === 'data' && found.mic, 'full');
  });

  it('refuses a frame whose either half does not hold, naming both 1.1 keys', () => {
    const forgedS = uplink11(10, { txDr: 5, txCh: 2 }, { f: F_NWK_S_INT_KEY, s: 'ff'.repeat(16) });
    const forgedF = uplink11(10, { txDr: 5, txCh: 2 }, { f: 'ff'.repeat(16), s: S_NWK_S_INT_KEY });
    for (const phy of [forgedS, forgedF])
      assert.throws(() => readFrame(phy, DEVICE), {
        messageId: 'LORA_MIC_11',
        message: /FNwkSIntKey or SNwkSIntKey/,
      });
    // The radio said another channel than the one the frame was signed for.
    assert.throws(
      () => readFrame(uplink11(10, { txDr: 5, txCh: 2 }), DEVICE, { radio: { txDr: 5, txCh: 1 } }),
      { messageId: 'LORA_MIC_11' },
    );
  });

  it('an ACK for a confirmed downlink of unknown counter is vouched for by cmacF alone, and says so', () => {
    const phy = uplink11(11, { txDr: 3, txCh: 0, ack: true, confFCnt: 7 });
    const partial = readFrame(phy, DEVICE);
    assert.equal(partial.kind === 'data' && partial.mic, 'fNwkSIntKey');
    const full = readFrame(phy, DEVICE, { radio: { confFCnt: 7 } });
    assert.equal(full.kind === 'data' && full.mic, 'full');
    assert.throws(() => readFrame(phy, DEVICE, { radio: { confFCnt: 8 } }), {
      messageId: 'LORA_MIC_11',
    });
  });

  it('rebuilds the 32-bit counter past 65,535 and has no MAX_FCNT_GAP', () => {
    const late = readFrame(uplink11(70_000, { txDr: 0, txCh: 7 }), DEVICE, { lastFCnt: 65_530 });
    assert.equal(late.kind === 'data' && late.fCnt, 70_000);
    // 1.0.x refuses a jump past 16,384; 1.1 takes anything ahead within the 16 bits.
    const jump = readFrame(uplink11(40_000, { txDr: 0, txCh: 0 }), DEVICE, { lastFCnt: 10 });
    assert.equal(jump.kind === 'data' && jump.fCnt, 40_000);
    assert.throws(
      () => readFrame(uplink11(40_000, { txDr: 0, txCh: 0 }), DEVICE, { lastFCnt: 40_000 }),
      {
        messageId: 'LORA_REPLAY',
      },
    );
  });
});

describe('LoRaWAN 1.1 OTAA joins', () => {
  const NWK_KEY = '01010101010101010101010101010101';
  const APP_KEY = '02020202020202020202020202020202';
  const DEV_EUI = '0004a30b001c4a31';
  const JOIN_EUI = '70b3d57ed0000001';
  const DEV_NONCE = '0007';
  const JOIN_NONCE = '00000c';
  const NET_ID = '000013';
  const NEW_ADDR = '26011bdc';
  const le = (text: string): Buffer => hex(text).reverse();
  const aes = (key: string, block: Buffer, decrypt = false): Buffer => {
    const make = decrypt ? createDecipheriv : createCipheriv;
    const cipher = make('aes-128-ecb', hex(key), null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]);
  };
  const pad16 = (parts: Buffer[]): Buffer => {
    const block = Buffer.alloc(16);
    Buffer.concat(parts).copy(block);
    return block;
  };
  const device: LoraDeviceKeys = {
    name: 'buoy-11',
    devEui: DEV_EUI,
    appKey: APP_KEY,
    nwkKey: NWK_KEY,
    joinEui: JOIN_EUI,
  };

  /** MHDR | JoinEUI | DevEUI | DevNonce | MIC under the NwkKey (1.1 §6.2.2). */
  function joinRequest(): Buffer {
    const msg = Buffer.concat([Buffer.from([0x00]), le(JOIN_EUI), le(DEV_EUI), le(DEV_NONCE)]);
    return Buffer.concat([msg, cmac(hex(NWK_KEY), msg).subarray(0, 4)]);
  }

  /** A join accept, OptNeg set or not, as a 1.1 join server builds it (1.1 §6.2.3). */
  function joinAccept(optNeg: boolean): Buffer {
    const mhdr = Buffer.from([0x20]);
    const fields = Buffer.concat([
      le(JOIN_NONCE),
      le(NET_ID),
      le(NEW_ADDR),
      Buffer.from([optNeg ? 0x80 : 0x00, 0x01]),
    ]);
    const mic = optNeg
      ? cmac(
          aes(NWK_KEY, pad16([Buffer.from([0x06]), le(DEV_EUI)])), // JSIntKey
          Buffer.concat([Buffer.from([0xff]), le(JOIN_EUI), le(DEV_NONCE), mhdr, fields]),
        )
      : cmac(hex(NWK_KEY), Buffer.concat([mhdr, fields]));
    // Encrypted with an AES decrypt, so that the device only ever encrypts.
    return Buffer.concat([mhdr, aes(NWK_KEY, Buffer.concat([fields, mic.subarray(0, 4)]), true)]);
  }

  const sessionKey = (key: string, type: number, middle: Buffer): string =>
    aes(key, pad16([Buffer.from([type]), le(JOIN_NONCE), middle, le(DEV_NONCE)])).toString('hex');

  it('signs the join request with the NwkKey; a 1.1 accept gives FNwkSIntKey, SNwkSIntKey and AppSKey', () => {
    const request = readFrame(joinRequest(), device);
    assert.equal(request.kind, 'join-request');
    if (request.kind !== 'join-request') return;
    const accept = readFrame(joinAccept(true), device, { lastJoinRequest: request });
    assert.equal(accept.kind, 'join-accept');
    if (accept.kind !== 'join-accept') return;
    assert.deepEqual(
      {
        devAddr: accept.session.devAddr,
        nwkSKey: accept.session.nwkSKey,
        sNwkSIntKey: accept.session.sNwkSIntKey,
        appSKey: accept.session.appSKey,
      },
      {
        devAddr: NEW_ADDR,
        nwkSKey: sessionKey(NWK_KEY, 0x01, le(JOIN_EUI)),
        sNwkSIntKey: sessionKey(NWK_KEY, 0x03, le(JOIN_EUI)),
        appSKey: sessionKey(APP_KEY, 0x02, le(JOIN_EUI)),
      },
    );
  });

  it('on a 1.0 network (OptNeg clear) a 1.1 device derives 1.0 keys from its NwkKey', () => {
    const request = readFrame(joinRequest(), device);
    if (request.kind !== 'join-request') throw new Error('no join request');
    const accept = readFrame(joinAccept(false), device, { lastJoinRequest: request });
    if (accept.kind !== 'join-accept') throw new Error('no join accept');
    assert.equal(accept.session.sNwkSIntKey, undefined);
    assert.equal(accept.session.nwkSKey, sessionKey(NWK_KEY, 0x01, le(NET_ID)));
    assert.equal(accept.session.appSKey, sessionKey(NWK_KEY, 0x02, le(NET_ID)));
  });

  it('a 1.1 accept under another NwkKey fails its MIC', () => {
    const request = readFrame(joinRequest(), device);
    if (request.kind !== 'join-request') throw new Error('no join request');
    assert.throws(
      () =>
        readFrame(
          joinAccept(true),
          { ...device, nwkKey: 'ff'.repeat(16) },
          { lastJoinRequest: request },
        ),
      { messageId: 'LORA_JOIN_MIC' },
    );
  });
});
