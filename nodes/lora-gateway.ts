import { type RemoteInfo, type Socket, createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ackFor, parseDatagram, type GatewayDatagram } from '../lib/devices/semtech-udp';
import { errorText } from './support/errors';
import { throttledStatus } from './support/throttled-status';

interface LoraGatewayConfig extends NodeDef {
  /** UDP port the packet forwarders send to (serv_port_up); 1700 when empty. */
  port: string | number;
  /** Address to listen on; 0.0.0.0 (every IPv4 interface) when empty. */
  bind: string;
}

const DEFAULT_PORT = 1700;
const DEFAULT_BIND = '0.0.0.0';
/** At most one warning about refused datagrams this often; the others are counted. */
const WARN_INTERVAL_MS = 60_000;
/** The status is redrawn at most this often: a busy gateway must not flood the editor. */

export = function register(RED: NodeAPI): void {
  function LoraGateway(this: Node, config: LoraGatewayConfig): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const bind = String(config.bind ?? '').trim() || DEFAULT_BIND;
    const portText = String(config.port ?? '').trim();
    const port = portText === '' ? DEFAULT_PORT : Number(portText);
    const counts = { frames: 0, crc: 0, stat: 0, bad: 0 };
    let txAcks = 0;
    let lastWarning = -Infinity;
    let unsaid = 0;

    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      const text = RED._('lora-gateway.settings.port', { port: portText });
      node.status({ fill: 'red', shape: 'ring', text });
      node.error(text);
      return;
    }

    const counting = throttledStatus(node, () => {
      const text = RED._('lora-gateway.status.counts', counts);
      return {
        fill: 'green',
        shape: 'dot',
        text: txAcks > 0 ? `${text} · ${RED._('lora-gateway.status.txAck', { txAcks })}` : text,
      };
    });
    const showCounts = counting.show;

    /**
     * A datagram the network sent that cannot be taken. Node-RED's udp in reports its
     * socket's troubles with node.error; here the fault is a stranger's datagram, not
     * a message of the flow: there is no msg for a Catch node, and an error per
     * datagram from a noisy network would flood the log. One warning a minute at
     * most, saying how many went unsaid; the status counts them all.
     */
    function refuse(remote: RemoteInfo, err: unknown): void {
      counts.bad += 1;
      const now = Date.now();
      if (now - lastWarning < WARN_INTERVAL_MS) {
        unsaid += 1;
        return;
      }
      const params = { from: `${remote.address}:${remote.port}`, reason: errorText(RED._, err) };
      node.warn(
        unsaid > 0
          ? RED._('lora-gateway.warn.refusedMore', { ...params, more: unsaid })
          : RED._('lora-gateway.warn.refused', params),
      );
      lastWarning = now;
      unsaid = 0;
    }

    function take(datagram: GatewayDatagram, remote: RemoteInfo): void {
      if (datagram.type === 'TX_ACK') txAcks += 1;
      if (datagram.type !== 'PUSH_DATA') return;
      if (datagram.stat !== undefined) counts.stat += 1;
      for (const packet of datagram.packets) {
        if (packet.kind === 'frame') {
          counts.frames += 1;
          node.send({ payload: packet.payload, lora: { ...packet.radio } });
        } else if (packet.kind === 'bad') refuse(remote, packet.error);
        else counts.crc += 1;
      }
    }

    const socket: Socket = createSocket(isIPv6(bind) ? 'udp6' : 'udp4');
    let open = true;
    let listening = false;

    socket.on('message', (data, remote) => {
      let datagram: GatewayDatagram;
      try {
        datagram = parseDatagram(data);
      } catch (err) {
        refuse(remote, err);
        showCounts();
        return;
      }
      // PROTOCOL.TXT 3.1: the ack goes at once, the frames are processed after it.
      const ack = ackFor(datagram);
      if (ack !== undefined) socket.send(ack, remote.port, remote.address, () => undefined);
      take(datagram, remote);
      showCounts();
    });

    socket.on('listening', () => {
      listening = true;
      const address = socket.address();
      node.log(RED._('lora-gateway.log.listening', { bind: address.address, port: address.port }));
      node.status({
        fill: 'green',
        shape: 'dot',
        text: RED._('lora-gateway.status.listening', { bind, port }),
      });
    });

    socket.on('error', (err: NodeJS.ErrnoException) => {
      const params = { bind, port, error: err.code ?? err.message };
      const text =
        err.code === 'EADDRINUSE'
          ? RED._('lora-gateway.listen.inUse', params)
          : err.code === 'EACCES'
            ? RED._('lora-gateway.listen.access', params)
            : err.code === 'EADDRNOTAVAIL' || err.code === 'EINVAL' || err.code === 'ENOTFOUND'
              ? RED._('lora-gateway.listen.address', params)
              : RED._('lora-gateway.listen.failed', { ...params, error: err.message });
      node.status({
        fill: 'red',
        shape: 'ring',
        text: err.code === 'EADDRINUSE' ? RED._('lora-gateway.status.inUse', params) : text,
      });
      node.error(text);
      if (!listening && open) {
        open = false;
        socket.close();
      }
    });

    socket.bind(port, bind);

    node.on('close', (done: () => void) => {
      counting.cancel();
      if (!open) {
        done();
        return;
      }
      open = false;
      socket.close(() => done());
    });
  }
  RED.nodes.registerType('lora-gateway', LoraGateway);
};
