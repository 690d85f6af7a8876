import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { senml } from '../lib';
import { formatFromContentType, reportError, reportNotes, reportSkipped } from './support/report';

interface SenmlDecodeConfig extends NodeDef {
  format: senml.SenmlFormat | 'auto';
  convertUnits: boolean;
  strict: boolean;
}

type DecodeMessage = NodeMessageInFlow & {
  contentType?: unknown;
  headers?: Record<string, unknown>;
  req?: { headers?: Record<string, unknown> };
};

export = function register(RED: NodeAPI): void {
  function SenmlDecodeNode(this: Node, config: SenmlDecodeConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const strict = config.strict !== false;
    const toldNotes = new Set<string>();

    node.on('input', (msg: DecodeMessage, send, done) => {
      const skipped: senml.SenmlError[] = [];
      const notes: senml.SenmlNote[] = [];
      try {
        // With "auto", a SenML media type on the message decides: MQTT v5 (contentType), http request (headers), http in (req.headers).
        const contentType =
          msg.contentType ?? msg.headers?.['content-type'] ?? msg.req?.headers?.['content-type'];
        const format =
          config.format && config.format !== 'auto'
            ? config.format
            : (formatFromContentType(contentType) ?? 'auto');
        const pack = senml.decode(msg.payload, {
          format,
          convertUnits: config.convertUnits === true,
          strict,
          onSkip: (err) => skipped.push(err),
          onNote: (note) => notes.push(note),
        });
        msg.payload = pack;
        reportNotes(RED._, node, msg, notes, toldNotes, (message) =>
          RED._('senml-decode.warn.ignored', { message }),
        );
        reportSkipped(RED._, node, msg, skipped, (first) =>
          RED._('senml-decode.warn.skipped', { count: skipped.length, first }),
        );
        node.status({
          fill: skipped.length > 0 ? 'yellow' : 'green',
          shape: 'dot',
          text: RED._(
            skipped.length > 0 ? 'senml-decode.status.skipped' : 'senml-decode.status.records',
            { count: pack.length, skipped: skipped.length },
          ),
        });
        send(msg);
        done();
      } catch (err) {
        reportError(RED._, node, done, err);
      }
    });
  }
  RED.nodes.registerType('senml-decode', SenmlDecodeNode);
};
