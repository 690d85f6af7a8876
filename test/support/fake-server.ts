/**
 * A TCP server that plays an XMPP server's part the way a test wants (hostile,
 * silent, without TLS): on each connection it answers the client's stream
 * header once with `reply`, and records everything clients write.
 */
import { type AddressInfo, type Socket, createServer } from 'node:net';

export interface FakeServer {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** All that clients wrote, every connection in turn. */
  written(): string;
  /** Cut every connection and stop listening. */
  close(): Promise<void>;
}

export function fakeServer(reply: string | ((socket: Socket) => void)): Promise<FakeServer> {
  let count = 0;
  let written = '';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let heard = '';
    let answered = false;
    socket.on('data', (data) => {
      written += data.toString();
      heard += data.toString();
      if (answered || !heard.includes('<stream:stream')) return;
      answered = true;
      if (typeof reply === 'string') socket.write(reply);
      else reply(socket);
    });
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        connections: () => count,
        written: () => written,
        close,
      }),
    ),
  );
}
