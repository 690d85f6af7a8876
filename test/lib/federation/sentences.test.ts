/**
 * What lib/federation says is made of coded sentences: every error carries its
 * family code, the messageId of its sentence and the params it was made of, and
 * its English message is that sentence's template filled with them; the words
 * for a value inside a sentence, and the reason inside another, are sentences of
 * their own. The session's state changes say why in the same way, certificate
 * failures each with their own sentence.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { Element } from 'ltx';
import {
  type Sentence,
  SenfedError,
  renderMessage,
  templatePlaceholders,
} from '../../../lib/errors';
import { isoTimeWithOffset } from '../../../lib/federation/adhoc';
import { Backoff } from '../../../lib/backoff';
import { FederationError } from '../../../lib/federation/errors';
import { FEDERATION_MESSAGES } from '../../../lib/federation/messages';
import { Provider, ProviderError } from '../../../lib/federation/provider';
import { parseEventMessage, publishIq, setSubscriptionsIq } from '../../../lib/federation/pubsub';
import { metaElement } from '../../../lib/federation/quoalise';
import { RequestError, commandRequestIq } from '../../../lib/federation/requester';
import { SenderList } from '../../../lib/federation/senders';
import { SessionError, type StateChange, XmppSession } from '../../../lib/federation/session';
import { fakeServer } from '../../support/fake-server';

type Said = SenfedError & { parts?: Record<string, Sentence> };

function thrown(fn: () => unknown): Said {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SenfedError, `not a SenfedError: ${String(err)}`);
    return err as Said;
  }
  assert.fail('nothing was thrown');
}

/** The sentence is its template filled with its params, and its code is the template's family. */
function assertRendered(said: Sentence): void {
  const spec = FEDERATION_MESSAGES[said.messageId as keyof typeof FEDERATION_MESSAGES];
  assert.ok(spec, `${said.messageId} is not a sentence of lib/federation`);
  assert.equal(said.code, spec.code, said.messageId);
  for (const name of templatePlaceholders(spec.en))
    assert.ok(name in said.params, `${said.messageId}: no param ${name}`);
  assert.equal(said.message, renderMessage(spec.en, said.params));
}

