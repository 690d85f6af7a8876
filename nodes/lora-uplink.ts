import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { LoraError } from '../lib/devices/lora-messages';
import { readNetworkUplink, uplinkSource } from '../lib/devices/network-uplink';
import { parseFieldSpecs, readingsPack } from '../lib/devices/pack';
import { dataReadings } from '../lib/devices/uplink-script';
import { errorText, localError } from './support/errors';
import { throttledStatus } from './support/throttled-status';
import { type PayloadCodecSettings, payloadCodec } from './support/lora';

interface LoraUplinkConfig extends NodeDef, PayloadCodecSettings {
  /** Use the network server's decoded object when the uplink has one (else the codec, always). */
  preferDecoded: boolean;
  /** Units of the readings by name (`temperature:Cel battery:V`): decoded objects carry none. */
  units: string;
}

type UplinkMessage = NodeMessageInFlow & { lora?: Record<string, unknown> };

export = function register(RED: NodeAPI): void {
  function LoraUplink(this: Node, config: LoraUplinkConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const preferDecoded = config.preferDecoded !== false;
    const codec = payloadCodec(config, `${node.id}.js`);
    let units: ReturnType<typeof parseFieldSpecs> = [];
    let problem: unknown;
    try {
      units = parseFieldSpecs(config.units ?? '');
    } catch (err) {
      problem = err;
    }
    const byName = new Map(units.map((spec) => [spec.name, spec]));
    const counts = { uplinks: 0, empty: 0, refused: 0 };
    let lastRefused = false;
    const counting = throttledStatus(node, () => ({
      fill: lastRefused ? 'red' : 'green',
      shape: lastRefused ? 'ring' : 'dot',
      text: RED._('lora-uplink.status.counts', counts),
    }));
    const settingsBroken = (err: unknown): void =>
      node.status({ fill: 'red', shape: 'ring', text: errorText(RED._, err) });
    if (problem !== undefined) settingsBroken(problem);
    codec.ready.catch(settingsBroken);

    node.on('input', (msg: UplinkMessage, send, done) => {
      (async () => {
        if (problem !== undefined) throw problem;
        const uplink = readNetworkUplink(msg.payload);
        const source = uplinkSource(uplink, preferDecoded);
        if (source === 'empty') return false;
        if (uplink.devEui === undefined) throw new LoraError('LORA_UPLINK_NO_DEVICE');
        const readings =
          source === 'decoded' && uplink.decoded !== undefined
            ? dataReadings(uplink.decoded)
            : await codec.readings(uplink.payload ?? Buffer.alloc(0), uplink.fPort);
        const baseName = `urn:dev:eui64:${uplink.devEui}:`;
        msg.payload = readingsPack(readings, {
          baseName,
          // When the network server received it; now, when it did not say.
          time: (uplink.time ?? Date.now()) / 1000,
          fields: byName,
        });
        msg.topic = baseName;
        msg.lora = {
          ...(msg.lora ?? {}),
          server: uplink.server,
          devEui: uplink.devEui,
          ...(uplink.devAddr === undefined ? {} : { devAddr: uplink.devAddr }),
          ...(uplink.fCnt === undefined ? {} : { fCnt: uplink.fCnt }),
          ...(uplink.fPort === undefined ? {} : { fPort: uplink.fPort }),
          ...(uplink.payload === undefined ? {} : { payload: uplink.payload.toString('hex') }),
          source,
          ...uplink.radio,
        };
        send(msg);
        return true;
      })().then(
        (sent) => {
          if (sent) counts.uplinks += 1;
          else counts.empty += 1;
          lastRefused = false;
          counting.show();
          done();
        },
        (err: unknown) => {
          counts.refused += 1;
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
  RED.nodes.registerType('lora-uplink', LoraUplink);
};
