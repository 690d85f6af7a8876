import type { Node } from 'node-red';
import type { LoraDeviceState } from '../../lib/devices/lora-device-state';
import { decodeCayenneLpp } from '../../lib/devices/cayenne-lpp';
import { decodeFields, parseFieldSchema } from '../../lib/devices/field-schema';
import type { DeviceReading } from '../../lib/devices/readings';
import { compileUplinkScript, type UplinkDecoder } from '../../lib/devices/uplink-script';

/** A `lora device` config node as lora decode sees it. */
export interface LoraDeviceNode extends Node {
  devEui: string;
  /** The DevAddr its settings give (ABP), even when they cannot work: frames from it are told why. */
  devAddr?: string;
  /** The device, once its counters are open; rejects when its settings cannot work. */
  ready: Promise<LoraDeviceState>;
}

/** Every lora device deployed, for lora decode to find the one a frame is from. */
export const LORA_DEVICES = new Set<LoraDeviceNode>();

const SETTLED = new WeakMap<LoraDeviceNode, { state?: LoraDeviceState }>();

/**
 * A device's state once its `ready` has settled ({} when it failed: its error is
 * what awaiting `ready` gives); undefined while it has not, or before it is first
 * asked for. Lets lora decode find a frame's device without awaiting every
 * device's `ready` for each frame.
 */
export function settledState(device: LoraDeviceNode): { state?: LoraDeviceState } | undefined {
  const settled = SETTLED.get(device);
  if (settled !== undefined) return settled;
  if (!WATCHED.has(device)) {
    WATCHED.add(device);
    device.ready.then(
      (state) => SETTLED.set(device, { state }),
      () => SETTLED.set(device, {}),
    );
  }
  return undefined;
}
const WATCHED = new WeakSet<LoraDeviceNode>();

/** How a LoRa node's dialog says to read a frame's payload. */
export interface PayloadCodecSettings {
  codec: 'lpp' | 'schema' | 'script' | 'none';
  schema?: string;
  script?: string;
}

/** A payload's readings, by the codec chosen; close() stops a script's thread. */
export interface PayloadCodec {
  readings(payload: Buffer, fPort: number | undefined): Promise<DeviceReading[]>;
  /**
   * The same readings at once, for a codec that needs no thread (LPP, a field schema,
   * none): no promise per frame. Throws what `readings` rejects with.
   */
  readingsNow?(payload: Buffer, fPort: number | undefined): DeviceReading[];
  /** Resolves once the codec can work; rejects with why it cannot (a schema or script that does not compile). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function payloadCodec(settings: PayloadCodecSettings, filename: string): PayloadCodec {
  if (settings.codec === 'schema') {
    let schema: ReturnType<typeof parseFieldSchema> | undefined;
    let problem: unknown;
    try {
      schema = parseFieldSchema(settings.schema ?? '');
    } catch (err) {
      problem = err;
    }
    const now = (payload: Buffer): DeviceReading[] => {
      if (schema === undefined) throw problem;
      return decodeFields(schema, payload);
    };
    return {
      ready: problem === undefined ? Promise.resolve() : Promise.reject(problem),
      readings: async (payload) => now(payload),
      readingsNow: now,
      close: async () => undefined,
    };
  }
  if (settings.codec === 'script') {
    const decoder: Promise<UplinkDecoder> = compileUplinkScript(settings.script ?? '', {
      filename,
    });
    decoder.catch(() => undefined);
    return {
      ready: decoder.then(() => undefined),
      readings: async (payload, fPort) =>
        (await (await decoder).decode({ bytes: payload, fPort: fPort ?? 0, recvTime: new Date() }))
          .readings,
      close: () => decoder.then((d) => d.close()).catch(() => undefined),
    };
  }
  if (settings.codec === 'lpp')
    return {
      ready: Promise.resolve(),
      readings: async (payload) => decodeCayenneLpp(payload),
      readingsNow: (payload) => decodeCayenneLpp(payload),
      close: async () => undefined,
    };
  const asHex = (payload: Buffer): DeviceReading[] => [
    { n: 'payload', vs: payload.toString('hex') },
  ];
  return {
    ready: Promise.resolve(),
    readings: async (payload) => asHex(payload),
    readingsNow: asHex,
    close: async () => undefined,
  };
}