describe('federation sentences: coded, with their params', () => {
  it('an error of every class carries its family code, its messageId and its params, and its message is made of them', () => {
    const cases: [Said, string, string, Record<string, unknown>][] = [
      [
        thrown(() => isoTimeWithOffset('2021-12-01T00:00:00', 'start_time')),
        'FEDERATION_INPUT',
        'FEDERATION_TIME_NO_OFFSET',
        { what: 'start_time', value: '"2021-12-01T00:00:00"' },
      ],
      [
        thrown(() => metaElement({ 'not a name': 'x' })),
        'FEDERATION_INPUT',
        'FEDERATION_META_NAME',
        { path: 'meta.not a name', key: 'not a name' },
      ],
      [
        thrown(() => SenderList.parse('bob@')),
        'FEDERATION_INPUT',
        'FEDERATION_SENDER_INVALID',
        { entry: 'bob@' },
      ],
      [
        thrown(() =>
          parseEventMessage(
            new Element('message', { from: 'pubsub.sen1.test' })
              .c('event', { xmlns: 'http://jabber.org/protocol/pubsub#event' })
              .c('items')
              .root(),
          ),
        ),
        'FEDERATION_MALFORMED',
        'FEDERATION_EVENT_NO_NODE',
        { kind: 'items', service: 'pubsub.sen1.test' },
      ],
      [
        thrown(() =>
          commandRequestIq('provider@sen1.test/node-red', 'get_history', { identifier: 'meter' }),
        ),
        'REQUEST_INPUT',
        'REQUEST_NO_PERIOD',
        {},
      ],
      [
        thrown(() => new XmppSession({ jid: 'not a jid', password: 'x' })),
        'XMPP_CONFIG',
        'SESSION_JID_INVALID',
        { jid: 'not a jid' },
      ],
    ];
    for (const [err, code, messageId, params] of cases) {
      assert.equal(err.code, code, err.message);
      assert.equal(err.messageId, messageId, err.message);
      for (const [name, value] of Object.entries(params))
        assert.equal(err.params[name], value, `${messageId}: ${name}`);
      assertRendered(err);
    }
    assert.equal(
      cases[0][0].message,
      'start_time "2021-12-01T00:00:00" is not an ISO 8601 time with offset: it has no UTC offset: add one, e.g. +01:00 or Z',
    );
    assert.ok(
      cases[4][0] instanceof RequestError &&
        cases[5][0] instanceof SessionError &&
        cases[0][0] instanceof FederationError,
    );
  });

  it('the words for a value are a sentence of their own, kept in parts for a translation', () => {
    const empty = thrown(() =>
      publishIq('pubsub.sen1.test', '', undefined, new Element('x', { xmlns: 'urn:example' })),
    );
    assert.equal(empty.messageId, 'FEDERATION_TEXT_EMPTY');
    assert.equal(empty.message, 'PubSub node name must not be empty');
    assert.equal(empty.params.what, 'PubSub node name');
    assert.equal(empty.parts?.what.messageId, 'FEDERATION_TERM_PUBSUB_NODE');
    assertRendered(empty.parts!.what);

    // A term with a param of its own, and a value said in words.
    const change = thrown(() =>
      setSubscriptionsIq('pubsub.sen1.test', 'n', [
        { jid: [] as unknown as string, subscription: 'none' },
      ]),
    );
    assert.equal(change.message, 'JID of subscription change 0 must be text, got a list');
    assert.deepEqual(
      [change.parts?.what.messageId, change.parts?.what.params.index, change.parts?.got.messageId],
      ['FEDERATION_TERM_SUBSCRIPTION_CHANGE_JID', 0, 'FEDERATION_VALUE_LIST'],
    );
  });

  it('an error made of another keeps it as cause, and its message in {cause}', () => {
    const err = thrown(() =>
      commandRequestIq('provider@sen1.test/node-red', 'get_history', {
        identifier: 'meter',
        start: '2021-12-01T00:00:00',
        end: '2021-12-02T00:00:00+01:00',
      }),
    );
    assert.equal(err.code, 'REQUEST_INPUT');
    assert.equal(err.messageId, 'REQUEST_INVALID');
    const cause = err.cause as Said;
    assert.ok(cause instanceof FederationError);
    assert.equal(cause.messageId, 'FEDERATION_TIME_NO_OFFSET');
    assert.equal(err.params.cause, cause.message);
    assert.equal(err.message, cause.message);
  });

  it('a provider refuses a second one on the same account with a coded error naming the account', async () => {
    const session = new XmppSession({ jid: 'provider@sen1.test', password: 'x' });
    const first = new Provider(session, { handleSubscriptions: false });
    try {
      const err = thrown(() => new Provider(session, { handleSubscriptions: false }));
      assert.ok(err instanceof ProviderError);
      assert.deepEqual(
        [err.code, err.messageId, err.params.jid],
        ['PROVIDER_BUSY', 'PROVIDER_BUSY', 'provider@sen1.test'],
      );
      assertRendered(err);
    } finally {
      await first.close();
    }
  });
});

