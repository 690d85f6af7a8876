import loraPacket from 'lora-packet';

type LoraPacket = ReturnType<typeof loraPacket.fromWire>;

/**
 * What a LoRaWAN 1.1 uplink's MIC says about a frame counter (LoRaWAN 1.1 §4.4.2):
 *
 *   cmacF = aes128_cmac(FNwkSIntKey, B0 | msg)      B0 as in 1.0.x
 *   cmacS = aes128_cmac(SNwkSIntKey, B1 | msg)      B1 adds ConfFCnt, TxDr, TxCh
 *   MIC   = cmacS[0..1] | cmacF[0..1]
 *
 * TxDr and TxCh (the data rate and channel index the device sent on) are not in
 * the frame: they are taken from the radio metadata when given, else searched
 * among data rates and channels 0-15. ConfFCnt (the counter of the confirmed
 * downlink an ACK answers) is known only to the network server: on a frame with
 * ACK set, cmacS is checked only when `confFCnt` is given, otherwise cmacF alone
 * vouches for the frame (16 bits) and the result says so.
 */
export interface Mic11Hints {
  txDr?: number;
  txCh?: number;
  confFCnt?: number;
}

export type Mic11Check = 'full' | 'fNwkSIntKey' | false;

const SEARCH = 16;

/** The MIC under both keys for the counter's upper 16 bits `msb` (wire order); lora-packet takes FNwkSIntKey for B0 and SNwkSIntKey for B1. */
function mic(
  packet: LoraPacket,
  fNwkSIntKey: Buffer,
  sNwkSIntKey: Buffer,
  msb: Buffer,
  confFCnt: number,
  txDr: number,
  txCh: number,
): Buffer {
  // lora-packet writes into this buffer: a fresh one each time. It also swaps ConfFCnt's
  // two bytes into B1 (it writes the value read little-endian back big-endian), where
  // the specification, like LoRaMac-node, has it little-endian: handed over swapped, it
  // lands in B1 the right way round.
  const conf = Buffer.from([(confFCnt >> 8) & 0xff, confFCnt & 0xff, txDr & 0xff, txCh & 0xff]);
  return loraPacket.calculateMIC(packet, fNwkSIntKey, sNwkSIntKey, msb, conf);
}

export function checkMic11(
  packet: LoraPacket,
  keys: { fNwkSIntKey: Buffer; sNwkSIntKey: Buffer },
  msb: Buffer,
  hints: Mic11Hints = {},
): Mic11Check {
  const given = packet.MIC;
  if (given === undefined || given.length !== 4) return false;
  const ack = packet.getFCtrlACK() === true;
  const confFCnt = ack ? (hints.confFCnt ?? 0) : 0;
  const { fNwkSIntKey, sNwkSIntKey } = keys;
  let first: Buffer;
  try {
    first = mic(packet, fNwkSIntKey, sNwkSIntKey, msb, confFCnt, hints.txDr ?? 0, hints.txCh ?? 0);
  } catch {
    return false; // a frame too damaged to compute its MIC over
  }
  // cmacF does not depend on TxDr, TxCh or ConfFCnt: it decides first.
  if (first[2] !== given[2] || first[3] !== given[3]) return false;
  if (ack && hints.confFCnt === undefined) return 'fNwkSIntKey';
  if (first[0] === given[0] && first[1] === given[1]) return 'full';
  const drs = hints.txDr === undefined ? range(SEARCH) : [hints.txDr];
  const chs = hints.txCh === undefined ? range(SEARCH) : [hints.txCh];
  for (const txDr of drs)
    for (const txCh of chs) {
      const s = mic(packet, fNwkSIntKey, sNwkSIntKey, msb, confFCnt, txDr, txCh);
      if (s[0] === given[0] && s[1] === given[1]) return 'full';
    }
  return false;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
