/**
 * The MIC and FRMPayload cipher of 1.0.x uplinks on node:crypto give what
 * lora-packet gives, for any keys, addresses, counters (past 65,535) and payloads,
 * and the CMAC gives RFC 4493's own vectors.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import loraPacket from 'lora-packet';
import { aesCmac, uplinkMic, uplinkPayload } from '../../../lib/devices/lorawan-crypto';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

describe('LoRaWAN uplink ciphers on node:crypto', () => {
  it('AES-CMAC gives the RFC 4493 §4 vectors (0, 16, 40 and 64 bytes)', () => {
    const key = hex('2b7e151628aed2a6abf7158809cf4f3c');
    const m =
      '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';
    assert.equal(aesCmac(key, Buffer.alloc(0)).toString('hex'), 'bb1d6929e95937287fa37d129b756746');
    assert.equal(
      aesCmac(key, hex(m.slice(0, 32))).toString('hex'),
      '070a16b46b4d4144f79bdd9dd04a287c',
    );
    assert.equal(
      aesCmac(key, hex(m.slice(0, 80))).toString('hex'),
      'dfa66747de9ae63030ca32611497c827',
    );
    assert.equal(aesCmac(key, hex(m)).toString('hex'), '51f0bebf7e3b9d92fc49741779363cfe');
  });

  it('MIC and decrypted payload equal lora-packet for any frame (fast-check)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(Buffer.from);
    fc.assert(
      fc.property(
        bytes(16),
        bytes(16),
        bytes(4),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 223 }),
        fc.uint8Array({ minLength: 0, maxLength: 60 }).map(Buffer.from),
        (nwkSKey, appSKey, devAddr, fCnt, fPort, plain) => {
          const msb = Buffer.from([(fCnt >>> 16) & 0xff, (fCnt >>> 24) & 0xff]);
          const packet = loraPacket.fromFields(
            {
              MType: 'Unconfirmed Data Up',
              DevAddr: devAddr,
              FCtrl: { ADR: false, ACK: false, ADRACKReq: false, FPending: false },
              FCnt: fCnt & 0xffff,
              FPort: fPort,
              payload: plain,
            },
            appSKey,
            nwkSKey,
            undefined,
            msb,
          );
          const phy = packet.getPHYPayload() as Buffer;
          assert.deepEqual(
            uplinkMic(nwkSKey, phy.subarray(0, phy.length - 4), fCnt),
            phy.subarray(-4),
          );
          const key = fPort === 0 ? nwkSKey : appSKey;
          const wire = loraPacket.fromWire(phy);
          assert.deepEqual(
            uplinkPayload(key, phy.subarray(1, 5), fCnt, wire.FRMPayload ?? Buffer.alloc(0)),
            plain,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
