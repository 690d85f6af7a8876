import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import loraPacket from 'lora-packet';
import type { DeviceFrame, LoraDeviceState } from '../lib/devices/lora-device-state';
import { LoraError } from '../lib/devices/lora-messages';
import { readPhyPayload } from '../lib/devices/lorawan';
import { readingsPack } from '../lib/devices/pack';
import { errorText, localError } from './support/errors';
import { throttledStatus } from './support/throttled-status';
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
    let lastRefused = false;
    // Red while the last frame was refused.
    const counting = throttledStatus(node, () => ({
      fill: lastRefused ? 'red' : 'green',
      shape: lastRefused ? 'ring' : 'dot',
      text: RED._('lora-decode.status.counts', { frames, refused }),
    }));

    /**
     * The devices a frame may be from: the one chosen, or the deployed one with its
     * DevAddr or DevEUI. A join accept names no device: each OTAA device may take it,
     * those waiting for an accept first, and only the right AppKey makes its MIC hold.
     */
    async function candidatesFor(phy: Buffer): Promise<LoraDeviceNode[]> {
      if (config.device) {
        if (!chosen) throw new Error(RED._('lora-decode.errors.noDevice'));
        return [chosen];
      }
      const { devAddr, devEui } = addressOf(phy);
      const waiting: LoraDeviceNode[] = [];
      const otaa: LoraDeviceNode[] = [];
      for (const device of LORA_DEVICES) {
        const state = await device.ready.catch(() => undefined);
        if (devEui !== undefined && device.devEui === devEui) return [device];
        if (devAddr !== undefined && state?.session?.devAddr === devAddr) return [device];
        if (devAddr === undefined && devEui === undefined && state?.keys.appKey)
          (state.awaitingJoinAccept ? waiting : otaa).push(device);
      }
      if (waiting.length + otaa.length > 0) return [...waiting, ...otaa];
      throw new LoraError('LORA_OTHER_DEVICE', {
        devAddr: devAddr ?? devEui ?? '?',
        expected: RED._('lora-decode.words.anyDevice'),
        device: '-',
      });
    }

    /** The frame taken by the first candidate whose keys it answers to; else the first one's refusal. */
    async function take(phy: Buffer): Promise<{ state: LoraDeviceState; taken: DeviceFrame }> {
      const candidates = await candidatesFor(phy);
      let refusal: unknown;
      for (const device of candidates) {
        const state = await device.ready;
        try {
          return { state, taken: await state.take(phy) };
        } catch (err) {
          const tryNext =
            candidates.length > 1 &&
            err instanceof LoraError &&
            (err.messageId === 'LORA_JOIN_MIC' || err.messageId === 'LORA_NO_JOIN_REQUEST');
          if (!tryNext) throw err;
          refusal ??= err;
        }
      }
      throw refusal;
    }

    // Data frames are taken side by side (their counters written together); a join
    // frame waits for the frames before it, and the frames after it wait for it, so that
    // a session starts exactly where the frames given say it does.
    let afterLastJoin: Promise<unknown> = Promise.resolve();
    const inFlight = new Set<Promise<unknown>>();
    function inOrder(phy: Buffer): ReturnType<typeof take> {
      // MType 000 is a join request, 001 a join accept (LoRaWAN 1.0.4 §4.2.1).
      const isJoin = phy.length > 0 && phy[0] >> 5 <= 1;
      const run = (isJoin ? Promise.allSettled([...inFlight]) : afterLastJoin).then(() =>
        take(phy),
      );
      const settled = run.catch(() => undefined);
      inFlight.add(settled);
      void settled.then(() => inFlight.delete(settled));
      if (isJoin) afterLastJoin = settled;
      return run;
    }

    node.on('input', (msg: DecodeMessage, send, done) => {
      (async () => {
        const { state, taken } = await inOrder(readPhyPayload(msg.payload));
        if (taken.kind === 'join-request') {
          counting.cancel();
          node.status({
            fill: 'yellow',
            shape: 'dot',
            text: RED._('lora-decode.status.joining', { device: state.keys.name }),
          });
          return 'join';
        }
        if (taken.kind === 'joined') {
          node.log(
            RED._('lora-decode.log.joined', {
              device: state.keys.name,
              devAddr: taken.session.devAddr,
            }),
          );
          counting.cancel();
          node.status({
            fill: 'green',
            shape: 'dot',
            text: RED._('lora-decode.status.joined', { device: state.keys.name }),
          });
          return 'join';
        }
        const { frame } = taken;
        // Port 0 carries MAC commands for the network, not the application's data.
        if (frame.fPort === null || frame.fPort === 0) return 'frame';
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
        return 'frame';
      })().then(
        (kind) => {
          // A join's own status stays until the next frame.
          if (kind === 'frame') {
            lastRefused = false;
            counting.show();
          }
          done();
        },
        (err: unknown) => {
          refused += 1;
          lastRefused = true;
          counting.show();
          done(localError(RED._, err));
        },
      );
    });

    node.on('close', (done: () => void) => {
      counting.cancel();
      codec.close().finally(done);
    });
  }
  RED.nodes.registerType('lora-decode', LoraDecode);
};
