import assert from 'node:assert/strict';
import { Element } from 'ltx';
import { Backoff } from '../../../lib/backoff';
import { type StateChange, XmppSession } from '../../../lib/federation/session';
import {
  type TestBed,
  account,
  federation,
  startTestBed,
  stopTestBed,
  waitFor,
} from '../../support/federation';

describe('XMPP session (real Prosody federation)', function () {
  this.timeout(60_000);
  let bed: TestBed;
  const sessions: XmppSession[] = [];
  const open = (
    options: ConstructorParameters<typeof XmppSession>[0],
    backoff?: Backoff,
  ): XmppSession => {
    const session = new XmppSession(options, backoff);
    sessions.push(session);
    return session;
  };

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.stop()));
  });

  after(async function () {
    this.timeout(30_000);
    await stopTestBed();
  });

  it('logs in over TLS trusting only the federation CA given to this session, and a message crosses domains', async () => {
    const alice = open(account(bed, 'alice@sen1.test'));
    const bob = open(account(bed, 'bob@sen2.test'));
    alice.start();
    bob.start();
    await Promise.all([alice.waitOnline(), bob.waitOnline()]);
    assert.match(alice.jid ?? '', /^alice@sen1\.test\//);
    const received = waitFor<Element>('the message on sen2', 10_000, (done) =>
      bob.on('stanza', (stanza: Element) => {
        if (stanza.is('message') && stanza.getChildText('body') === 'hello from sen1') done(stanza);
      }),
    );
    await alice.send(
      new Element('message', { to: 'bob@sen2.test', type: 'chat' })
        .c('body')
        .t('hello from sen1')
        .root(),
    );
    const message = await received;
    assert.match(message.attrs.from, /^alice@sen1\.test\//);
  });

  it('many iqs in flight whose error replies come back at once: each one fails on its own, nothing goes unhandled', async () => {
    const admin = open(account(bed, 'admin@sen1.test'));
    admin.start();
    await admin.waitOnline();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const publish = (i: number): Element =>
        new Element('iq', { type: 'set', to: 'pubsub.sen1.test' })
          .c('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' })
          .c('publish', { node: 'no-such-node' })
          .c('item', { id: `i${i}` })
          .c('x', { xmlns: 'urn:example' })
          .root();
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          admin.iq(publish(i)).then(
            () => 'published',
            (err: { condition?: string }) => err.condition,
          ),
        ),
      );
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(new Set(outcomes), new Set(['item-not-found']));
      assert.deepEqual(unhandled, []);
      // The session is still usable, and a late or unknown reply changes nothing.
      const ping = await admin.iq(
        new Element('iq', { type: 'get', to: 'sen1.test' })
          .c('ping', { xmlns: 'urn:xmpp:ping' })
          .root(),
      );
      assert.equal(ping.attrs.type, 'result');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('an iq with no reply fails after its timeout with a TimeoutError', async () => {
    const admin = open(account(bed, 'admin@sen1.test'));
    const bob = open(account(bed, 'bob@sen2.test'));
    admin.start();
    bob.start();
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    // Bob takes the request and never answers it.
    bob.answerIq('get', 'urn:example:slow', 'query', () => new Promise<undefined>(() => undefined));
    const asked = new Element('iq', { type: 'get', to: bob.jid! })
      .c('query', { xmlns: 'urn:example:slow' })
      .root();
    const started = Date.now();
    const err = await admin.iq(asked, 500).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.equal(err?.name, 'TimeoutError', String(err));
    assert.deepEqual(
      [(err as { code?: string }).code, (err as { messageId?: string }).messageId],
      ['XMPP_TIMEOUT', 'SESSION_IQ_TIMEOUT'],
    );
    assert.match(
      err.message,
      new RegExp(`${bob.jid!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no reply within 500 ms`),
    );
    assert.ok(Date.now() - started >= 490);
  });

  it('without the CA, refuses the server certificate and says so', async () => {
    const { caFile: _unused, ...noCa } = account(bed, 'alice@sen1.test');
    const alice = open(noCa);
    const state = waitFor<StateChange>('an error state', 20_000, (done) =>
      alice.on('state', (s: StateChange) => s.state !== 'connecting' && done(s)),
    );
    alice.start();
    const change = await state;
    assert.equal(change.state, 'error');
    assert.match(change.reason ?? '', /TLS certificate not trusted/);
    // A private CA not given: said with its own sentence, naming the server and Node's code.
    assert.ok(
      ['SESSION_CERT_UNKNOWN_ISSUER', 'SESSION_CERT_UNTRUSTED_CA'].includes(
        change.reasonSentence?.messageId ?? '',
      ),
      JSON.stringify(change.reasonSentence),
    );
    assert.equal(change.reasonSentence?.params.server, 'sen1.test');
    assert.equal(change.reason, change.reasonSentence?.message);
    assert.equal(alice.online, false);
  });

  it('with a wrong password, reports the authentication failure and backs off instead of hammering', async () => {
    const alice = open({ ...account(bed, 'alice@sen1.test'), password: 'wrong' });
    const state = waitFor<StateChange>('an error state', 20_000, (done) =>
      alice.on('state', (s: StateChange) => s.state !== 'connecting' && done(s)),
    );
    alice.start();
    const change = await state;
    assert.equal(change.state, 'error');
    assert.match(change.reason ?? '', /authentication failed/);
    assert.deepEqual(
      [change.reasonSentence?.messageId, change.reasonSentence?.code],
      ['SESSION_AUTH_FAILED', 'XMPP_AUTH'],
    );
    assert.ok((change.retryInMs ?? 0) >= 30_000, `next try in ${change.retryInMs} ms`);
  });

  it('says plainly when the account has no password, without trying', () => {
    const alice = open({ ...account(bed, 'alice@sen1.test'), password: '' });
    alice.start();
    assert.equal(alice.state.state, 'error');
    assert.match(alice.state.reason ?? '', /no password/);
    // Where to set it is the application's to say (the Node-RED nodes say: the account node, in their language).
    assert.doesNotMatch(alice.state.reason ?? '', /node/i);
  });

  it('reports a missing CA file clearly', () => {
    const alice = open({ ...account(bed, 'alice@sen1.test'), caFile: '/nonexistent/ca.pem' });
    alice.start();
    assert.equal(alice.state.state, 'error');
    assert.match(alice.state.reason ?? '', /cannot read CA file/);
  });

  it('refuses to send while offline with a clear error', async () => {
    const alice = open(account(bed, 'alice@sen1.test'));
    await assert.rejects(
      alice.send(new Element('message', { to: 'bob@sen2.test' })),
      /not connected/,
    );
  });

  it('comes back online by itself after its server restarts, with growing, jittered delays', async () => {
    const delays: number[] = [];
    const alice = open(
      account(bed, 'alice@sen1.test'),
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    alice.on('state', (s: StateChange) => s.retryInMs !== undefined && delays.push(s.retryInMs));
    alice.start();
    await alice.waitOnline();
    const offline = waitFor('offline', 10_000, (done) => alice.once('offline', done));
    await federation('restart', 'sen1');
    await offline;
    await alice.waitOnline(30_000);
    assert.ok(delays.length >= 1);
    assert.ok(
      delays.every((d) => d <= 2000),
      `delays ${delays}`,
    );
  });
});
