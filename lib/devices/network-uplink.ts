import { LoraError } from './lora-messages';
import { readPhyPayload } from './lorawan';

/**
 * An uplink as a network server hands it to an application: a ChirpStack v4
 * `up` event or a The Things Stack v3 uplink message, read the same way. Every
 * field is optional in both (they leave out zero, false and empty values:
 * ChirpStack's documented event has no fCnt when it is 0 and no `object` without a
 * codec; the TTS documentation's own example has no f_port and a frequency as
 * text), so each is read only when present and of the right kind.
 */
export interface NetworkUplink {
  server: 'chirpstack' | 'tts';
  devEui?: string;
  devAddr?: string;
  fCnt?: number;
  fPort?: number;
  /** The FRMPayload, decrypted by the network server. */
  payload?: Buffer;
  /** What the network server's own codec made of it. */
  decoded?: Record<string, unknown>;
  /** When the network server received it (ms since the epoch). */
  time?: number;
  radio: {
    gateway?: string;
    rssi?: number;
    snr?: number;
    /** Hz. */
    frequency?: number;
    spreadingFactor?: number;
    bandwidth?: number;
    codingRate?: string;
  };
}

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
/** A number, or a text holding one (TTS writes the frequency as text). */
const number = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
const time = (value: unknown): number | undefined => {
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

/** Read an uplink event, parsed or as JSON text; a LoraError for what is neither format. */
export function readNetworkUplink(input: unknown): NetworkUplink {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      value = JSON.parse(input.toString());
    } catch (err) {
      throw new LoraError('LORA_UPLINK_NOT_JSON', {
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
  const event = object(value);
  if (event !== undefined && object(event.deviceInfo) !== undefined) return chirpstack(event);
  if (
    event !== undefined &&
    (object(event.end_device_ids) ?? object(event.uplink_message)) !== undefined
  )
    return tts(event);
  throw new LoraError('LORA_UPLINK_UNKNOWN', {
    keys: event === undefined ? typeof value : Object.keys(event).slice(0, 8).join(', ') || 'none',
  });
}

function chirpstack(event: Json): NetworkUplink {
  const device = object(event.deviceInfo) ?? {};
  const uplink: NetworkUplink = { server: 'chirpstack', radio: {} };
  assign(uplink, 'devEui', text(device.devEui)?.toLowerCase());
  assign(uplink, 'devAddr', text(event.devAddr)?.toLowerCase());
  // ChirpStack leaves out a zero fCnt.
  uplink.fCnt = number(event.fCnt) ?? 0;
  assign(uplink, 'fPort', number(event.fPort));
  const data = text(event.data);
  if (data !== undefined) uplink.payload = readPhyPayload(data);
  assign(uplink, 'decoded', object(event.object));
  assign(uplink, 'time', time(event.time));
  const rx = Array.isArray(event.rxInfo)
    ? event.rxInfo.map(object).filter((r) => r !== undefined)
    : [];
  const best = strongest(
    rx.map((r) => ({ rssi: number(r.rssi), snr: number(r.snr), gateway: text(r.gatewayId) })),
  );
  Object.assign(uplink.radio, best);
  const tx = object(event.txInfo) ?? {};
  assign(uplink.radio, 'frequency', number(tx.frequency));
  const lora = object(object(tx.modulation)?.lora) ?? {};
  assign(uplink.radio, 'spreadingFactor', number(lora.spreadingFactor));
  assign(uplink.radio, 'bandwidth', number(lora.bandwidth));
  assign(uplink.radio, 'codingRate', text(lora.codeRate));
  return uplink;
}

function tts(event: Json): NetworkUplink {
  const ids = object(event.end_device_ids) ?? {};
  const message = object(event.uplink_message) ?? {};
  const uplink: NetworkUplink = { server: 'tts', radio: {} };
  assign(uplink, 'devEui', text(ids.dev_eui)?.toLowerCase());
  assign(uplink, 'devAddr', text(ids.dev_addr)?.toLowerCase());
  uplink.fCnt = number(message.f_cnt) ?? 0;
  assign(uplink, 'fPort', number(message.f_port));
  const data = text(message.frm_payload);
  if (data !== undefined) uplink.payload = readPhyPayload(data);
  assign(uplink, 'decoded', object(message.decoded_payload));
  assign(uplink, 'time', time(message.received_at) ?? time(event.received_at));
  const rx = Array.isArray(message.rx_metadata)
    ? message.rx_metadata.map(object).filter((r) => r !== undefined)
    : [];
  const best = strongest(
    rx.map((r) => ({
      rssi: number(r.rssi) ?? number(r.channel_rssi),
      snr: number(r.snr),
      gateway: text(object(r.gateway_ids)?.gateway_id) ?? text(object(r.gateway_ids)?.eui),
    })),
  );
  Object.assign(uplink.radio, best);
  const settings = object(message.settings) ?? {};
  assign(uplink.radio, 'frequency', number(settings.frequency));
  const lora = object(object(settings.data_rate)?.lora) ?? {};
  assign(uplink.radio, 'spreadingFactor', number(lora.spreading_factor));
  assign(uplink.radio, 'bandwidth', number(lora.bandwidth));
  assign(uplink.radio, 'codingRate', text(lora.coding_rate) ?? text(settings.coding_rate));
  return uplink;
}

/** The gateway that heard it best (highest RSSI), with only the fields it gave. */
function strongest(heard: { rssi?: number; snr?: number; gateway?: string }[]): {
  rssi?: number;
  snr?: number;
  gateway?: string;
} {
  let best: { rssi?: number; snr?: number; gateway?: string } | undefined;
  for (const h of heard)
    if (best === undefined || (h.rssi ?? -Infinity) > (best.rssi ?? -Infinity)) best = h;
  const out: { rssi?: number; snr?: number; gateway?: string } = {};
  if (best?.rssi !== undefined) out.rssi = best.rssi;
  if (best?.snr !== undefined) out.snr = best.snr;
  if (best?.gateway !== undefined) out.gateway = best.gateway;
  return out;
}

function assign<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

/** What an application makes of an uplink: its readings, from the server's decoded object or from the payload. */
export type UplinkSource = 'decoded' | 'payload' | 'empty';

/**
 * Where an uplink's readings come from: the network server's decoded object when
 * there is one and it is wanted, otherwise the payload for the node's codec; an
 * uplink with neither (a frame with MAC commands only, a join event on the same
 * topic) carries no readings.
 */
export function uplinkSource(uplink: NetworkUplink, preferDecoded: boolean): UplinkSource {
  if (preferDecoded && uplink.decoded !== undefined) return 'decoded';
  if (uplink.payload !== undefined && uplink.payload.length > 0 && uplink.fPort !== 0)
    return 'payload';
  if (uplink.decoded !== undefined) return 'decoded';
  return 'empty';
}