describe('session state changes: a sentence for the reason', function () {
  this.timeout(30_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function open(options: ConstructorParameters<typeof XmppSession>[0]): {
    session: XmppSession;
    states: StateChange[];
  } {
    const session = new XmppSession(options, new Backoff({ initialMs: 100, maxMs: 200 }));
    const states: StateChange[] = [];
    session.on('state', (change: StateChange) => states.push(change));
    cleanups.push(() => session.stop());
    session.start();
    return { session, states };
  }

  async function failure(states: StateChange[]): Promise<StateChange> {
    for (
      const end = Date.now() + 15_000;
      Date.now() < end;
      await new Promise((r) => setTimeout(r, 20))
    ) {
      const failed = states.find((s) => s.state === 'error' || s.state === 'offline');
      if (failed) return failed;
    }
    throw new Error('no failure reported');
  }

  it('no password, and a CA file that cannot be read: the reason is a sentence, the English reason its message', () => {
    const { session } = open({ jid: 'alice@sen1.test', password: '' });
    assert.deepEqual(
      [
        session.state.reasonSentence?.messageId,
        session.state.reasonSentence?.code,
        session.state.reason,
      ],
      ['SESSION_NO_PASSWORD', 'XMPP_CONFIG', 'no password'],
    );
    const { session: withCa } = open({
      jid: 'alice@sen1.test',
      password: 'x',
      caFile: '/nonexistent/ca.pem',
    });
    const why = withCa.state.reasonSentence!;
    assert.equal(why.messageId, 'SESSION_CA_FILE_UNREADABLE');
    assert.equal(why.params.file, '/nonexistent/ca.pem');
    assert.match(String(why.params.cause), /ENOENT/);
    assert.equal(withCa.state.reason, why.message);
    assertRendered(why);
  });

  it('sending while not connected: the error holds the state it is in, as a sentence of its own', async () => {
    const { session } = open({ jid: 'alice@sen1.test', password: '' });
    const err = (await session.send(new Element('message')).then(
      () => assert.fail('sent'),
      (e: unknown) => e,
    )) as Said;
    assert.ok(err instanceof SessionError);
    assert.deepEqual(
      [err.code, err.messageId, err.params.jid],
      ['XMPP_OFFLINE', 'SESSION_NOT_CONNECTED', 'alice@sen1.test'],
    );
    assert.equal(err.message, 'alice@sen1.test is not connected (no password)');
    assert.equal(err.parts?.cause.messageId, 'SESSION_NO_PASSWORD');
  });

  it('a server without TLS: SESSION_NO_TLS, with the wait before the next attempt', async () => {
    const fake = await fakeServer(
      "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='plain.test' id='s1' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>",
    );
    cleanups.push(fake.close);
    const { states } = open({
      jid: 'victim@plain.test',
      password: 'secret',
      host: '127.0.0.1',
      port: fake.port,
      loginDeadlineMs: 5_000,
    });
    const failed = await failure(states);
    assert.deepEqual(
      [failed.state, failed.reasonSentence?.messageId, failed.reasonSentence?.code, failed.reason],
      ['error', 'SESSION_NO_TLS', 'XMPP_TLS', 'the server offers no TLS encryption'],
    );
    assert.ok((failed.retryInMs ?? 0) >= 30_000);
  });

  describe("certificates a server presents: each common refusal its own sentence, with the server and Node's code", () => {
    let dir: string;
    const certificate = (name: string): { key: string; cert: string; file: string } => {
      const key = join(dir, `${name}.key`);
      const file = join(dir, `${name}.pem`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          file,
          '-days',
          '2',
          '-subj',
          `/CN=${name}`,
          '-addext',
          `subjectAltName=DNS:${name}`,
        ],
        { stdio: 'ignore' },
      );
      return { key: readFileSync(key, 'utf8'), cert: readFileSync(file, 'utf8'), file };
    };

    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'senfed-certs-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    /** A server that offers STARTTLS, then presents this certificate. */
    async function startTlsServer(credentials: { key: string; cert: string }): Promise<number> {
      const sockets = new Set<Socket>();
      const server: Server = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => undefined);
        let heard = '';
        const onData = (data: Buffer): void => {
          heard += data.toString();
          if (heard.includes('<stream:stream') && !heard.includes('<starttls')) {
            socket.write(
              "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='evil.test' id='s1' version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
            );
          } else if (heard.includes('<starttls')) {
            socket.off('data', onData);
            socket.write("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>", () => {
              const secure = new tls.TLSSocket(socket, { isServer: true, ...credentials });
              secure.on('error', () => undefined);
            });
          }
        };
        socket.on('data', onData);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => resolve());
          }),
      );
      return (server.address() as AddressInfo).port;
    }

    it('self-signed: SESSION_CERT_SELF_SIGNED (DEPTH_ZERO_SELF_SIGNED_CERT)', async () => {
      const port = await startTlsServer(certificate('evil.test'));
      const { states } = open({
        jid: 'victim@evil.test',
        password: 'secret',
        host: '127.0.0.1',
        port,
      });
      const why = (await failure(states)).reasonSentence!;
      assert.deepEqual(
        [why.messageId, why.code, why.params.server, why.params.tlsCode],
        ['SESSION_CERT_SELF_SIGNED', 'XMPP_TLS', 'evil.test', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
      );
      assert.equal(
        why.message,
        'TLS certificate not trusted: the certificate of evil.test is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)',
      );
    });

    it('trusted, but made out to another name: SESSION_CERT_WRONG_NAME (ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
      const other = certificate('other.test');
      const port = await startTlsServer(other);
      const { states } = open({
        jid: 'victim@evil.test',
        password: 'secret',
        host: '127.0.0.1',
        port,
        caFile: other.file,
      });
      const failed = await failure(states);
      const why = failed.reasonSentence!;
      assert.deepEqual(
        [why.messageId, why.params.server, why.params.tlsCode],
        ['SESSION_CERT_WRONG_NAME', 'evil.test', 'ERR_TLS_CERT_ALTNAME_INVALID'],
      );
      assertRendered(why);
      assert.equal(failed.state, 'error', 'a certificate needs a person: retried slowly');
    });
  });
});
