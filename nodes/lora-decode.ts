import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import loraPacket from 'lora-packet';
import { LoraError } from '../lib/devices/lora-messages';
import { readPhyPayload } from '../lib/devices/lorawan';
import { readingsPack } from '../lib/devices/pack';
import { errorText, localError } from './support/errors';
import {
  LORA_DEVICES,
  type LoraDeviceNode,
  type PayloadCodecSettings,
  payloadCodec,
} from './support/lora';

interface LoraDecodeConfig extends NodeDef, PayloadCodecSettings {
  /** A lora-device id; empty: whichever deployed device the frame is from. */
  device: string;
}

type DecodeMessage = NodeMessageInFlow & { lora?: Record<string, unknown> };

/** Bytes `from` to `to` of a frame, a little-endian field, as hex most significant byte first. */
function hexReversed(phy: Buffer, from: number, to: number): string {
  let hex = '';
  for (let i = to - 1; i >= from; i--) hex += (phy[i] < 16 ? '0' : '') + phy[i].toString(16);
  return hex;
}

/**
 * The DevAddr (data) or DevEUI (join request) a frame names, read without keys; undefined
 * for others. A data uplink or join request long enough to be one is read at its fixed
 * offsets (MHDR, then the DevAddr; MHDR, JoinEUI, then the DevEUI), as lora-packet reads
 * it, without parsing the whole frame a second time; anything else goes to lora-packet.
 */
function addressOf(phy: Buffer): { devAddr?: string; devEui?: string } {
  const mtype = phy.length > 0 ? phy[0] >> 5 : -1;
  if ((mtype === 2 || mtype === 4) && phy.length >= 12) return { devAddr: hexReversed(phy, 1, 5) };
  if (mtype === 0 && phy.length >= 23) return { devEui: hexReversed(phy, 9, 17) };
  try {
    const packet = loraPacket.fromWire(phy);
    const type = packet.getMType();
    if (type === 'Join Request') return { devEui: packet.DevEUI?.toString('hex') };
    if (type.endsWith('Data Up')) return { devAddr: packet.DevAddr?.toString('hex') };
  } catch {
    // readFrame says what is wrong with it
  }
  return {};
}

export = function register(RED: NodeAPI): void {
  function LoraDecode(this: Node, config: LoraDecodeConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const chosen = config.device
      ? (RED.nodes.getNode(config.device) as LoraDeviceNode | null)
      : null;
    const codec = payloadCodec(config, `${node.id}.js`);
    codec.ready.catch((err: unknown) =>
      node.status({ fill: 'red', shape: 'ring', text: errorText(RED._, err) }),
    );
    let frames = 0;
    let refused = 0;

    /** The device a frame is from: the one chosen, or the deployed one with its DevAddr or DevEUI. */
    async function deviceFor(phy: Buffer): Promise<LoraDeviceNode> {
      if (config.device) {
        if (!chosen) throw new Error(RED._('lora-decode.errors.noDevice'));
        return chosen;
      }
      const { devAddr, devEui } = addressOf(phy);
      for (const device of LORA_DEVICES) {
        const state = await device.ready.catch(() => undefined);
        if (devEui !== undefined && device.devEui === devEui) return device;
        if (devAddr !== undefined && state?.session?.devAddr === devAddr) return device;
        // A join accept names no device: the one waiting for its accept takes it.
        if (devAddr === undefined && devEui === undefined && state?.keys.appKey) return device;
      }
      throw new LoraError('LORA_OTHER_DEVICE', {
        devAddr: devAddr ?? devEui ?? '?',
        expected: RED._('lora-decode.words.anyDevice'),
        device: '-',
      });
    }

    node.on('input', (msg: DecodeMessage, send, done) => {
      (async () => {
        const phy = readPhyPayload(msg.payload);
        const device = await deviceFor(phy);
        const state = await device.ready;
        const taken = await state.take(phy);
        if (taken.kind === 'join-request') {
          node.status({
            fill: 'yellow',
            shape: 'dot',
            text: RED._('lora-decode.status.joining', { device: state.keys.name }),
          });
          return;
        }
        if (taken.kind === 'joined') {
          node.log(
            RED._('lora-decode.log.joined', {
              device: state.keys.name,
              devAddr: taken.session.devAddr,
            }),
          );
          node.status({
            fill: 'green',
            shape: 'dot',
            text: RED._('lora-decode.status.joined', { device: state.keys.name }),
          });
          return;
        }
        const { frame } = taken;
        // Port 0 carries MAC commands for the network, not the application's data.
        if (frame.fPort === null || frame.fPort === 0) return;
        const readings = await codec.readings(frame.payload, frame.fPort);
        const baseName = state.keys.devEui
          ? `urn:dev:eui64:${state.keys.devEui}:`
          : `urn:dev:lora:${frame.devAddr}:`;
        msg.payload = readingsPack(readings, { baseName, time: Date.now() / 1000 });
        msg.topic = baseName;
        msg.lora = {
          ...(msg.lora ?? {}),
          devEui: state.keys.devEui,
          devAddr: frame.devAddr,
          fCnt: frame.fCnt,
          fPort: frame.fPort,
          confirmed: frame.confirmed,
          adr: frame.adr,
          payload: frame.payload.toString('hex'),
        };
        frames += 1;
        send(msg);
      })().then(
        () => {
          node.status({
            fill: 'green',
            shape: 'dot',
            text: RED._('lora-decode.status.counts', { frames, refused }),
          });
          done();
        },
        (err: unknown) => {
          refused += 1;
          node.status({
            fill: 'red',
            shape: 'ring',
            text: RED._('lora-decode.status.counts', { frames, refused }),
          });
          done(localError(RED._, err));
        },
      );
    });

    node.on('close', (done: () => void) => {
      codec.close().finally(done);
    });
  }
  RED.nodes.registerType('lora-decode', LoraDecode);
};
