/**
 * A server that speaks XML tricks to the client, or drops the connection while
 * the stream opens: document type declarations,
 * entity definitions and references, a runaway stream. A real Prosody never
 * sends these (it refuses them from others and writes its own streams), so a
 * small TCP server plays the hostile part here.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Backoff } from '../../../lib/backoff';
import { type StateChange, XmppSession } from '../../../lib/federation/session';
import { fakeServer } from '../../support/fake-server';

const STREAM_HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='evil.test' id='s1' version='1.0'>";

describe('a hostile server: XML tricks in the stream never crash the session', function () {
  this.timeout(30_000);
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function connectTo(reply: string | ((socket: Socket) => void)): Promise<{
    session: XmppSession;
    states: StateChange[];
    uncaught: unknown[];
    connections: () => number;
  }> {
    const { port, connections, close } = await fakeServer(reply);
    cleanups.push(close);
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown): number => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    cleanups.push(() => {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
    });
    const session = new XmppSession(
      {
        jid: 'victim@evil.test',
        password: 'secret',
        host: '127.0.0.1',
        port,
        loginDeadlineMs: 2_000,
      },
      new Backoff({ initialMs: 100, maxMs: 200 }),
    );
    cleanups.push(() => session.stop());
    const states: StateChange[] = [];
    session.on('state', (change: StateChange) => states.push(change));
    session.start();
    return { session, states, uncaught, connections };
  }

  async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const cases: [string, string | ((socket: Socket) => void)][] = [
    [
      'a document type declaration with an internal entity',
      `<?xml version='1.0'?><!DOCTYPE stream [<!ENTITY x "boom">]>${STREAM_HEADER.slice("<?xml version='1.0'?>".length)}<stream:features>&x;</stream:features>`,
    ],
    [
      'nested entity definitions (billion laughs)',
      `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>${STREAM_HEADER}<stream:features>&lol2;</stream:features>`,
    ],
    [
      'an external entity (XXE)',
      `<!DOCTYPE s [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${STREAM_HEADER}<stream:features>&xxe;</stream:features>`,
    ],
    [
      'an undefined entity reference in the stream',
      `${STREAM_HEADER}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>&undefined;</starttls></stream:features>`,
    ],
    ['a stream that is not XML at all', `${STREAM_HEADER}<<<>>>&&&</stream:features>`],
    ['a connection reset while the stream opens', (socket) => socket.resetAndDestroy()],
    ['a server that opens the stream and then says nothing', STREAM_HEADER],
  ];

  for (const [what, reply] of cases) {
    it(`${what}: the session reports a failure, tries again later, and the process carries on`, async () => {
      const { states, uncaught, connections } = await connectTo(reply);
      await until('a failure reported', () =>
        states.some((s) => s.state === 'error' || s.state === 'offline'),
      );
      await until('a second attempt', () => connections() >= 2);
      assert.deepEqual(uncaught, []);
      const failure = states.find((s) => s.state === 'error' || s.state === 'offline')!;
      assert.ok(failure.reason, 'the failure says why');
      assert.doesNotMatch(
        failure.reason,
        /root:|boom|lollol/,
        'nothing from an entity reached the report',
      );
      assert.ok(states.every((s) => s.state !== 'online'));
    });
  }

  it('a document type declaration split between two writes is refused at once, not after a timeout', async () => {
    const { states, uncaught } = await connectTo((socket) =>
      socket.write("<?xml version='1.0'?><!DOC", () =>
        setTimeout(() => socket.write(`TYPE stream>${STREAM_HEADER}<stream:features/>`), 50),
      ),
    );
    await until(
      'a failure reported',
      () => states.some((s) => s.state === 'error' || s.state === 'offline'),
      3_000,
    );
    assert.match(
      states.find((s) => s.state === 'error' || s.state === 'offline')!.reason ?? '',
      /document type declaration/,
    );
    assert.deepEqual(uncaught, []);
  });

  it('a server that opens the stream and then says nothing: the login is cut at its deadline, and stop() returns at once meanwhile', async () => {
    const { session, states } = await connectTo(STREAM_HEADER);
    await until('a failure reported', () => states.some((s) => s.state === 'offline'), 5_000);
    assert.match(
      states.find((s) => s.state === 'offline')!.reason ?? '',
      /did not finish the login within 2 s/,
    );
    await until(
      'the next attempt',
      () => states.filter((s) => s.state === 'connecting').length >= 2,
      5_000,
    );
    const stopping = Date.now();
    await session.stop();
    assert.ok(
      Date.now() - stopping < 1_000,
      `stop() took ${Date.now() - stopping} ms while a login hung`,
    );
  });
});
