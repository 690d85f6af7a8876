import type { Node } from 'node-red';
import type { LoraDeviceState } from '../../lib/devices/lora-device-state';

/** A `lora device` config node as lora decode sees it. */
export interface LoraDeviceNode extends Node {
  devEui: string;
  /** The device, once its counters are open; rejects when its settings cannot work. */
  ready: Promise<LoraDeviceState>;
}

/** Every lora device deployed, for lora decode to find the one a frame is from. */
export const LORA_DEVICES = new Set<LoraDeviceNode>();
