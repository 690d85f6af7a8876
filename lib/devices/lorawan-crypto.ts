import { createCipheriv } from 'node:crypto';

/**
 * The two ciphers of a LoRaWAN 1.0.x data frame on node:crypto (OpenSSL), not on
 * the pure-JavaScript AES lora-packet uses: AES-128-CMAC (RFC 4493) for the MIC and
 * the AES-128 keystream that encrypts FRMPayload (LoRaWAN 1.0.4 §4.3.3, §4.4). The
 * frame is still parsed by lora-packet; its results are the same (the tests compare).
 */

const ZERO_BLOCK = Buffer.alloc(16);

/** RFC 4493 §2.3: K1 and K2 from L = AES(K, 0^128), one pair per key. */
const SUBKEYS = new WeakMap<Buffer, { k1: Buffer; k2: Buffer }>();

function aesEcb(key: Buffer, blocks: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(blocks), cipher.final()]);
}

function double(block: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 15; i += 1) out[i] = ((block[i] << 1) | (block[i + 1] >> 7)) & 0xff;
  out[15] = (block[15] << 1) & 0xff;
  if (block[0] & 0x80) out[15] ^= 0x87;
  return out;
}

function subkeys(key: Buffer): { k1: Buffer; k2: Buffer } {
  let known = SUBKEYS.get(key);
  if (known === undefined) {
    const k1 = double(aesEcb(key, ZERO_BLOCK));
    known = { k1, k2: double(k1) };
    SUBKEYS.set(key, known);
  }
  return known;
}

/** AES-128-CMAC of `message` under `key` (RFC 4493 §2.4): the last block of a CBC-MAC with K1 or K2 mixed in. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  const { k1, k2 } = subkeys(key);
  const blocks = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const padded = Buffer.alloc(blocks * 16);
  message.copy(padded);
  if (!complete) padded[message.length] = 0x80;
  const subkey = complete ? k1 : k2;
  const last = (blocks - 1) * 16;
  for (let i = 0; i < 16; i += 1) padded[last + i] ^= subkey[i];
  const cipher = createCipheriv('aes-128-cbc', key, ZERO_BLOCK).setAutoPadding(false);
  const out = cipher.update(padded);
  return out.subarray(out.length - 16);
}

/**
 * The MIC of an uplink's PHYPayload (without its last four bytes, the MIC) for a
 * 32-bit counter: cmac(NwkSKey, B0 | msg)[0..3], B0 = 0x49 | 0^4 | Dir 0 | DevAddr |
 * FCnt (32 bits) | 0x00 | len(msg) (§4.4). DevAddr is taken as it is on the wire.
 */
export function uplinkMic(nwkSKey: Buffer, msg: Buffer, fCnt: number): Buffer {
  const b0 = Buffer.alloc(16);
  b0[0] = 0x49;
  msg.copy(b0, 6, 1, 5); // DevAddr, little-endian as sent
  b0.writeUInt32LE(fCnt >>> 0, 10);
  b0[15] = msg.length;
  return aesCmac(nwkSKey, Buffer.concat([b0, msg])).subarray(0, 4);
}

/**
 * FRMPayload of an uplink encrypted or decrypted (the same XOR): blocks
 * A_i = 0x01 | 0^4 | Dir 0 | DevAddr | FCnt (32 bits) | 0x00 | i, encrypted with
 * the key (the AppSKey, the NwkSKey on port 0), XORed with the payload (§4.3.3).
 * `devAddr` as on the wire (4 bytes, little-endian).
 */
export function uplinkPayload(key: Buffer, devAddr: Buffer, fCnt: number, payload: Buffer): Buffer {
  const count = Math.ceil(payload.length / 16);
  const a = Buffer.alloc(count * 16);
  for (let i = 0; i < count; i += 1) {
    const at = i * 16;
    a[at] = 0x01;
    devAddr.copy(a, at + 6, 0, 4);
    a.writeUInt32LE(fCnt >>> 0, at + 10);
    a[at + 15] = i + 1;
  }
  const stream = aesEcb(key, a);
  const out = Buffer.alloc(payload.length);
  for (let j = 0; j < payload.length; j += 1) out[j] = payload[j] ^ stream[j];
  return out;
}
