import { lenientBase64 } from './lenient-base64';
import loraPacket from 'lora-packet';
import { LoraError } from './lora-messages';
import { type Mic11Hints, checkMic11 } from './lorawan-11-mic';
import { uplinkMic, uplinkPayload } from './lorawan-crypto';

/**
 * LoRaWAN 1.0.x uplinks, read with lora-packet: a PHYPayload checked (MIC),
 * its 32-bit frame counter rebuilt from the 16 bits on the wire against the last
 * one accepted, and its FRMPayload decrypted. Join requests and join accepts
 * (OTAA) give the session keys. Pure: the caller keeps the counters (durably,
 * see lib/store/frame-counters.ts) and the sessions.
 */

type LoraPacket = ReturnType<typeof loraPacket.fromWire>;

/** LoRaWAN 1.0.x MAX_FCNT_GAP (Regional Parameters): a larger jump is refused. */
export const MAX_FCNT_GAP = 16_384;
/** A first frame's counter is looked for in this many epochs of 65,536 (about a million frames). */
const FIRST_FRAME_EPOCHS = 16;

/** A device's identity and keys (hex text as network servers show them, most significant byte first). */
export interface LoraDeviceKeys {
  /** A name for messages: the DevEUI, else the DevAddr. */
  name: string;
  devEui?: string;
  /** ABP, or the session of the last join. */
  session?: LoraSession;
  /** OTAA. */
  appKey?: string;
  /** OTAA, LoRaWAN 1.1 only: the network root key (its presence says the device is 1.1). */
  nwkKey?: string;
  joinEui?: string;
}

export interface LoraSession {
  devAddr: string;
  /** LoRaWAN 1.0.x: the NwkSKey; 1.1: the FNwkSIntKey. */
  nwkSKey: string;
  /** LoRaWAN 1.1 only (its presence says the session is 1.1): the key of the MIC's other half. */
  sNwkSIntKey?: string;
  appSKey: string;
  /** "abp", or an id of the join that made it: the frame counters count per session. */
  id: string;
}

export interface UplinkFrame {
  kind: 'data';
  devAddr: string;
  /** The 32-bit frame counter. */
  fCnt: number;
  /** null for a frame without FPort (only MAC commands in FOpts). */
  fPort: number | null;
  /** FRMPayload decrypted (with the NwkSKey on port 0, with the AppSKey otherwise). */
  payload: Buffer;
  confirmed: boolean;
  adr: boolean;
  ack: boolean;
  /**
   * What vouches for the frame: its whole MIC, or (LoRaWAN 1.1, a frame that
   * acknowledges a confirmed downlink whose counter is not known here) only the
   * half under the FNwkSIntKey.
   */
  mic: 'full' | 'fNwkSIntKey';
}

export interface JoinRequestFrame {
  kind: 'join-request';
  devEui: string;
  joinEui: string;
  devNonce: string;
}

