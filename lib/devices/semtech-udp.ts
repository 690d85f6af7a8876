/**
 * The Semtech UDP packet-forwarder protocol, server side (Lora-net/packet_forwarder
 * PROTOCOL.TXT, protocol versions 1 and 2): a datagram from a gateway read into a
 * typed result, and the ack the server owes it. Upstream only: PUSH_DATA (radio
 * frames and gateway status), PULL_DATA (keepalive) and TX_ACK (v2).
 *
 *   byte 0       protocol version (1 or 2)
 *   bytes 1-2    random token, echoed in the ack
 *   byte 3       identifier: 0x00 PUSH_DATA, 0x02 PULL_DATA, 0x05 TX_ACK (v2)
 *   bytes 4-11   gateway EUI
 *   bytes 12-    JSON object (PUSH_DATA; optional in TX_ACK)
 */
import { lenientBase64 } from './lenient-base64';
import { LoraError } from './lora-messages';

export const PUSH_DATA = 0x00;
export const PUSH_ACK = 0x01;
export const PULL_DATA = 0x02;
export const PULL_ACK = 0x04;
export const TX_ACK = 0x05;

const HEADER = 4;
const EUI_END = 12;
const OPEN_BRACE = 0x7b;
/** What a JSON text other than an object may start with. */
const JSON_START = /^[\s["0-9tfn-]$/;

/** Radio metadata of one received frame, named as lora decode and flows read it. */
export interface RadioMetadata {
  /** The gateway's EUI, 16 hex digits in lower case. */
  gatewayEui: string;
  /** UTC time of reception (ISO 8601), when the gateway has one (GPS or NTP). */
  time?: string;
  /** The concentrator's microsecond counter at the end of reception (32 bits). */
  tmst?: number;
  /** Centre frequency in MHz. */
  freq?: number;
  /** Concentrator IF channel. */
  chan?: number;
  /** Concentrator RF chain. */
  rfch?: number;
  /** "LORA" or "FSK" (`modu`). */
  modulation?: string;
  /** "SF7BW125" for LoRa, bits per second for FSK (`datr`). */
  datarate?: string | number;
  /** LoRa coding rate, "4/5" … "4/8". */
  codr?: string;
  /** RSSI in dBm. */
  rssi?: number;
  /** LoRa signal-to-noise ratio in dB (`lsnr`). */
  snr?: number;
  /** Payload size in bytes, as the gateway gave it. */
  size?: number;
}

/** One element of a PUSH_DATA's `rxpk`, by what becomes of it. */
export type RxPacket =
  | { kind: 'frame'; index: number; payload: Buffer; radio: RadioMetadata }
  /** stat -1: the radio's CRC check failed. */
  | { kind: 'crc-failed'; index: number }
  /** stat 0 (or none): received without a CRC; see readRxpk. */
  | { kind: 'no-crc'; index: number }
  | { kind: 'bad'; index: number; error: LoraError };

interface Header {
  version: 1 | 2;
  /** The token, big-endian, to echo in the ack. */
  token: number;
  gatewayEui: string;
}

export type GatewayDatagram =
  | (Header & {
      type: 'PUSH_DATA';
      /** The `stat` object of the gateway, when the datagram has one. */
      stat?: Record<string, unknown>;
      packets: RxPacket[];
    })
  | (Header & { type: 'PULL_DATA' })
  | (Header & {
      type: 'TX_ACK';
      /** `txpk_ack.error` ("NONE", "TOO_LATE", …) when the gateway gave one. */
      error?: string;
    });

const KINDS: Record<number, string> = {
  [PUSH_DATA]: 'PUSH_DATA',
  [PULL_DATA]: 'PULL_DATA',
  [TX_ACK]: 'TX_ACK',
};

/**
 * A datagram from a gateway, read; a LoraError (code DEVICE_LORA_GATEWAY) when it
 * is not a well-formed upstream datagram. An `rxpk` element that cannot be read
 * spoils only itself: it comes back as `{ kind: 'bad' }` beside the others.
 */
export function parseDatagram(data: Buffer): GatewayDatagram {
  if (data.length < HEADER) throw new LoraError('LORA_GATEWAY_HEADER', { length: data.length });
  const version = data[0];
  if (version !== 1 && version !== 2) throw new LoraError('LORA_GATEWAY_VERSION', { version });
  const id = data[3];
  const kind = KINDS[id];
  if (kind === undefined || (id === TX_ACK && version === 1))
    throw new LoraError('LORA_GATEWAY_TYPE', { type: hexByte(id), version });
  const token = data.readUInt16BE(1);
  const end = euiEnd(data, kind, id === PULL_DATA);
  const gatewayEui = data.subarray(HEADER, end).toString('hex');
  const header: Header = { version, token, gatewayEui };

  if (id === PULL_DATA) return { ...header, type: 'PULL_DATA' };
  const body = data.subarray(end);
  if (id === TX_ACK) {
    if (jsonText(body) === '') return { ...header, type: 'TX_ACK' };
    const ack = readObject(body, kind, gatewayEui).txpk_ack;
    const error =
      typeof ack === 'object' && ack !== null ? (ack as { error?: unknown }).error : undefined;
    return typeof error === 'string'
      ? { ...header, type: 'TX_ACK', error }
      : { ...header, type: 'TX_ACK' };
  }

  const json = readObject(body, kind, gatewayEui);
  const stat =
    typeof json.stat === 'object' && json.stat !== null && !Array.isArray(json.stat)
      ? (json.stat as Record<string, unknown>)
      : undefined;
  if (json.rxpk !== undefined && !Array.isArray(json.rxpk))
    throw new LoraError('LORA_GATEWAY_RXPK', { gateway: gatewayEui, value: shown(json.rxpk) });
  const rxpk = (json.rxpk ?? []) as unknown[];
  const packets = rxpk.map((item, index) => readRxpk(item, index, gatewayEui));
  return stat === undefined
    ? { ...header, type: 'PUSH_DATA', packets }
    : { ...header, type: 'PUSH_DATA', stat, packets };
}

/**
 * The ack a datagram is owed: PUSH_ACK for PUSH_DATA, PULL_ACK for PULL_DATA,
 * with the datagram's version and token; none for TX_ACK (the gateway's own ack).
 */
export function ackFor(datagram: GatewayDatagram): Buffer | undefined {
  if (datagram.type === 'TX_ACK') return undefined;
  const ack = Buffer.alloc(HEADER);
  ack[0] = datagram.version;
  ack.writeUInt16BE(datagram.token, 1);
  ack[3] = datagram.type === 'PUSH_DATA' ? PUSH_ACK : PULL_ACK;
  return ack;
}

/** Where the gateway EUI ends (always 12), or a LoraError saying how long it was. */
function euiEnd(data: Buffer, kind: string, exact: boolean): number {
  if (exact) {
    if (data.length === EUI_END) return EUI_END;
    throw new LoraError('LORA_GATEWAY_EUI', { kind, length: data.length - HEADER });
  }
  if (data.length === EUI_END || (data.length > EUI_END && data[EUI_END] === OPEN_BRACE))
    return EUI_END;
  // The object starts before byte 12: the EUI is shorter than 8 bytes.
  const brace = data.indexOf(OPEN_BRACE, HEADER);
  if (brace !== -1 && brace < EUI_END)
    throw new LoraError('LORA_GATEWAY_EUI', { kind, length: brace - HEADER });
  // Text that JSON may start with, where the object was due: readObject says what it is.
  if (data.length > EUI_END && JSON_START.test(String.fromCharCode(data[EUI_END]))) return EUI_END;
  // The object starts after byte 12: the EUI is longer than 8 bytes.
  if (brace !== -1) throw new LoraError('LORA_GATEWAY_EUI', { kind, length: brace - HEADER });
  if (data.length < EUI_END)
    throw new LoraError('LORA_GATEWAY_SHORT', { kind, min: EUI_END, length: data.length });
  return EUI_END; // 8 bytes of EUI, then no JSON at all: readObject says so
}

/** The JSON text of a body, a NUL terminator or trailing blanks left out. */
function jsonText(body: Buffer): string {
  return body.toString('utf8').replace(/[\0\s]+$/, '');
}

function readObject(body: Buffer, kind: string, gateway: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(jsonText(body));
  } catch (err) {
    throw new LoraError('LORA_GATEWAY_JSON', {
      kind,
      gateway,
      reason: err instanceof Error ? err.message : String(err),
    });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new LoraError('LORA_GATEWAY_NOT_OBJECT', { kind, gateway, value: shown(json) });
  return json as Record<string, unknown>;
}

function readRxpk(item: unknown, index: number, gateway: string): RxPacket {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return {
      kind: 'bad',
      index,
      error: new LoraError('LORA_GATEWAY_RXPK_ITEM', { index, gateway, value: shown(item) }),
    };
  const rx = item as Record<string, unknown>;
  if (rx.stat === -1) return { kind: 'crc-failed', index };
  // PROTOCOL.TXT: "stat: CRC status: 1 = OK, -1 = fail, 0 = no CRC". A LoRaWAN uplink
  // always carries a PHY CRC (only downlinks go without), and the reference forwarder
  // drops CRC-less frames unless told otherwise (forward_crc_disabled, off by
  // default). A stat-0 frame is thus another network's downlink overheard, or no
  // LoRaWAN at all, and its bytes are unchecked: it is dropped and counted, not
  // given to lora decode as if it were an uplink. A missing stat is taken the same
  // way: nothing says the frame was checked.
  if (rx.stat !== 1) return { kind: 'no-crc', index };
  const payload = typeof rx.data === 'string' ? lenientBase64(rx.data) : undefined;
  if (payload === undefined)
    return {
      kind: 'bad',
      index,
      error: new LoraError('LORA_GATEWAY_DATA', { index, gateway, value: shown(rx.data) }),
    };
  if (typeof rx.size === 'number' && rx.size !== payload.length)
    return {
      kind: 'bad',
      index,
      error: new LoraError('LORA_GATEWAY_SIZE', {
        index,
        gateway,
        size: rx.size,
        length: payload.length,
      }),
    };
  return { kind: 'frame', index, payload, radio: radioMetadata(rx, gateway) };
}

function radioMetadata(rx: Record<string, unknown>, gatewayEui: string): RadioMetadata {
  const radio: RadioMetadata = { gatewayEui };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const fields: Omit<RadioMetadata, 'gatewayEui'> = {
    time: text(rx.time),
    tmst: num(rx.tmst),
    freq: num(rx.freq),
    chan: num(rx.chan),
    rfch: num(rx.rfch),
    modulation: text(rx.modu),
    datarate: text(rx.datr) ?? num(rx.datr),
    codr: text(rx.codr),
    rssi: num(rx.rssi),
    snr: num(rx.lsnr),
    size: num(rx.size),
  };
  for (const [name, value] of Object.entries(fields))
    if (value !== undefined) (radio as unknown as Record<string, unknown>)[name] = value;
  return radio;
}

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** A JSON value as a short text for a message. */
function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
