/**
 * The federation test bed as a client sees it: two real Prosody servers, sen1.test
 * on 127.0.0.1 and sen2.test on 127.0.0.2, started by scripts/federation/federation.sh
 * (which installs Prosody when it is missing). Without Prosody these tests fail; they
 * never skip.
 *
 * The servers' certificates come from the test bed's private CA. @xmpp/client 0.14
 * gives no way to hand a CA to its STARTTLS upgrade, and NODE_EXTRA_CA_CERTS is read
 * only when Node starts, so while these tests run the test bed's CA is added to the
 * roots that tls.connect trusts (checks stay on; one test shows a client without the
 * CA being refused).
 */
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import tls = require('tls');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'federation', 'federation.sh');
const STATE = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
const NS_SENML = 'urn:ietf:params:xml:ns:senml';

// The little of @xmpp/client 0.14 these tests use (it ships no type declarations).
interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  is(name: string, xmlns?: string): boolean;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  toString(): string;
}
type Xml = (
  name: string,
  attrs?: Record<string, string>,
  ...children: Array<XmlElement | string>
) => XmlElement;
interface XmppClient {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(element: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  removeListener(event: string, listener: (...args: never[]) => void): void;
  iqCaller: { request(element: XmlElement, timeout?: number): Promise<XmlElement> };
  reconnect: { stop(): void };
  socket?: { socket?: tls.TLSSocket } | null;
}
interface XmppModule {
  client(options: Record<string, string>): XmppClient;
  xml: Xml;
}

interface TestBed {
  caFile: string;
  servers: Record<
    'sen1' | 'sen2',
    {
      domain: string;
      address: string;
      service: string;
      pubsub: string;
      admin: string;
      config: string;
      log: string;
    }
  >;
  users: Record<
    string,
    { username: string; domain: string; server: 'sen1' | 'sen2'; password: string }
  >;
}

// @xmpp/client is ESM only: import it at run time without TypeScript turning the
// import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

function federation(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPT, ...args],
      { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `federation.sh ${args.join(' ')} failed (${err.message.split('\n')[0]}):\n${stdout}\n${stderr}`,
            ),
          );
        else resolve(stdout + stderr);
      },
    );
  });
}

function prosodyctl(config: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'prosodyctl',
      ['--config', config, ...args],
      { timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(`prosodyctl ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`),
          );
        else resolve(stdout);
      },
    );
  });
}

/** Adds the test bed's CA to what tls.connect trusts by default; returns the undo. */
function trustTestBedCa(caPem: string): () => void {
  const tlsModule = tls as unknown as { connect: (...args: unknown[]) => tls.TLSSocket };
  const original = tlsModule.connect;
  const ca = [...tls.rootCertificates, caPem];
  tlsModule.connect = function connect(this: unknown, ...args: unknown[]) {
    const index = args.findIndex((a) => typeof a === 'object' && a !== null && !Buffer.isBuffer(a));
    if (index >= 0 && (args[index] as tls.ConnectionOptions).ca === undefined) {
      args[index] = { ...(args[index] as tls.ConnectionOptions), ca };
    }
    return original.apply(this, args);
  };
  return () => {
    tlsModule.connect = original;
  };
}

function withTimeout<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function bare(jid: string | undefined): string {
  return String(jid).split('/')[0];
}

