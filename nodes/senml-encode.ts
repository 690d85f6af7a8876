import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { senml } from '../lib';
import { reportError, reportNotes, reportSkipped } from './support/report';

interface UnitRow {
  key: string;
  unit: string;
}

interface SenmlEncodeConfig extends NodeDef {
  format: senml.SenmlFormat;
  compact: boolean;
  strict: boolean;
  baseName: string;
  units: UnitRow[];
}

export = function register(RED: NodeAPI): void {
  function SenmlEncodeNode(this: Node, config: SenmlEncodeConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const format = config.format || 'json';
    const units: Record<string, string> = {};
    for (const row of config.units ?? []) if (row.key && row.unit) units[row.key] = row.unit;
    const toldNotes = new Set<string>();

    node.on('input', (msg: NodeMessageInFlow, send, done) => {
      try {
        // A plain object of readings becomes one record per key.
        const pack = senml.isSimpleObject(msg.payload)
          ? senml.fromSimpleObject(msg.payload, { baseName: config.baseName || '', units })
          : msg.payload;
        const skipped: senml.SenmlError[] = [];
        const notes: senml.SenmlNote[] = [];
        const encoded = senml.encode(pack, {
          format,
          compact: config.compact !== false,
          strict: config.strict !== false,
          onSkip: (err) => skipped.push(err),
          onNote: (note) => notes.push(note),
        });
        reportNotes(RED._, node, msg, notes, toldNotes, (message) =>
          RED._('senml-encode.warn.ignored', { message }),
        );
        reportSkipped(RED._, node, msg, skipped, (first) =>
          RED._('senml-encode.warn.skipped', { count: skipped.length, first }),
        );
        msg.payload = encoded;
        (msg as Record<string, unknown>).contentType = senml.MEDIA_TYPES[format];
        node.status({
          fill: 'green',
          shape: 'dot',
          text: RED._('senml-encode.status.encoded', {
            count: Array.isArray(pack) ? pack.length : 0,
            bytes: Buffer.byteLength(encoded),
          }),
        });
        send(msg);
        done();
      } catch (err) {
        reportError(RED._, node, done, err);
      }
    });
  }
  RED.nodes.registerType('senml-encode', SenmlEncodeNode);
};
