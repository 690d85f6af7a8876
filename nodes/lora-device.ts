import type { Node, NodeAPI, NodeDef } from 'node-red';
import { join } from 'node:path';
import { LoraDeviceState } from '../lib/devices/lora-device-state';
import { LoraError } from '../lib/devices/lora-messages';
import { hexField, type LoraDeviceKeys } from '../lib/devices/lorawan';
import { FrameCounters } from '../lib/store/frame-counters';
import { errorText } from './support/errors';
import { LORA_DEVICES, type LoraDeviceNode } from './support/lora';
import { nodeStoragePath, removeNodeStorage } from './support/storage';

interface LoraDeviceConfig extends NodeDef {
  devEui: string;
  activation: 'abp' | 'otaa';
  /** LoRaWAN 1.0.x (ABP: NwkSKey; OTAA: AppKey) or 1.1 (ABP: FNwkSIntKey and SNwkSIntKey; OTAA: AppKey and NwkKey). */
  version?: '1.0' | '1.1';
  devAddr: string;
  joinEui: string;
}

interface LoraDeviceCredentials {
  /** 1.0.x: the NwkSKey; 1.1: the FNwkSIntKey. */
  nwkSKey?: string;
  sNwkSIntKey?: string;
  appSKey?: string;
  appKey?: string;
  /** OTAA, LoRaWAN 1.1. */
  nwkKey?: string;
}

const clean = (text: string | undefined): string =>
  (text ?? '').replace(/[\s:-]/g, '').toLowerCase();

export = function register(RED: NodeAPI): void {
  function LoraDevice(this: LoraDeviceNode, config: LoraDeviceConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const credentials = (node.credentials ?? {}) as LoraDeviceCredentials;
    node.devEui = clean(config.devEui);
    if (config.activation !== 'otaa' && config.devAddr) node.devAddr = clean(config.devAddr);
    const name = config.name || node.devEui || clean(config.devAddr);
    const directory = nodeStoragePath(RED, 'lora', node.id);
    node.ready = (async () => {
      const keys: LoraDeviceKeys = { name };
      if (node.devEui) keys.devEui = hexField('DevEUI', node.devEui, 8).toString('hex');
      if (config.activation === 'otaa') {
        const v11 = config.version === '1.1';
        if (!credentials.appKey || (v11 && !credentials.nwkKey))
          throw new LoraError('LORA_ACTIVATION', {
            device: name,
            activation: v11 ? 'OTAA (LoRaWAN 1.1)' : 'OTAA',
            // Key names only: the sentence around them is in the runtime's language.
            fields: v11 ? 'AppKey, NwkKey' : 'AppKey',
          });
        keys.appKey = hexField('AppKey', credentials.appKey, 16).toString('hex');
        if (v11) keys.nwkKey = hexField('NwkKey', credentials.nwkKey, 16).toString('hex');
        if (config.joinEui) keys.joinEui = hexField('JoinEUI', config.joinEui, 8).toString('hex');
      } else {
        const v11 = config.version === '1.1';
        if (
          !config.devAddr ||
          !credentials.nwkSKey ||
          !credentials.appSKey ||
          (v11 && !credentials.sNwkSIntKey)
        )
          throw new LoraError('LORA_ACTIVATION', {
            device: name,
            activation: v11 ? 'ABP (LoRaWAN 1.1)' : 'ABP',
            fields: v11
              ? 'DevAddr, FNwkSIntKey, SNwkSIntKey, AppSKey'
              : 'DevAddr, NwkSKey, AppSKey',
          });
        keys.session = {
          devAddr: hexField('DevAddr', config.devAddr, 4).toString('hex'),
          nwkSKey: hexField(v11 ? 'FNwkSIntKey' : 'NwkSKey', credentials.nwkSKey, 16).toString(
            'hex',
          ),
          appSKey: hexField('AppSKey', credentials.appSKey, 16).toString('hex'),
          id: 'abp',
        };
        if (v11)
          keys.session.sNwkSIntKey = hexField('SNwkSIntKey', credentials.sNwkSIntKey, 16).toString(
            'hex',
          );
      }
      const counters = await FrameCounters.open(join(directory, 'frame-counters.json'));
      for (const warning of counters.warnings) node.warn(errorText(RED._, warning));
      return new LoraDeviceState(keys, counters);
    })();
    node.ready.catch((err: unknown) => node.error(errorText(RED._, err)));
    LORA_DEVICES.add(node);
    node.on('close', (removed: boolean, done: () => void) => {
      LORA_DEVICES.delete(node);
      node.ready
        .then(async (state) => {
          await state.counters.close();
          if (removed) await removeNodeStorage(RED, node as Node, directory, 0);
        })
        .catch(() => undefined)
        .finally(done);
    });
  }
  RED.nodes.registerType('lora-device', LoraDevice as never, {
    credentials: {
      nwkSKey: { type: 'password' },
      appSKey: { type: 'password' },
      sNwkSIntKey: { type: 'password' },
      appKey: { type: 'password' },
      nwkKey: { type: 'password' },
    },
  });
};
