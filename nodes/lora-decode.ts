import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import loraPacket from 'lora-packet';
import type { DeviceFrame, LoraDeviceState } from '../lib/devices/lora-device-state';
import { LoraError } from '../lib/devices/lora-messages';
import type { Mic11Hints } from '../lib/devices/lorawan-11-mic';
import { readPhyPayload, type UplinkFrame } from '../lib/devices/lorawan';
import { ReadingsPacker } from '../lib/devices/pack';
import type { DeviceReading } from '../lib/devices/readings';
import { errorText, localError } from './support/errors';
import { throttledStatus } from './support/throttled-status';
import {
  LORA_DEVICES,
  type LoraDeviceNode,
  type PayloadCodecSettings,
  payloadCodec,
  settledState,
} from './support/lora';

interface LoraDecodeConfig extends NodeDef, PayloadCodecSettings {
  /** A lora-device id; empty: whichever deployed device the frame is from. */
  device: string;
}

type DecodeMessage = NodeMessageInFlow & { lora?: Record<string, unknown> };

/** What msg.lora says of a LoRaWAN 1.1 frame's data rate, channel and ConfFCnt (whole numbers only). */
function radioHints(lora: Record<string, unknown> | undefined): Mic11Hints | undefined {
  if (lora === undefined) return undefined;
  const hints: Mic11Hints = {};
  for (const key of ['txDr', 'txCh', 'confFCnt'] as const) {
    const value = lora[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) hints[key] = value;
  }
  return Object.keys(hints).length === 0 ? undefined : hints;
}

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
     * At once when every device deployed is open (or failed to); else once they are.
     */
    function candidatesFor(phy: Buffer): LoraDeviceNode[] | Promise<LoraDeviceNode[]> {
      if (config.device) {
        if (!chosen) throw new Error(RED._('lora-decode.errors.noDevice'));
        return [chosen];
      }
      const { devAddr, devEui } = addressOf(phy);
      if (opening() === undefined) return candidatesAmong(devAddr, devEui);
      return (async () => {
        for (let ready = opening(); ready !== undefined; ready = opening())
          await Promise.allSettled(ready);
        return candidatesAmong(devAddr, devEui);
      })();
    }

    /** The `ready` of the devices deployed not yet open (nor failed to); undefined when none. */
    function opening(): Promise<unknown>[] | undefined {
      let ready: Promise<unknown>[] | undefined;
      for (const device of LORA_DEVICES)
        if (settledState(device) === undefined) (ready ??= []).push(device.ready);
      return ready;
    }

    function candidatesAmong(devAddr?: string, devEui?: string): LoraDeviceNode[] {
      let waiting: LoraDeviceNode[] | undefined;
      let otaa: LoraDeviceNode[] | undefined;
      let broken: LoraDeviceNode | undefined;
      for (const device of LORA_DEVICES) {
        const state = settledState(device)?.state;
        if (devEui !== undefined && device.devEui === devEui) return [device];
        if (devAddr !== undefined && state?.session?.devAddr === devAddr) return [device];
        if (devAddr === undefined && devEui === undefined && state?.keys.appKey)
          (state.awaitingJoinAccept ? (waiting ??= []) : (otaa ??= [])).push(device);
        if (devAddr !== undefined && state === undefined && device.devAddr === devAddr)
          broken ??= device;
      }
      if (waiting !== undefined || otaa !== undefined) return [...(waiting ?? []), ...(otaa ?? [])];
      // Its device is deployed but its settings cannot work: taking the frame says why.
      if (broken !== undefined) return [broken];
      throw new LoraError('LORA_OTHER_DEVICE', {
        devAddr: devAddr ?? devEui ?? '?',
        expected: RED._('lora-decode.words.anyDevice'),
        device: '-',
      });
    }

    interface Taken {
      state: LoraDeviceState;
      taken: DeviceFrame;
    }

    /** The frame taken by the first candidate whose keys it answers to; else the first one's refusal. */
    function take(phy: Buffer, radio: Mic11Hints | undefined): Promise<Taken> {
      let candidates: LoraDeviceNode[] | Promise<LoraDeviceNode[]>;
      try {
        candidates = candidatesFor(phy);
      } catch (err) {
        return Promise.reject(err);
      }
      // One device, open: straight to it (most frames), no promise but the device's own.
      if (!(candidates instanceof Promise) && candidates.length === 1) {
        const state = settledState(candidates[0])?.state;
        if (state !== undefined) return state.take(phy, radio).then((taken) => ({ state, taken }));
      }
      return takeFrom(phy, candidates, radio);
    }

    async function takeFrom(
      phy: Buffer,
      waitedFor: LoraDeviceNode[] | Promise<LoraDeviceNode[]>,
      radio: Mic11Hints | undefined,
    ): Promise<Taken> {
      const candidates = await waitedFor;
      let refusal: unknown;
      for (const device of candidates) {
        const state = await device.ready;
        try {
          return { state, taken: await state.take(phy, radio) };
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
    /** Joins not settled, and frames waiting behind a join to start: while any, frames queue. */
    let joinsUnsettled = 0;
    let framesBehind = 0;
    const inFlight = new Set<Promise<unknown>>();
    function inOrder(phy: Buffer, radio: Mic11Hints | undefined): Promise<Taken> {
      // MType 000 is a join request, 001 a join accept (LoRaWAN 1.0.4 §4.2.1).
      const isJoin = phy.length > 0 && phy[0] >> 5 <= 1;
      let run: Promise<Taken>;
      if (!isJoin && joinsUnsettled === 0 && framesBehind === 0) run = take(phy, radio);
      else if (isJoin) run = Promise.allSettled([...inFlight]).then(() => take(phy, radio));
      else {
        framesBehind += 1;
        run = afterLastJoin.then(() => {
          framesBehind -= 1;
          return take(phy, radio);
        });
      }
      inFlight.add(run);
      const settled = (): void => {
        inFlight.delete(run);
      };
      if (isJoin) {
        joinsUnsettled += 1;
        afterLastJoin = run.then(
          () => {
            settled();
            joinsUnsettled -= 1;
          },
          () => {
            settled();
            joinsUnsettled -= 1;
          },
        );
      } else run.then(settled, settled);
      return run;
    }

    /** Node-RED's base name of a device's readings, and a packer for each (a deployment has few). */
    const packers = new Map<string, ReadingsPacker>();
    function packerFor(baseName: string): ReadingsPacker {
      let packer = packers.get(baseName);
      if (packer === undefined) {
        if (packers.size >= 256) packers.clear();
        packer = new ReadingsPacker(baseName);
        packers.set(baseName, packer);
      }
      return packer;
    }

    /** A data frame's readings sent on, as the frame's message. */
    function sendFrame(
      msg: DecodeMessage,
      send: (msg: NodeMessage) => void,
      state: LoraDeviceState,
      frame: UplinkFrame,
      readings: DeviceReading[],
    ): 'frame' {
      const baseName = state.keys.devEui
        ? `urn:dev:eui64:${state.keys.devEui}:`
        : `urn:dev:lora:${frame.devAddr}:`;
      msg.payload = packerFor(baseName).pack(readings, Date.now() / 1000);
      msg.topic = baseName;
      const lora: Record<string, unknown> = msg.lora === undefined ? {} : { ...msg.lora };
      lora.devEui = state.keys.devEui;
      lora.devAddr = frame.devAddr;
      lora.fCnt = frame.fCnt;
      lora.fPort = frame.fPort;
      lora.confirmed = frame.confirmed;
      lora.adr = frame.adr;
      lora.payload = frame.payload.toString('hex');
      // LoRaWAN 1.1: 'fNwkSIntKey' when only that half of the MIC could vouch for the frame.
      lora.mic = frame.mic;
      msg.lora = lora;
      frames += 1;
      send(msg);
      return 'frame';
    }

    /** What a frame taken does: a join's status, or a data frame's readings sent on. */
    function handle(
      msg: DecodeMessage,
      send: (msg: NodeMessage) => void,
      { state, taken }: Taken,
    ): 'join' | 'frame' | Promise<'frame'> {
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
      const fPort = frame.fPort;
      // LPP, a field schema, none: at once; a script: from its thread.
      if (codec.readingsNow !== undefined)
        return sendFrame(msg, send, state, frame, codec.readingsNow(frame.payload, fPort));
      return codec
        .readings(frame.payload, fPort)
        .then((readings) => sendFrame(msg, send, state, frame, readings));
    }

    const handled = (kind: 'join' | 'frame', done: () => void): void => {
      // A join's own status stays until the next frame.
      if (kind === 'frame') {
        lastRefused = false;
        counting.show();
      }
      done();
    };
    const refusedWith = (err: unknown, done: (err: Error) => void): void => {
      refused += 1;
      lastRefused = true;
      counting.show();
      done(localError(RED._, err));
    };

    node.on('input', (msg: DecodeMessage, send, done) => {
      let run: Promise<Taken>;
      try {
        run = inOrder(readPhyPayload(msg.payload), radioHints(msg.lora));
      } catch (err) {
        // Not a frame: refused as the frames that fail later are, once the handler has returned.
        run = Promise.reject(err);
      }
      run
        .then((taken) => handle(msg, send, taken))
        .then(
          (kind) => handled(kind, done),
          (err: unknown) => refusedWith(err, done),
        );
    });

    node.on('close', (done: () => void) => {
      counting.cancel();
      codec.close().finally(done);
    });
  }
  RED.nodes.registerType('lora-decode', LoraDecode);
};
