/**
 * No credential on a stream without TLS: a server that offers no STARTTLS (a fake
 * one that says nothing else, and a real Prosody with TLS off) gets the stream
 * header and the closing of the stream, never a SASL exchange, a username, a
 * resource or a stanza; the account's status says why.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { Backoff } from '../../../lib/backoff';
import { NO_TLS_REASON, type StateChange, XmppSession } from '../../../lib/federation/session';
import { fakeServer } from '../../support/fake-server';
import { federation, startTestBed, stopTestBed } from '../../support/federation';

const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='plain.test' id='s1' version='1.0'>";
const SASL_FEATURES =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>";
const BIND_FEATURES =
  "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>";

/** What a client may write before TLS: the stream header and the end of the stream. */
function onlyFraming(written: string): string {
  return written
    .replace(/<\?xml version='1.0'\?><stream:stream [^>]*>/g, '')
    .replace(/<\/stream:stream>/g, '');
}

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP proxy in front of a real server, recording what the client writes to it. */
function recordingProxy(
  host: string,
  port: number,
): Promise<{ server: Server; port: number; written: () => string; close: () => Promise<void> }> {
  let written = '';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (data) => {
      written += data.toString();
      upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on('error', () => b.destroy());
      a.on('close', () => b.destroy());
    }
  });
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        written: () => written,
        close,
      }),
    ),
  );
}

describe('no credential without TLS', function () {
  this.timeout(60_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function session(
    port: number,
    jid = 'victim@plain.test',
    password = 'secret-password',
  ): { session: XmppSession; states: StateChange[] } {
    const s = new XmppSession(
      { jid, password, host: '127.0.0.1', port, loginDeadlineMs: 5_000 },
      new Backoff({ initialMs: 100, maxMs: 200 }),
    );
    const states: StateChange[] = [];
    s.on('state', (change: StateChange) => states.push(change));
    cleanups.push(() => s.stop());
    s.start();
    return { session: s, states };
  }

  for (const [what, features] of [
    ['a server that offers SASL (SCRAM-SHA-1, PLAIN) and no STARTTLS', SASL_FEATURES],
    ['a server that offers nothing but resource binding', BIND_FEATURES],
  ] as const) {
    it(`${what}: no SASL, no username, no resource leave; the status says the server offers no TLS`, async () => {
      const fake = await fakeServer(STREAM_HEADER + features);
      cleanups.push(fake.close);
      const { states } = session(fake.port);
      await until('a failure reported', () =>
        states.some((s) => s.state === 'error' || s.state === 'offline'),
      );
      await new Promise((r) => setTimeout(r, 500)); // anything still on its way would arrive now
      const refusal = states.find((s) => s.state === 'error' || s.state === 'offline')!;
      assert.equal(refusal.reason, NO_TLS_REASON);
      assert.ok(
        (refusal.retryInMs ?? 0) >= 30_000,
        `retried every ${refusal.retryInMs} ms: a server without TLS does not get better in a second`,
      );
      assert.equal(
        onlyFraming(fake.written()),
        '',
        `written besides the stream's framing: ${fake.written()}`,
      );
      for (const secret of [
        'victim',
        'auth',
        'bind',
        Buffer.from('n,,n=victim').toString('base64').slice(0, 12),
      ])
        assert.ok(!fake.written().includes(secret), secret);
    });
  }

  describe('a real Prosody with TLS off (plain.test: no mod_tls, encryption not required)', () => {
    let env: Record<string, string>;
    before(async function () {
      this.timeout(180_000);
      await startTestBed();
      await federation('plain', 'start');
      const dir = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';
      env = Object.fromEntries(
        readFileSync(join(dir, 'plain.env'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
    });
    after(async function () {
      this.timeout(30_000);
      await federation('plain', 'stop');
      await stopTestBed();
    });

    it('offers SCRAM-SHA-1 in clear text; the account refuses to log in, and Prosody saw no authentication', async () => {
      const proxy = await recordingProxy(env.SENFED_PLAIN_ADDRESS, 5222);
      cleanups.push(proxy.close);
      const { states } = session(proxy.port, env.SENFED_PLAIN_JID, env.SENFED_PLAIN_PASSWORD);
      await until('a failure reported', () =>
        states.some((s) => s.state === 'error' || s.state === 'offline'),
      );
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(
        states.find((s) => s.state === 'error' || s.state === 'offline')?.reason,
        NO_TLS_REASON,
      );
      assert.equal(
        onlyFraming(proxy.written()),
        '',
        `written besides the stream's framing: ${proxy.written()}`,
      );
      const dir = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';
      const log = readFileSync(join(dir, 'plain', 'prosody.log'), 'utf8');
      assert.ok(log.includes('Client connected'), 'the client did reach Prosody');
      assert.ok(!/Authenticated as|SASL/i.test(log), `Prosody's log: ${log}`);
    });
  });
});
