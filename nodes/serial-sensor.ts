import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
// The native binding loads here: if it cannot, Node-RED disables this node type only.
import { SerialPort } from 'serialport';
import { Backoff } from '../lib/backoff';
import { decodeCayenneLpp } from '../lib/devices/cayenne-lpp';
import { LINE_FORMATS, type LineFormat, parseLine } from '../lib/devices/line-formats';
import { LineFormatError } from '../lib/devices/line-messages';
import { parseFieldSpecs, ReadingsPacker } from '../lib/devices/pack';
import {
  SerialConnection,
  type SerialSettings,
  type SerialStateChange,
} from '../lib/devices/serial-connection';
import { errorText, localError } from './support/errors';
import { messageId } from './support/message-id';
import { throttledStatus } from './support/throttled-status';

interface SerialSensorConfig extends NodeDef {
  port: string;
  baudRate: string;
  dataBits: string;
  parity: string;
  stopBits: string;
  format: LineFormat;
  /** lora-receiver: the format of the packet. */
  innerFormat?: string;
  /** `name:unit` list: CSV columns in order, or the units of named readings. */
  fields: string;
  /** The device's SenML base name, e.g. urn:dev:mac:0004a30b001c4a2f: */
  baseName: string;
}

type SerialMessage = NodeMessageInFlow & { action?: unknown };

const PARITIES = new Set(['none', 'even', 'odd', 'mark', 'space']);

function settingsOf(config: SerialSensorConfig): SerialSettings {
  const baudRate = Number.parseInt(config.baudRate, 10);
  if (!(baudRate > 0))
    throw new LineFormatError('SERIAL_SETTINGS', {
      field: 'baud rate',
      value: String(config.baudRate),
      expected: 'a whole number of bits per second, such as 9600 or 115200',
    });
  const dataBits = Number(config.dataBits || 8);
  const stopBits = Number(config.stopBits || 1);
  const parity = config.parity || 'none';
  if (![5, 6, 7, 8].includes(dataBits) || ![1, 1.5, 2].includes(stopBits) || !PARITIES.has(parity))
    throw new LineFormatError('SERIAL_SETTINGS', {
      field: 'line settings',
      value: `${dataBits}${parity[0].toUpperCase()}${stopBits}`,
      expected: '5 to 8 data bits, parity none/even/odd/mark/space, 1, 1.5 or 2 stop bits',
    });
  if (!config.port?.trim())
    throw new LineFormatError('SERIAL_SETTINGS', {
      field: 'port',
      value: '""',
      expected: 'pick a port from the list or type its path (/dev/ttyUSB0, COM3)',
    });
  return {
    path: config.port.trim(),
    baudRate,
    dataBits: dataBits as SerialSettings['dataBits'],
    parity: parity as SerialSettings['parity'],
    stopBits: stopBits as SerialSettings['stopBits'],
  };
}

