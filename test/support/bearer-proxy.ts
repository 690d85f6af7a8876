/**
 * A bearer-protected SensorThings deployment as they are built: a reverse proxy that
 * lets through only requests with `Authorization: Bearer <token>` and forwards them to
 * a real FROST-Server (which cannot check bearer tokens itself without Keycloak). Like
 * a real reverse proxy (ProxyPassReverse), it rewrites FROST's own URLs in the answers
 * (Location, @iot.selfLink, @iot.nextLink) to its own address. A wrong or missing token
 * gets 401 with a WWW-Authenticate challenge (RFC 6750 §3) and a JSON error body.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BearerProxy {
  /** The service root through the proxy, e.g. http://127.0.0.1:41234/FROST-Server/v1.1 */
  serviceRoot: string;
  /** The Authorization header of every request that reached the proxy, in order. */
  seen: (string | undefined)[];
  close(): Promise<void>;
}

export async function startBearerProxy(backendRoot: string, token: string): Promise<BearerProxy> {
  const backend = new URL(backendRoot);
  const seen: (string | undefined)[] = [];
  let front = '';
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': 'Bearer realm="sensorthings", error="invalid_token"',
      });
      res.end('{"code":401,"type":"error","message":"invalid or missing bearer token"}');
      return;
    }
    const headers = { ...req.headers, host: backend.host };
    delete headers.authorization;
    const forward = http.request(
      { host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const rewrite = (text: string) => text.split(backend.origin).join(front);
          const body = Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8')));
          const out: http.OutgoingHttpHeaders = { ...answer.headers };
          delete out['transfer-encoding'];
          out['content-length'] = String(body.length);
          if (typeof out.location === 'string') out.location = rewrite(out.location);
          res.writeHead(answer.statusCode ?? 502, out);
          res.end(body);
        });
      },
    );
    forward.on('error', () => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"code":502,"type":"error","message":"backend unreachable"}');
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  front = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    serviceRoot: `${front}${backend.pathname.replace(/\/+$/, '')}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
