/**
 * LoRaWAN 1.1 frames for the tests, signed as the specification says with an
 * AES-CMAC written from RFC 4493 on node:crypto (checked against the RFC's
 * vectors in test/lib/devices/lorawan-11.test.ts), not with the code under test.
 */
import { createCipheriv } from 'node:crypto';
import loraPacket from 'lora-packet';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

export /** AES-128-CMAC, RFC 4493 §2.4. */
function cmac(key: Buffer, message: Buffer): Buffer {
  const aes = (block: Buffer): Buffer => {
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(block), cipher.final()]);
  };
  const double = (block: Buffer): Buffer => {
    const out = Buffer.alloc(16);
    for (let i = 0; i < 16; i += 1) out[i] = ((block[i] << 1) | (block[i + 1] >> 7 || 0)) & 0xff;
    out[15] = (block[15] << 1) & 0xff;
    if (block[0] & 0x80) out[15] ^= 0x87;
    return out;
  };
  const k1 = double(aes(Buffer.alloc(16)));
  const k2 = double(k1);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = Buffer.alloc(16);
  message.copy(last, 0, (blocks - 1) * 16);
  if (!complete) last[message.length - (blocks - 1) * 16] = 0x80;
  const subkey = complete ? k1 : k2;
  for (let i = 0; i < 16; i += 1) last[i] ^= subkey[i];
  let x: Buffer = Buffer.alloc(16);
  for (let b = 0; b < blocks - 1; b += 1) {
    const block = message.subarray(b * 16, b * 16 + 16);
    x = aes(Buffer.from(x.map((v, i) => v ^ block[i])));
  }
  return aes(Buffer.from(x.map((v, i) => v ^ last[i])));
}

export interface Keys11 {
  fNwkSIntKey: string;
  sNwkSIntKey: string;
  appSKey: string;
  devAddr: string;
}

/** A 1.1 uplink signed as §4.4.2 says, sent at data rate `txDr` on channel `txCh`. */
export function uplink11(
  keys: Keys11,
  fCnt: number,
  options: { txDr: number; txCh: number; ack?: boolean; confFCnt?: number; payload?: Buffer },
): Buffer {
  const msb = Math.floor(fCnt / 0x10000);
  const frame = loraPacket
    .fromFields(
      {
        MType: 'Unconfirmed Data Up',
        DevAddr: hex(keys.devAddr),
        FCtrl: { ADR: true, ACK: options.ack ?? false, ADRACKReq: false, FPending: false },
        FCnt: fCnt & 0xffff,
        FPort: 1,
        payload: options.payload ?? hex('036700d7'),
      },
      hex(keys.appSKey),
      hex(keys.fNwkSIntKey),
      undefined,
      Buffer.from([msb & 0xff, msb >> 8]),
    )
    .getPHYPayload() as Buffer;
  const msg = frame.subarray(0, frame.length - 4);
  const b = (conf: number, txDr: number, txCh: number): Buffer => {
    const block = Buffer.alloc(16);
    block[0] = 0x49;
    block.writeUInt16LE(conf, 1);
    block[3] = txDr;
    block[4] = txCh;
    block[5] = 0; // uplink
    hex(keys.devAddr).reverse().copy(block, 6);
    block.writeUInt32LE(fCnt, 10);
    block[15] = msg.length;
    return block;
  };
  const cmacF = cmac(hex(keys.fNwkSIntKey), Buffer.concat([b(0, 0, 0), msg]));
  const conf = options.ack ? (options.confFCnt ?? 0) : 0;
  const cmacS = cmac(
    hex(keys.sNwkSIntKey),
    Buffer.concat([b(conf, options.txDr, options.txCh), msg]),
  );
  return Buffer.concat([msg, cmacS.subarray(0, 2), cmacF.subarray(0, 2)]);
}
