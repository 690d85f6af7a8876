import type { Node } from 'node-red';
import type { LoraDeviceState } from '../../lib/devices/lora-device-state';
import { decodeCayenneLpp } from '../../lib/devices/cayenne-lpp';
import { decodeFields, parseFieldSchema } from '../../lib/devices/field-schema';
import type { DeviceReading } from '../../lib/devices/readings';
import { compileUplinkScript, type UplinkDecoder } from '../../lib/devices/uplink-script';

/** A `lora device` config node as lora decode sees it. */
export interface LoraDeviceNode extends Node {
  devEui: string;
  /** The device, once its counters are open; rejects when its settings cannot work. */
  ready: Promise<LoraDeviceState>;
}

/** Every lora device deployed, for lora decode to find the one a frame is from. */
export const LORA_DEVICES = new Set<LoraDeviceNode>();

/** How a LoRa node's dialog says to read a frame's payload. */
export interface PayloadCodecSettings {
  codec: 'lpp' | 'schema' | 'script' | 'none';
  schema?: string;
  script?: string;
}

/** A payload's readings, by the codec chosen; close() stops a script's thread. */
export interface PayloadCodec {
  readings(payload: Buffer, fPort: number | undefined): Promise<DeviceReading[]>;
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
    return {
      ready: problem === undefined ? Promise.resolve() : Promise.reject(problem),
      readings: async (payload) => {
        if (schema === undefined) throw problem;
        return decodeFields(schema, payload);
      },
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
      close: async () => undefined,
    };
  return {
    ready: Promise.resolve(),
    readings: async (payload) => [{ n: 'payload', vs: payload.toString('hex') }],
    close: async () => undefined,
  };
}