describe('federation test bed (two Prosody servers, scripts/federation)', function () {
  let xmpp: XmppModule;
  let bed: TestBed;
  let untrust: (() => void) | undefined;
  const sessions: XmppClient[] = [];

  before(async function () {
    this.timeout(180_000);
    assert.ok(fs.existsSync(SCRIPT), `${SCRIPT} is missing`);
    await federation('start');
    bed = JSON.parse(fs.readFileSync(path.join(STATE, 'federation.json'), 'utf8')) as TestBed;
    xmpp = (await importEsm('@xmpp/client')) as XmppModule;
    untrust = trustTestBedCa(fs.readFileSync(bed.caFile, 'utf8'));
  });

  after(async function () {
    this.timeout(60_000);
    untrust?.();
    await Promise.allSettled(
      sessions.splice(0).map((s) => withTimeout(s.stop(), 'disconnect', 3000)),
    );
    await federation('stop');
  });

  afterEach(async function () {
    await Promise.allSettled(
      sessions.splice(0).map((s) => withTimeout(s.stop(), 'disconnect', 3000)),
    );
  });

  function connect(jid: string, password?: string): XmppClient {
    const user = bed.users[jid];
    assert.ok(user, `no account ${jid} in the test bed`);
    const session = xmpp.client({
      service: bed.servers[user.server].service,
      domain: user.domain,
      username: user.username,
      password: password ?? user.password,
      resource: `testbed-${Math.random().toString(36).slice(2, 8)}`,
    });
    session.reconnect.stop();
    session.on('error', () => {
      // start() rejects with the same error; nothing else to do with it here.
    });
    sessions.push(session);
    return session;
  }

  async function login(jid: string): Promise<XmppClient> {
    const session = connect(jid);
    await withTimeout(session.start(), `login as ${jid}`);
    return session;
  }

  // Waits for every attempt to settle before failing: stopping an @xmpp/client 0.14
  // session whose start() is still in flight can crash the process.
  async function loginAll(...jids: string[]): Promise<XmppClient[]> {
    const results = await Promise.allSettled(jids.map((jid) => login(jid)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.map((r) => (r as PromiseFulfilledResult<XmppClient>).value);
  }

  function next(
    session: XmppClient,
    what: string,
    predicate: (stanza: XmlElement) => boolean,
    ms = 10_000,
  ): Promise<XmlElement> {
    let listener: ((stanza: XmlElement) => void) | undefined;
    const found = new Promise<XmlElement>((resolve) => {
      listener = (stanza) => {
        if (predicate(stanza)) resolve(stanza);
      };
      session.on('stanza', listener);
    });
    return withTimeout(found, what, ms).finally(() =>
      session.removeListener('stanza', listener as never),
    );
  }

  async function available(session: XmppClient, domain: string): Promise<void> {
    const { xml } = xmpp;
    await session.send(xml('presence'));
    // The server has handled the presence once it answers a later ping.
    await session.iqCaller.request(
      xml('iq', { type: 'get', to: domain }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );
  }

  function pubsub(to: string, ns: string, ...children: XmlElement[]): XmlElement {
    const { xml } = xmpp;
    return xml('iq', { type: 'set', to }, xml('pubsub', { xmlns: ns }, ...children));
  }

  async function createNode(admin: XmppClient, service: string, node: string): Promise<void> {
    const { xml } = xmpp;
    const field = (name: string, value: string, type?: string) =>
      xml('field', type ? { var: name, type } : { var: name }, xml('value', {}, value));
    await admin.iqCaller.request(
      pubsub(
        service,
        NS_PUBSUB,
        xml('create', { node }),
        xml(
          'configure',
          {},
          xml(
            'x',
            { xmlns: 'jabber:x:data', type: 'submit' },
            field('FORM_TYPE', `${NS_PUBSUB}#node_config`, 'hidden'),
            field('pubsub#access_model', 'open'),
            field('pubsub#persist_items', '1'),
          ),
        ),
      ),
    );
  }

  function reading(value: string): XmlElement {
    const { xml } = xmpp;
    return xml(
      'sensml',
      { xmlns: NS_SENML },
      xml('senml', {
        n: 'urn:dev:mac:0024befffe804ff1:temperature',
        u: 'Cel',
        v: value,
        t: String(Math.floor(Date.now() / 1000)),
      }),
    );
  }

  async function publish(
    admin: XmppClient,
    service: string,
    node: string,
    id: string,
    value: string,
  ): Promise<void> {
    const { xml } = xmpp;
    await admin.iqCaller.request(
      pubsub(service, NS_PUBSUB, xml('publish', { node }, xml('item', { id }, reading(value)))),
    );
  }

  async function s2sSessions(server: 'sen1' | 'sen2'): Promise<
    Array<{
      host: string;
      dir: string;
      remote: string;
      security: string;
      sasl: string;
      dialback: string;
    }>
  > {
    const table = await prosodyctl(bed.servers[server].config, 'shell', 's2s', 'show');
    return table
      .split('\n')
      .filter((line) => line.startsWith('s2s'))
      .map((line) => {
        const [, host, dir, remote, , security, sasl, dialback] = line
          .split('|')
          .map((cell) => cell.trim());
        return { host, dir, remote, security, sasl, dialback };
      });
  }

  it('delivers a message from alice@sen1.test to bob@sen2.test across s2s, TLS on every hop', async function () {
    const { xml } = xmpp;
    const [alice, bob] = await loginAll('alice@sen1.test', 'bob@sen2.test');
    for (const [who, session] of [
      ['alice', alice],
      ['bob', bob],
    ] as const) {
      const socket = session.socket?.socket;
      assert.ok(socket instanceof tls.TLSSocket, `${who}'s stream is not TLS`);
      assert.equal(socket.authorized, true, `${who}'s server certificate was not verified`);
      assert.match(String(socket.getProtocol()), /^TLSv1\.[23]$/);
    }
    await available(bob, 'sen2.test');

    const body = `hello from sen1 ${Date.now()}`;
    const received = next(
      bob,
      'the message at bob',
      (s) => s.is('message') && s.getChildText('body') === body,
    );
    await alice.send(xml('message', { to: 'bob@sen2.test', type: 'chat' }, xml('body', {}, body)));
    const message = await received;
    assert.equal(bare(message.attrs.from), 'alice@sen1.test');

    const out = (await s2sSessions('sen1')).find(
      (s) => s.host === 'sen1.test' && s.dir === '-->' && s.remote === 'sen2.test',
    );
    assert.ok(out, 'no s2s connection sen1.test -> sen2.test');
    assert.match(out.security, /^TLSv1\.[23]$/);
  });

  it('brings a PubSub item published on pubsub.sen1.test to a subscriber on sen2.test', async function () {
    const { xml } = xmpp;
    const [admin, bob] = await loginAll('admin@sen1.test', 'bob@sen2.test');
    await available(bob, 'sen2.test');
    const service = bed.servers.sen1.pubsub;
    const node = `testbed-${Date.now()}`;
    await createNode(admin, service, node);

    const answer = await bob.iqCaller.request(
      pubsub(service, NS_PUBSUB, xml('subscribe', { node, jid: 'bob@sen2.test' })),
    );
    assert.equal(
      answer.getChild('pubsub', NS_PUBSUB)?.getChild('subscription')?.attrs.subscription,
      'subscribed',
    );

    const event = next(bob, 'the PubSub event at bob', (s) => {
      const items = s.is('message')
        ? s.getChild('event', NS_PUBSUB_EVENT)?.getChild('items')
        : undefined;
      return items?.attrs.node === node;
    });
    await publish(admin, service, node, 'reading-1', '21.5');
    const notification = await event;
    assert.equal(notification.attrs.from, service);
    const item = notification
      .getChild('event', NS_PUBSUB_EVENT)
      ?.getChild('items')
      ?.getChild('item');
    assert.equal(item?.attrs.id, 'reading-1');
    assert.equal(item?.getChild('sensml', NS_SENML)?.getChild('senml')?.attrs.v, '21.5');

    await admin.iqCaller.request(pubsub(service, NS_PUBSUB_OWNER, xml('delete', { node })));
  });

  it('refuses a wrong password with a not-authorized SASL failure', async function () {
    const session = connect('alice@sen1.test', 'not-the-password');
    await assert.rejects(
      withTimeout(session.start(), 'login with a wrong password'),
      (err: Error & { condition?: string }) => {
        assert.equal(err.name, 'SASLError');
        assert.equal(err.condition, 'not-authorized');
        return true;
      },
    );
  });

  it('authenticates servers to each other by certificate (SASL EXTERNAL), never by dialback', async function () {
    // Traffic both ways: alice -> bob opens sen1.test -> sen2.test; bob's subscription
    // opens sen2.test -> pubsub.sen1.test (the start-up check did both, but do not
    // depend on it).
    const { xml } = xmpp;
    const [alice, bob] = await loginAll('alice@sen1.test', 'bob@sen2.test');
    await alice.iqCaller.request(
      xml('iq', { type: 'get', to: 'sen2.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );
    await bob.iqCaller.request(
      xml('iq', { type: 'get', to: 'sen1.test' }, xml('ping', { xmlns: 'urn:xmpp:ping' })),
    );

    const sen1Log = fs.readFileSync(bed.servers.sen1.log, 'utf8');
    const sen2Log = fs.readFileSync(bed.servers.sen2.log, 'utf8');
    assert.match(sen2Log, /Accepting SASL EXTERNAL identity from sen1\.test/);
    assert.match(sen1Log, /Accepting SASL EXTERNAL identity from sen2\.test/);
    assert.doesNotMatch(sen1Log + sen2Log, /Forbidding insecure connection/);

    for (const server of ['sen1', 'sen2'] as const) {
      const links = await s2sSessions(server);
      assert.ok(
        links.some((s) => s.dir === '-->') && links.some((s) => s.dir === '<--'),
        `${server}: s2s in both directions`,
      );
      for (const s of links) {
        assert.match(
          s.security,
          /^TLSv1\.[23]$/,
          `${server}: ${s.host} ${s.dir} ${s.remote} is not encrypted`,
        );
        assert.equal(
          s.sasl,
          'Succeeded',
          `${server}: ${s.host} ${s.dir} ${s.remote} not authenticated by SASL EXTERNAL`,
        );
        assert.equal(
          s.dialback,
          'Not used',
          `${server}: ${s.host} ${s.dir} ${s.remote} used dialback`,
        );
      }
    }
  });

  it('refuses a client that does not trust the test bed CA (certificate checks are on)', async function () {
    untrust?.();
    untrust = undefined;
    try {
      const session = connect('alice@sen1.test');
      await assert.rejects(
        withTimeout(session.start(), 'login without the CA'),
        (err: Error & { code?: string }) => {
          assert.match(
            String(err.code),
            /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/,
          );
          return true;
        },
      );
    } finally {
      untrust = trustTestBedCa(fs.readFileSync(bed.caFile, 'utf8'));
    }
  });

  it('keeps PubSub items across a restart of sen1 (federation.sh restart sen1)', async function () {
    this.timeout(60_000);
    const { xml } = xmpp;
    const service = bed.servers.sen1.pubsub;
    const node = `testbed-persist-${Date.now()}`;
    const admin = await login('admin@sen1.test');
    await createNode(admin, service, node);
    await publish(admin, service, node, 'before-restart', '19.25');

    await federation('restart', 'sen1');
    await Promise.allSettled(
      sessions.splice(0).map((s) => withTimeout(s.stop(), 'disconnect', 3000)),
    );

    const bob = await login('bob@sen2.test');
    const answer = await bob.iqCaller.request(
      xml(
        'iq',
        { type: 'get', to: service },
        xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node })),
      ),
    );
    const item = answer.getChild('pubsub', NS_PUBSUB)?.getChild('items')?.getChild('item');
    assert.equal(item?.attrs.id, 'before-restart');
    assert.equal(item?.getChild('sensml', NS_SENML)?.getChild('senml')?.attrs.v, '19.25');
  });
});