export interface JoinAcceptFrame {
  kind: 'join-accept';
  session: LoraSession;
  netId: string;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * A PHYPayload as a Buffer: a Buffer or Uint8Array as it is; text as hex (spaces
 * and colons allowed) or base64, lenient about padding and the URL alphabet
 * (`-`, `_`), as gateways and network servers write it.
 */
export function readPhyPayload(input: unknown): Buffer {
  if (Buffer.isBuffer(input)) return input;
  if (input instanceof Uint8Array) return Buffer.from(input);
  if (typeof input !== 'string')
    throw new LoraError('LORA_PAYLOAD_TYPE', { got: input === null ? 'null' : typeof input });
  const compact = input.replace(/[\s:]/g, '');
  if (compact.length > 0 && HEX.test(compact)) return Buffer.from(compact, 'hex');
  const bytes = compact.length === 0 ? undefined : lenientBase64(compact);
  if (bytes === undefined)
    throw new LoraError('LORA_PAYLOAD_TEXT', {
      text: input.length > 80 ? `${input.slice(0, 80)}…` : input,
    });
  return bytes;
}

/** A key or identifier in hex, of `bytes` bytes, as a Buffer; a LoraError naming the field otherwise. */
export function hexField(field: string, value: unknown, bytes: number): Buffer {
  const text = typeof value === 'string' ? value.replace(/[\s:-]/g, '') : '';
  if (text.length !== bytes * 2 || !HEX.test(text))
    throw new LoraError('LORA_KEY', {
      field,
      bytes,
      digits: bytes * 2,
      value: String(value ?? ''),
    });
  return Buffer.from(text, 'hex');
}

/** Session keys as Buffers, by their hex text: read once, not at every frame (lora-packet only reads them). */
const SESSION_KEYS = new Map<string, Buffer>();

function sessionKey(
  field: 'NwkSKey' | 'FNwkSIntKey' | 'SNwkSIntKey' | 'AppSKey',
  hex: string,
): Buffer {
  const known = SESSION_KEYS.get(hex);
  if (known !== undefined) return known;
  const key = hexField(field, hex, 16);
  if (SESSION_KEYS.size >= 1024) SESSION_KEYS.clear();
  SESSION_KEYS.set(hex, key);
  return key;
}

function parse(phy: Buffer): LoraPacket {
  if (phy.length < 1)
    throw new LoraError('LORA_FRAME_SHORT', { kind: 'LoRaWAN', min: 12, length: 0 });
  try {
    return loraPacket.fromWire(phy);
  } catch (err) {
    throw new LoraError('LORA_FRAME_UNREADABLE', {
      reason: err instanceof Error ? err.message : String(err),
    });
  }
}

const MIN_LENGTH: Record<string, number> = {
  'Join Request': 23,
  'Join Accept': 17,
  'Unconfirmed Data Up': 12,
  'Confirmed Data Up': 12,
};

/**
 * Read a frame: a data uplink of `device`'s session (MIC, counter, decryption),
 * a join request of the device (its MIC under the AppKey), or a join accept
 * for it (decrypted with the AppKey, the session keys derived with the DevNonce
 * of `lastJoinRequest`). `lastFCnt`: the last counter accepted in the session.
 */
export function readFrame(
  phy: Buffer,
  device: LoraDeviceKeys,
  options: {
    lastFCnt?: number;
    lastJoinRequest?: JoinRequestFrame;
    maxGap?: number;
    /** LoRaWAN 1.1: TxDr, TxCh (and ConfFCnt) of the frame, when the radio metadata says. */
    radio?: Mic11Hints;
  } = {},
): UplinkFrame | JoinRequestFrame | JoinAcceptFrame {
  const packet = parse(phy);
  const mtype = packet.getMType();
  const min = MIN_LENGTH[mtype];
  if (min === undefined)
    throw new LoraError('LORA_FRAME_TYPE', { kind: mtype, mtype: phy[0] >> 5 });
  if (phy.length < min)
    throw new LoraError('LORA_FRAME_SHORT', { kind: mtype, min, length: phy.length });
  if (mtype === 'Join Request') return joinRequest(packet, device);
  if (mtype === 'Join Accept') return joinAccept(packet, device, options.lastJoinRequest);
  return dataUplink(packet, device, options.lastFCnt, options.maxGap, options.radio);
}

function dataUplink(
  packet: LoraPacket,
  device: LoraDeviceKeys,
  lastFCnt: number | undefined,
  givenGap: number | undefined,
  radio: Mic11Hints | undefined,
): UplinkFrame {
  const session = device.session;
  if (session === undefined) throw new LoraError('LORA_NO_SESSION', { device: device.name });
  const devAddr = (packet.DevAddr ?? Buffer.alloc(0)).toString('hex');
  if (devAddr !== session.devAddr.toLowerCase())
    throw new LoraError('LORA_OTHER_DEVICE', {
      devAddr,
      expected: session.devAddr,
      device: device.name,
    });
  const v11 = session.sNwkSIntKey !== undefined;
  const nwkSKey = sessionKey(v11 ? 'FNwkSIntKey' : 'NwkSKey', session.nwkSKey);
  const appSKey = sessionKey('AppSKey', session.appSKey);
  const sNwkSIntKey = v11 ? sessionKey('SNwkSIntKey', session.sNwkSIntKey!) : undefined;
  // LoRaWAN 1.1 has no MAX_FCNT_GAP: any counter ahead within the 16 bits on the wire.
  const maxGap = givenGap ?? (v11 ? 0xffff : MAX_FCNT_GAP);
  const micError = v11 ? 'LORA_MIC_11' : 'LORA_MIC';
  // The MIC is over the whole PHYPayload but its last four bytes, the MIC itself.
  const phy = packet.PHYPayload;
  const msg = phy?.subarray(0, phy.length - 4);
  const mic = phy?.subarray(phy.length - 4);
  let vouched: UplinkFrame['mic'] = 'full';
  const wire = packet.getFCnt() ?? 0;
  // The counter goes on from the last one accepted: the same 16 bits in this epoch, or the next after a rollover.
  const epoch = lastFCnt === undefined ? 0 : lastFCnt - (lastFCnt % 0x10000);
  const same = epoch + wire;
  const candidate = lastFCnt === undefined || same > lastFCnt ? same : same + 0x10000;
  const holds = (fCnt: number): boolean => {
    if (sNwkSIntKey !== undefined) {
      const check = checkMic11(
        packet,
        { fNwkSIntKey: nwkSKey, sNwkSIntKey },
        msbBytes(fCnt),
        radio,
      );
      if (check !== false) vouched = check === 'full' ? 'full' : 'fNwkSIntKey';
      return check !== false;
    }
    return phy !== undefined && phy.length >= 12 && uplinkMic(nwkSKey, msg!, fCnt).equals(mic!);
  };
  if (lastFCnt === undefined) {
    // No counter kept yet (a device first heard after years on air): its epoch is found by the MIC.
    for (let upper = 0; upper < FIRST_FRAME_EPOCHS; upper += 1) {
      const fCnt = upper * 0x10000 + wire;
      if (holds(fCnt)) return frameOf(packet, fCnt, devAddr, nwkSKey, appSKey, vouched, v11);
    }
    throw new LoraError(micError, { device: device.name, devAddr, fCnt: wire });
  }
  if (!holds(candidate)) {
    // Signed as an earlier counter: a replay, or a frame that came after later ones.
    // Signed in this epoch or an earlier one, at or below the last counter: a replay, or late.
    for (
      let older = same;
      older >= 0 && same - older < FIRST_FRAME_EPOCHS * 0x10000;
      older -= 0x10000
    ) {
      if (older <= lastFCnt && holds(older))
        throw new LoraError('LORA_REPLAY', { device: device.name, fCnt: older, last: lastFCnt });
    }
    throw new LoraError(micError, { device: device.name, devAddr, fCnt: candidate });
  }
  if (lastFCnt !== undefined && candidate - lastFCnt > maxGap)
    throw new LoraError('LORA_COUNTER_GAP', {
      device: device.name,
      last: lastFCnt,
      fCnt: candidate,
      gap: maxGap,
    });
  return frameOf(packet, candidate, devAddr, nwkSKey, appSKey, vouched, v11);
}

function frameOf(
  packet: LoraPacket,
  fCnt: number,
  devAddr: string,
  nwkSKey: Buffer,
  appSKey: Buffer,
  mic: UplinkFrame['mic'],
  v11: boolean,
): UplinkFrame {
  // LoRaWAN 1.1 encrypts port 0 (MAC commands) with the NwkSEncKey, not held here: not read.
  const unread = v11 && packet.getFPort() === 0;
  const frm = packet.FRMPayload;
  const payload =
    frm !== undefined && frm.length > 0 && !unread
      ? uplinkPayload(
          packet.getFPort() === 0 ? nwkSKey : appSKey,
          packet.PHYPayload!.subarray(1, 5),
          fCnt,
          frm,
        )
      : Buffer.alloc(0);
  return {
    kind: 'data',
    devAddr,
    fCnt,
    fPort: packet.getFPort(),
    payload,
    confirmed: packet.getMType() === 'Confirmed Data Up',
    adr: packet.getFCtrlADR() === true,
    ack: packet.getFCtrlACK() === true,
    mic,
  };
}

/** The upper 16 bits of a 32-bit counter in wire (little-endian) order, as lora-packet takes them. */
function msbBytes(fCnt: number): Buffer {
  const msb = Math.floor(fCnt / 0x10000);
  return Buffer.from([msb & 0xff, (msb >> 8) & 0xff]);
}

/** The key a join is signed and encrypted with: LoRaWAN 1.1's NwkKey, 1.0.x's AppKey. */
function joinKey(device: LoraDeviceKeys): Buffer {
  return device.nwkKey !== undefined
    ? hexField('NwkKey', device.nwkKey, 16)
    : hexField('AppKey', device.appKey, 16);
}

function joinRequest(packet: LoraPacket, device: LoraDeviceKeys): JoinRequestFrame {
  const key = joinKey(device);
  let holds: boolean;
  try {
    holds = loraPacket.verifyMIC(packet, undefined, key);
  } catch {
    holds = false;
  }
  if (!holds) throw new LoraError('LORA_JOIN_MIC', { kind: 'join request', device: device.name });
  return {
    kind: 'join-request',
    devEui: (packet.DevEUI ?? Buffer.alloc(0)).toString('hex'),
    joinEui: (packet.AppEUI ?? Buffer.alloc(0)).toString('hex'),
    devNonce: (packet.DevNonce ?? Buffer.alloc(0)).toString('hex'),
  };
}

/**
 * A join accept: decrypted with the join key, its MIC checked, the session keys
 * derived. A LoRaWAN 1.1 device (NwkKey given) on a 1.1 network (OptNeg set in
 * DLSettings) checks the MIC under the JSIntKey over JoinReqType | JoinEUI |
 * DevNonce | the accept and derives four keys (1.1 §6.2.3); on a 1.0 network
 * (OptNeg clear) it derives 1.0 keys from the NwkKey, as a 1.0 device from its AppKey.
 */
function joinAccept(
  packet: LoraPacket,
  device: LoraDeviceKeys,
  request: JoinRequestFrame | undefined,
): JoinAcceptFrame {
  const key = joinKey(device);
  const decrypted = parse(loraPacket.decryptJoinAccept(packet, key));
  const v11 = device.nwkKey !== undefined && decrypted.getDLSettingsOptNeg() === true;
  if (v11 && request === undefined)
    throw new LoraError('LORA_NO_JOIN_REQUEST', { device: device.name });
  let holds: boolean;
  try {
    if (v11) {
      // The MIC covers what the join request said (JoinReqType 0xFF: answering a join request).
      decrypted.JoinReqType = Buffer.from([0xff]);
      decrypted.JoinEUI = Buffer.from(request!.joinEui, 'hex');
      decrypted.DevNonce = Buffer.from(request!.devNonce, 'hex');
      const { JSIntKey } = loraPacket.generateJSKeys(key, Buffer.from(request!.devEui, 'hex'));
      holds = loraPacket.verifyMIC(decrypted, JSIntKey, undefined);
    } else holds = loraPacket.verifyMIC(decrypted, undefined, key);
  } catch {
    holds = false; // under another key the plaintext is noise, and may read as a 1.1 accept
  }
  if (!holds) throw new LoraError('LORA_JOIN_MIC', { kind: 'join accept', device: device.name });
  if (request === undefined) throw new LoraError('LORA_NO_JOIN_REQUEST', { device: device.name });
  const joinNonce = decrypted.AppNonce ?? decrypted.JoinNonce;
  const netId = decrypted.NetID ?? Buffer.alloc(3);
  const devNonce = Buffer.from(request.devNonce, 'hex');
  const id = `join-${request.devNonce}-${(joinNonce ?? Buffer.alloc(3)).toString('hex')}`;
  const devAddr = (decrypted.DevAddr ?? Buffer.alloc(4)).toString('hex');
  if (v11) {
    const keys11 = loraPacket.generateSessionKeys11(
      hexField('AppKey', device.appKey, 16),
      key,
      Buffer.from(request.joinEui, 'hex'),
      joinNonce ?? Buffer.alloc(3),
      devNonce,
    );
    return {
      kind: 'join-accept',
      netId: netId.toString('hex'),
      session: {
        devAddr,
        nwkSKey: keys11.FNwkSIntKey.toString('hex'),
        sNwkSIntKey: keys11.SNwkSIntKey.toString('hex'),
        appSKey: keys11.AppSKey.toString('hex'),
        id,
      },
    };
  }
  const keys = loraPacket.generateSessionKeys10(key, netId, joinNonce ?? Buffer.alloc(3), devNonce);
  return {
    kind: 'join-accept',
    netId: netId.toString('hex'),
    session: {
      devAddr,
      nwkSKey: keys.NwkSKey.toString('hex'),
      appSKey: keys.AppSKey.toString('hex'),
      id,
    },
  };
}