export = function register(RED: NodeAPI): void {
  function SerialSensorNode(this: Node, config: SerialSensorConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    let connection: SerialConnection;
    let fields: ReturnType<typeof parseFieldSpecs>;
    try {
      if (!LINE_FORMATS.includes(config.format))
        throw new LineFormatError('LINE_FORMAT_UNKNOWN', { format: String(config.format) });
      fields = parseFieldSpecs(config.fields ?? '');
      connection = new SerialConnection(
        settingsOf(config),
        (settings) => new SerialPort({ ...settings }),
        { backoff: new Backoff({ initialMs: 1000, maxMs: 30_000 }) },
      );
    } catch (err) {
      const text = errorText(RED._, err);
      node.status({ fill: 'red', shape: 'ring', text });
      node.error(localError(RED._, err));
      node.on('input', (_msg, _send, done) => done(localError(RED._, err)));
      return;
    }
    const lineOptions = {
      format: config.format,
      columns: fields.map((f) => f.name),
      inner: (config.innerFormat || 'keyvalue') as Exclude<LineFormat, 'lora-receiver'>,
      decodeLpp: decodeCayenneLpp,
    };
    const baseName = config.baseName ?? '';
    // Each name's full name, checked once, and its unit: the same few names come on every line.
    const packer = new ReadingsPacker(baseName, new Map(fields.map((f) => [f.name, f])));
    let lines = 0;
    const counting = throttledStatus(node, () => ({
      fill: 'green',
      shape: 'dot',
      text: RED._('serial-sensor.status.connected', { count: lines }),
    }));
    /** Within an outage (from losing the port to opening it again): said once. */
    let away = false;

    connection.on('line', (line: string) => {
      // The id made here, not by Node.send: Node-RED's generateId cost a fifth of a line.
      const msg: Record<string, unknown> = {
        _msgid: messageId(),
        line,
        topic: baseName || config.port,
      };
      try {
        const read = parseLine(line, lineOptions);
        msg.payload = read.pack ?? packer.pack(read.readings ?? [], Date.now() / 1000);
        if (read.radio) msg.lora = read.radio;
      } catch (err) {
        // The line itself goes with the reason, to the Catch node.
        node.error(localError(RED._, err), {
          ...msg,
          payload: line,
          _msgid: RED.util.generateId(),
        } as never);
        return;
      }
      lines += 1;
      counting.show();
      node.send(msg as never);
    });
    connection.on('problem', (err: Error) => node.warn(errorText(RED._, err)));
    connection.on('state', (change: SerialStateChange) => {
      switch (change.state) {
        case 'connecting':
          counting.cancel();
          node.status({ fill: 'yellow', shape: 'ring', text: 'node-red:common.status.connecting' });
          break;
        case 'connected':
          away = false;
          counting.draw();
          break;
        case 'disconnected':
          counting.cancel();
          node.status({ fill: 'grey', shape: 'ring', text: 'node-red:common.status.disconnected' });
          break;
        case 'waiting': {
          const reason = change.error?.message ?? '';
          const seconds = Math.ceil((change.retryInMs ?? 0) / 1000);
          counting.cancel();
          node.status({
            fill: 'red',
            shape: 'ring',
            text: RED._('serial-sensor.status.waiting', { reason, seconds }),
          });
          // Said once per outage, not at every try: an unplugged board would flood the log.
          if (!away) {
            away = true;
            node.warn(
              errorText(
                RED._,
                new LineFormatError('SERIAL_LOST', {
                  path: connection.settings.path,
                  reason,
                  seconds,
                }),
              ),
            );
          }
          break;
        }
      }
    });

    node.on('input', (msg: SerialMessage, _send, done) => {
      if (msg.action === 'connect') {
        connection.connect();
        return done();
      }
      if (msg.action === 'disconnect') {
        connection.disconnect().then(() => done(), done);
        return;
      }
      const payload = msg.payload;
      const text =
        typeof payload === 'string'
          ? payload
          : Buffer.isBuffer(payload)
            ? payload.toString('latin1')
            : typeof payload === 'number'
              ? String(payload)
              : undefined;
      if (text === undefined) {
        done(new Error(RED._('serial-sensor.errors.payload', { got: typeof payload })));
        return;
      }
      connection.write(text).then(
        () => done(),
        (err: unknown) => done(localError(RED._, err)),
      );
    });

    node.on('close', (done: () => void) => {
      counting.cancel();
      connection.disconnect().finally(done);
    });
    connection.connect();
  }
  RED.nodes.registerType('serial-sensor', SerialSensorNode);

  // The ports the machine knows, for the dialog's list (pseudo-terminals never show: type them).
  RED.httpAdmin.get(
    '/senfed/serial/ports',
    RED.auth.needsPermission('serial-sensor.read'),
    (_req, res) => {
      SerialPort.list().then(
        (ports) =>
          res.json({
            ports: ports.map((port) => ({
              path: port.path,
              manufacturer: port.manufacturer,
              serialNumber: port.serialNumber,
              vendorId: port.vendorId,
              productId: port.productId,
            })),
          }),
        (err: unknown) =>
          res.json({ ports: [], error: err instanceof Error ? err.message : String(err) }),
      );
    },
  );
};
