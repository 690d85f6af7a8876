/**
 * Quoalise ad-hoc commands across domains on the real Prosody federation: a
 * requester on sen2.test (consumer) asks a provider on sen1.test
 * (provider@sen1.test/node-red); what the provider answers, and what it answers
 * by itself (bad requests, timeouts, discovery, subscriptions).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { senml } from '../../../lib';
import {
  COMMANDS_NS,
  commandIq,
  parseCommandError,
  parseCommandResult,
} from '../../../lib/federation/adhoc';
import { Backoff } from '../../../lib/backoff';
import {
  commandListIq,
  discoInfoIq,
  parseCommandList,
  parseDiscoInfo,
} from '../../../lib/federation/discovery';
import {
  type ExtraCommand,
  type GateRequest,
  Provider,
  ProviderError,
  type ProviderGate,
  type ProviderOptions,
  type ProviderRequest,
  findRequest,
} from '../../../lib/federation/provider';
import { sentence } from '../../../lib/errors';
import { RequestError, request } from '../../../lib/federation/requester';
import { XmppSession } from '../../../lib/federation/session';
import { SubscriberRegistry, bareJid } from '../../../lib/store/subscriber-registry';
import {
  type TestBed,
  account,
  federation,
  startTestBed,
  stopTestBed,
} from '../../support/federation';

const RESOURCE = 'node-red';
const PROVIDER = `provider@sen1.test/${RESOURCE}`;
const METER = 'urn:dev:prm:30001610071843_consumption/active_power/raw';

const history: senml.ResolvedPack = [
  { n: METER, u: 'W', v: 1250, t: 1_638_313_200 },
  { n: METER, u: 'W', v: 1310, t: 1_638_315_000 },
  { n: METER, u: 'W', v: 990.5, t: 1_638_316_800 },
];
const meta = {
  device: {
    type: 'electricity-meter',
    identifier: { authority: 'enedis', value: '30001610071843' },
  },
  measurement: {
    direction: 'consumption',
    quantity: 'active_power',
    unit: 'W',
    aggregation: 'mean',
    sampling_interval: 'PT30M',
  },
};

async function rejection(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RequestError, `expected a RequestError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to be refused');
}

describe('Quoalise commands: sen2 asks a provider on sen1 (real federation)', function () {
  this.timeout(90_000);
  let bed: TestBed;
  let providerSession: XmppSession;
  let consumer: XmppSession;
  let dir: string;
  let registry: SubscriberRegistry;
  let provider: Provider;
  let received: ProviderRequest[];

  /** A provider on the provider's session; each request goes to `answer`. */
  async function provide(
    answer: (req: ProviderRequest) => void,
    options: Omit<ProviderOptions, 'registry'> = {},
  ): Promise<void> {
    registry = await SubscriberRegistry.open(join(dir, 'subscribers.json'));
    provider = new Provider(providerSession, { registry, ...options });
    received = [];
    provider.on('request', (req: ProviderRequest) => {
      received.push(req);
      answer(req);
    });
  }

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
    providerSession = new XmppSession(
      { ...account(bed, 'provider@sen1.test'), resource: RESOURCE },
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    consumer = new XmppSession(
      account(bed, 'consumer@sen2.test'),
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    providerSession.start();
    consumer.start();
    await Promise.all([providerSession.waitOnline(), consumer.waitOnline()]);
    assert.equal(providerSession.jid, PROVIDER);
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-commands-'));
  });

  afterEach(async () => {
    await provider?.close();
    await registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([providerSession?.stop(), consumer?.stop()]);
    await stopTestBed();
  });

  it('get_history: the provider gets the request with who asked, the requester gets the records resolved and the meta', async () => {
    await provide((req) => req.reply(history, meta));
    const reply = await request(consumer, PROVIDER, 'get_history', {
      identifier: METER,
      start: '2021-12-01T00:00:00+01:00',
      end: new Date(Date.UTC(2021, 11, 1, 23)),
    });
    assert.equal(reply.status, 'completed');
    assert.deepEqual(reply.records, history);
    assert.deepEqual(reply.meta, meta);
    assert.match(reply.sessionid ?? '', /^get_history:/);
    assert.equal(received.length, 1);
    const [req] = received;
    assert.equal(req.command, 'get_history');
    assert.equal(req.identifier, METER);
    assert.equal(req.start, '2021-12-01T00:00:00+01:00');
    assert.equal(
      req.end,
      '2021-12-01T23:00:00.000+00:00',
      'a Date goes out in UTC, with its offset written +00:00',
    );
    assert.equal(req.from, consumer.jid, 'the requester is known by its full JID, across domains');
    assert.equal(req.answeredBy, 'owner');
    assert.equal(findRequest(req.id), undefined, 'an answered request is no longer pending');
  });

  it('get_history with no readings in the period answers an empty pack', async () => {
    await provide((req) => req.reply([]));
    const reply = await request(consumer, PROVIDER, 'get_history', {
      identifier: METER,
      start: '2021-12-01T00:00:00Z',
      end: '2021-12-02T00:00:00Z',
    });
    assert.deepEqual(reply.records, []);
    assert.deepEqual(reply.meta, {});
  });

  it('errors reach the requester as such: not-authorized, bad-request, service-unavailable, undefined-condition with upstream-error', async () => {
    const answers = [
      { condition: 'not-authorized', text: 'no consent for consumer@sen2.test', type: 'auth' },
      { condition: 'bad-request', text: 'unknown identifier', type: 'modify' },
      { condition: 'service-unavailable', text: 'the meter data hub is down', type: 'cancel' },
      {
        condition: 'undefined-condition',
        text: 'upstream refused',
        type: 'cancel',
        upstream: { issuer: 'enedis-data-connect', code: 'ADAM-ERR0123' },
      },
    ] as const;
    let next = 0;
    await provide((req) => {
      const answer = answers[next++];
      req.fail(answer.condition, {
        text: answer.text,
        upstream: 'upstream' in answer ? answer.upstream : undefined,
      });
    });
    for (const answer of answers) {
      const err = await rejection(
        request(consumer, PROVIDER, 'get_history', {
          identifier: METER,
          start: '2021-12-01T00:00:00+01:00',
          end: '2021-12-02T00:00:00+01:00',
        }),
      );
      assert.equal(err.code, 'REQUEST_REFUSED');
      assert.equal(err.condition, answer.condition);
      assert.equal(err.type, answer.type);
      assert.equal(err.text, answer.text);
      assert.deepEqual(err.upstream, 'upstream' in answer ? answer.upstream : undefined);
      assert.match(
        err.message,
        new RegExp(`get_history at ${PROVIDER} refused: ${answer.condition}`),
      );
    }
    assert.equal(next, answers.length);
  });

  it('a provider whose flow does not answer in time answers service-unavailable itself; a late answer is refused', async () => {
    await provide(() => undefined, { replyTimeoutMs: 400 });
    const timedOut = new Promise<ProviderRequest>((resolve) => provider.once('timeout', resolve));
    const err = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00+01:00',
        end: '2021-12-02T00:00:00+01:00',
      }),
    );
    assert.equal(err.condition, 'service-unavailable');
    assert.match(err.text ?? '', /did not answer within 0\.4 s/);
    const late = await timedOut;
    assert.equal(late.answeredBy, 'timeout');
    assert.throws(
      () => late.reply(history),
      (e: Error & { code?: string }) =>
        e.code === 'PROVIDER_ANSWERED' && /not answered in time/.test(e.message),
    );
  });

  it('a requester that waits less than the provider takes gets REQUEST_TIMEOUT', async () => {
    let late: ProviderRequest | undefined;
    await provide((req) => (late = req));
    const err = await rejection(
      request(
        consumer,
        PROVIDER,
        'get_history',
        { identifier: METER, start: '2021-12-01T00:00:00+01:00', end: '2021-12-02T00:00:00+01:00' },
        500,
      ),
    );
    assert.equal(err.code, 'REQUEST_TIMEOUT');
    assert.equal(err.condition, undefined);
    // The provider still answers; the requester has stopped listening and drops the answer.
    late?.reply(history);
    await new Promise((r) => setTimeout(r, 200));
  });

  it('malformed commands are answered bad-request without reaching the flow: no identifier, times without offset, start after end', async () => {
    await provide((req) => req.reply(history));
    const cases: [Record<string, string>, RegExp][] = [
      [
        { start_time: '2021-12-01T00:00:00+01:00', end_time: '2021-12-02T00:00:00+01:00' },
        /field "identifier" is required/,
      ],
      [
        {
          identifier: METER,
          start_time: '2021-12-01T00:00:00',
          end_time: '2021-12-02T00:00:00+01:00',
        },
        /start_time .* no UTC offset/,
      ],
      [
        { identifier: METER, start_time: '2021-12-01T00:00:00+01:00', end_time: 'tomorrow' },
        /end_time "tomorrow" is not an ISO 8601 time/,
      ],
      [
        {
          identifier: METER,
          start_time: '2021-12-03T00:00:00+01:00',
          end_time: '2021-12-02T00:00:00+01:00',
        },
        /is after end_time/,
      ],
    ];
    for (const [fields, reason] of cases) {
      const err = await consumer.iq(commandIq(PROVIDER, 'get_history', fields)).then(
        () => assert.fail('a malformed command must be refused'),
        (e: unknown) => parseCommandError(e),
      );
      assert.equal(err?.condition, 'bad-request');
      assert.equal(err?.type, 'modify');
      assert.equal(err?.commandCondition, 'bad-payload');
      assert.match(err?.text ?? '', reason);
    }
    const unknown = await consumer
      .iq(commandIq(PROVIDER, 'get_records', { identifier: METER }))
      .then(
        () => assert.fail('an unknown command must be refused'),
        (e: unknown) => parseCommandError(e),
      );
    assert.equal(unknown?.condition, 'item-not-found');
    assert.equal(received.length, 0, 'nothing reached the flow');
  });

  it('the requester checks its own input before sending: a time without offset is REQUEST_INPUT', async () => {
    const err = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00',
        end: '2021-12-02T00:00:00+01:00',
      }),
    );
    assert.equal(err.code, 'REQUEST_INPUT');
    assert.match(err.message, /no UTC offset/);
  });

  it('answers discovery: the commands feature, the command list (XEP-0050 §2.2) and each command node', async () => {
    await provide(() => undefined);
    const info = parseDiscoInfo(await consumer.iq(discoInfoIq(PROVIDER)));
    assert.ok(info?.features.includes(COMMANDS_NS), `features: ${info?.features}`);
    const list = parseCommandList(await consumer.iq(commandListIq(PROVIDER)));
    assert.deepEqual(list, [
      { jid: PROVIDER, node: 'get_history', name: 'Get history' },
      { jid: PROVIDER, node: 'subscribe', name: 'Subscribe' },
      { jid: PROVIDER, node: 'unsubscribe', name: 'Unsubscribe' },
    ]);
    const node = parseDiscoInfo(await consumer.iq(discoInfoIq(PROVIDER, 'get_history')));
    assert.deepEqual(node?.identities, [
      { category: 'automation', type: 'command-node', name: 'Get history' },
    ]);
    assert.deepEqual(node?.features, [COMMANDS_NS, 'jabber:x:data']);
  });

  it('subscribe and unsubscribe are recorded durably and still reach the flow, already answered', async () => {
    await provide(() => undefined);
    const subscribed = await request(consumer, PROVIDER, 'subscribe', { identifier: METER });
    assert.equal(subscribed.status, 'completed');
    assert.deepEqual(subscribed.records, []);
    assert.deepEqual(registry.subscribers(METER), [consumer.jid]);
    assert.equal(received[0].command, 'subscribe');
    assert.equal(received[0].answeredBy, 'provider');
    // Reopened (a restart): still there.
    await registry.close();
    let reopened = await SubscriberRegistry.open(join(dir, 'subscribers.json'));
    assert.deepEqual(reopened.subscribers(METER), [consumer.jid]);
    await reopened.close();
    await request(consumer, PROVIDER, 'unsubscribe', { identifier: METER }).then(
      () => assert.fail('the closed registry must refuse the change'),
      (err: RequestError) => assert.equal(err.condition, 'internal-server-error'),
    );
    // With a working registry again.
    await provider.close();
    await provide(() => undefined);
    assert.deepEqual(registry.subscribers(METER), [consumer.jid]);
    await request(consumer, PROVIDER, 'unsubscribe', { identifier: METER });
    assert.deepEqual(registry.subscribers(METER), []);
    assert.equal(received[0].command, 'unsubscribe');
    await registry.close();
    reopened = await SubscriberRegistry.open(join(dir, 'subscribers.json'));
    assert.deepEqual(reopened.identifiers(), []);
    await reopened.close();
    assert.equal(
      JSON.parse(readFileSync(join(dir, 'subscribers.json'), 'utf8')).format,
      'senfed-subscribers/1',
    );
  });

  it('with handleSubscriptions off, the flow decides: a subscription it accepts is on disk before the answer, one it refuses is not recorded', async () => {
    const bob = new XmppSession(
      account(bed, 'bob@sen2.test'),
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    bob.start();
    try {
      await bob.waitOnline();
      const replies: Promise<void>[] = [];
      // The consent decision: consumer@sen2.test may follow the meter, nobody else may.
      await provide(
        (req) => {
          if (req.from.startsWith('consumer@sen2.test/')) replies.push(req.reply());
          else req.fail('not-authorized', { text: 'no consent for this meter' });
        },
        { handleSubscriptions: false },
      );
      const file = join(dir, 'subscribers.json');
      const onDisk = (): Record<string, string[]> =>
        JSON.parse(readFileSync(file, 'utf8')).identifiers;
      const subscribed = new Promise((resolve) => provider.once('subscribed', resolve));

      const accepted = await request(consumer, PROVIDER, 'subscribe', { identifier: METER });
      assert.equal(accepted.status, 'completed');
      assert.deepEqual(
        onDisk()[METER],
        [consumer.jid],
        'on disk when the requester hears it is subscribed',
      );
      assert.deepEqual(await subscribed, { identifier: METER, jid: consumer.jid });
      const refused = await rejection(request(bob, PROVIDER, 'subscribe', { identifier: METER }));
      assert.equal(refused.condition, 'not-authorized');
      assert.equal(refused.text, 'no consent for this meter');
      assert.deepEqual(
        registry.subscribers(METER),
        [consumer.jid],
        'the refused requester is not recorded',
      );
      assert.deepEqual(onDisk()[METER], [consumer.jid]);
      assert.deepEqual(
        received.map((r) => [r.command, bareJid(r.from), r.answeredBy]),
        [
          ['subscribe', 'consumer@sen2.test', 'owner'],
          ['subscribe', 'bob@sen2.test', 'owner'],
        ],
      );

      // Unsubscribe, accepted: removed; unsubscribing again (nobody there) is still completed.
      assert.equal(
        (await request(consumer, PROVIDER, 'unsubscribe', { identifier: METER })).status,
        'completed',
      );
      assert.deepEqual(onDisk(), {});
      assert.equal(
        (await request(consumer, PROVIDER, 'unsubscribe', { identifier: METER })).status,
        'completed',
      );
      await Promise.all(replies);
      assert.equal(replies.length, 3);
    } finally {
      await bob.stop();
    }
  });

  it('with handleSubscriptions off, a subscription the flow does not answer in time is refused and not recorded', async () => {
    await provide(() => undefined, { handleSubscriptions: false, replyTimeoutMs: 400 });
    const timedOut = new Promise<ProviderRequest>((resolve) => provider.once('timeout', resolve));
    const err = await rejection(request(consumer, PROVIDER, 'subscribe', { identifier: METER }));
    assert.equal(err.condition, 'service-unavailable');
    const late = await timedOut;
    assert.throws(
      () => late.reply(),
      (e: Error & { code?: string }) => e.code === 'PROVIDER_ANSWERED',
    );
    assert.deepEqual(registry.identifiers(), []);
    assert.equal(existsSync(join(dir, 'subscribers.json')), false, 'nothing written');
  });

  it('with handleSubscriptions off, a subscription accepted but not recordable: internal-server-error, and reply() rejects', async () => {
    // What each reply() came to: 'sent', or the error it rejected with.
    const outcomes: Promise<'sent' | (Error & { code?: string })>[] = [];
    await provide(
      (req) =>
        outcomes.push(
          req.reply().then(
            () => 'sent' as const,
            (e: Error) => e,
          ),
        ),
      { handleSubscriptions: false },
    );
    // A real disk fault: the registry's temporary file cannot be created (a directory stands in its place).
    const blocker = join(dir, 'subscribers.json.tmp');
    mkdirSync(blocker);
    const err = await rejection(request(consumer, PROVIDER, 'subscribe', { identifier: METER }));
    assert.equal(err.condition, 'internal-server-error');
    assert.equal(err.text, 'the subscription could not be recorded');
    const failure = await outcomes[0];
    assert.ok(
      failure !== 'sent' && failure.code === 'PROVIDER_RECORD',
      `reply() came to ${String(failure)}`,
    );
    assert.match(
      failure.message,
      new RegExp(
        `^the subscribe of ${consumer.jid} to ${METER} could not be recorded: cannot write the subscriber registry .*EISDIR`,
      ),
    );
    assert.deepEqual(registry.subscribers(METER), []);
    // The fault gone, the same request goes through.
    rmSync(blocker, { recursive: true });
    assert.equal(
      (await request(consumer, PROVIDER, 'subscribe', { identifier: METER })).status,
      'completed',
    );
    assert.equal(await outcomes[1], 'sent');
    assert.deepEqual(registry.subscribers(METER), [consumer.jid]);
  });

  it('a generic XEP-0050 client gets the form first, then its submission is handled', async () => {
    await provide((req) => req.reply(history));
    const first = parseCommandResult(await consumer.iq(commandIq(PROVIDER, 'get_history')));
    assert.equal(first?.status, 'executing');
    assert.deepEqual(Object.keys(first?.form?.fields ?? {}), [
      'identifier',
      'start_time',
      'end_time',
    ]);
    const second = parseCommandResult(
      await consumer.iq(
        commandIq(
          PROVIDER,
          'get_history',
          {
            identifier: METER,
            start_time: '2021-12-01T00:00:00+01:00',
            end_time: '2021-12-02T00:00:00+01:00',
          },
          { sessionid: first?.sessionid, action: 'complete' },
        ),
      ),
    );
    assert.equal(second?.status, 'completed');
    assert.equal(second?.sessionid, first?.sessionid);
    assert.equal(second?.data?.records.length, 3);
    assert.equal(
      second?.form?.fields.result,
      'Success',
      'the result form the Quoalise reference sends',
    );
  });

  it('nobody listening, or the provider closing with requests pending: service-unavailable', async () => {
    registry = await SubscriberRegistry.open(join(dir, 'subscribers.json'));
    provider = new Provider(providerSession, { registry });
    const nobody = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00Z',
        end: '2021-12-02T00:00:00Z',
      }),
    );
    assert.equal(nobody.condition, 'service-unavailable');
    provider.on('request', () => void provider.close());
    const closing = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00Z',
        end: '2021-12-02T00:00:00Z',
      }),
    );
    assert.equal(closing.condition, 'service-unavailable');
    assert.equal(closing.text, 'the provider stopped');
    // Closed: the session's own default answer again.
    const after = await rejection(request(consumer, PROVIDER, 'subscribe', { identifier: METER }));
    assert.equal(after.condition, 'service-unavailable');
  });

  it('a gate decides: a request it refuses gets not-authorized with its reason, and the flow never sees it; unsubscribe is never gated', async () => {
    const asked: GateRequest[] = [];
    const gate: ProviderGate = {
      admit: async (req) => {
        asked.push(req);
        return sentence(
          'TEST_NO_CONSENT',
          { code: 'CONSENT_REFUSED', en: 'no consent for {who}' },
          {
            who: bareJid(req.from),
          },
        );
      },
      release: async (_req, pack, meta) => ({ pack, meta }),
    };
    await provide((req) => req.reply(history), { handleSubscriptions: false, gate });
    const err = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00Z',
        end: '2021-12-02T00:00:00Z',
      }),
    );
    assert.equal(err.condition, 'not-authorized');
    assert.equal(err.text, 'no consent for consumer@sen2.test');
    const sub = await rejection(request(consumer, PROVIDER, 'subscribe', { identifier: METER }));
    assert.equal(sub.condition, 'not-authorized');
    assert.deepEqual(
      asked.map((req) => [req.command, req.identifier, req.from]),
      [
        ['get_history', METER, consumer.jid],
        ['subscribe', METER, consumer.jid],
      ],
    );
    assert.equal(asked[0].start, '2021-12-01T00:00:00+00:00');
    assert.equal(received.length, 0, 'the flow is not asked what the gate refused');
    await request(consumer, PROVIDER, 'unsubscribe', { identifier: METER });
    assert.equal(asked.length, 2, 'unsubscribe went through without the gate');
  });

  it('a gate releases part of the answer: the requester gets only that, with the meta the gate adds', async () => {
    const gate: ProviderGate = {
      admit: async () => undefined,
      release: async (req, pack, meta) => ({
        pack: pack.slice(0, 2),
        meta: { ...meta, released: `to ${bareJid(req.from)}` },
      }),
    };
    await provide((req) => req.reply(history, meta), { gate });
    const reply = await request(consumer, PROVIDER, 'get_history', {
      identifier: METER,
      start: '2021-12-01T00:00:00Z',
      end: '2021-12-02T00:00:00Z',
    });
    assert.deepEqual(reply.records, history.slice(0, 2));
    assert.deepEqual(reply.meta, { ...meta, released: 'to consumer@sen2.test' });
  });

  it('a gate that fails refuses (not-authorized, consent cannot be checked), and says why at the provider', async () => {
    const gate: ProviderGate = {
      admit: async () => {
        throw new Error('the consent file is unreadable');
      },
      release: async (_req, pack, meta) => ({ pack, meta }),
    };
    await provide((req) => req.reply(history), { gate });
    const problem = new Promise<Error>((resolve) => provider.once('problem', resolve));
    const err = await rejection(
      request(consumer, PROVIDER, 'get_history', {
        identifier: METER,
        start: '2021-12-01T00:00:00Z',
        end: '2021-12-02T00:00:00Z',
      }),
    );
    assert.equal(err.condition, 'not-authorized');
    assert.match(err.text ?? '', /consent cannot be checked/);
    assert.match((await problem).message, /unreadable/);
  });

  it('extra commands are answered with their result form and listed by disco, beside the three of Quoalise', async () => {
    const commands: Record<string, ExtraCommand> = {
      audit_proof: {
        name: 'Audit proof',
        fields: ['index'],
        answer: async (fields, from) => {
          if (fields.index === 'x')
            throw new ProviderError('PROVIDER_CONDITION_UNKNOWN', { got: '"x"' });
          return { index: String(fields.index), asked_by: bareJid(from), proof: ['aa', 'bb'] };
        },
      },
    };
    await provide((req) => req.reply(history), { commands });
    const answer = parseCommandResult(
      await consumer.iq(commandIq(PROVIDER, 'audit_proof', { index: '3' })),
    );
    assert.equal(answer?.status, 'completed');
    assert.deepEqual(answer?.form?.fields, {
      index: '3',
      asked_by: 'consumer@sen2.test',
      proof: ['aa', 'bb'],
    });
    const bad = await consumer.iq(commandIq(PROVIDER, 'audit_proof', { index: 'x' })).then(
      () => assert.fail('a field the command cannot take must be refused'),
      (e: unknown) => parseCommandError(e),
    );
    assert.equal(bad?.condition, 'bad-request');
    const list = parseCommandList(await consumer.iq(commandListIq(PROVIDER)));
    assert.deepEqual(
      (list ?? []).map((item) => item.node),
      ['get_history', 'subscribe', 'unsubscribe', 'audit_proof'],
    );
  });

  it('one provider per account', async () => {
    await provide(() => undefined);
    assert.throws(
      () => new Provider(providerSession, { registry }),
      (e: Error & { code?: string }) => e.code === 'PROVIDER_BUSY',
    );
  });

  it('a command sent to the bare JID is answered by the server, not the provider: service-unavailable', async () => {
    await provide((req) => req.reply(history));
    const err = await rejection(
      request(consumer, 'provider@sen1.test', 'subscribe', { identifier: METER }),
    );
    assert.equal(err.condition, 'service-unavailable');
    assert.equal(received.length, 0);
  });

  it('the provider keeps answering after its server restarts (responders move to the new connection)', async () => {
    await provide((req) => req.reply(history));
    const wentOffline = new Promise((resolve) => providerSession.once('offline', resolve));
    await federation('restart', 'sen1');
    await wentOffline;
    await providerSession.waitOnline(30_000);
    const reply = await request(consumer, PROVIDER, 'get_history', {
      identifier: METER,
      start: '2021-12-01T00:00:00+01:00',
      end: '2021-12-02T00:00:00+01:00',
    });
    assert.deepEqual(reply.records, history);
  });
});

describe('SubscriberRegistry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-registry-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one subscription per account and identifier, the latest resource', async () => {
    const file = join(dir, 'p', 'subscribers.json');
    const registry = await SubscriberRegistry.open(file);
    assert.equal(await registry.add('a', 'consumer@sen2.test/one'), true);
    assert.equal(await registry.add('a', 'consumer@sen2.test/one'), false);
    assert.equal(await registry.add('a', 'consumer@SEN2.test/two'), true);
    assert.equal(await registry.add('a', 'bob@sen2.test/x'), true);
    assert.equal(await registry.add('b', 'bob@sen2.test/x'), true);
    assert.deepEqual(registry.subscribers('a'), ['consumer@SEN2.test/two', 'bob@sen2.test/x']);
    assert.equal(
      await registry.remove('a', 'consumer@sen2.test/other'),
      true,
      'any resource of the account unsubscribes it',
    );
    assert.equal(await registry.remove('a', 'consumer@sen2.test'), false);
    await registry.close();
    const again = await SubscriberRegistry.open(file);
    assert.deepEqual(again.toJSON(), { a: ['bob@sen2.test/x'], b: ['bob@sen2.test/x'] });
    await assert.rejects(again.add('', 'bob@sen2.test'), /identifier/);
    await assert.rejects(again.add('a', 'not a jid'), /JID/);
    await again.close();
    await assert.rejects(
      again.add('a', 'bob@sen2.test'),
      (e: Error & { code?: string }) => e.code === 'REGISTRY_CLOSED',
    );
  });

  it('concurrent changes are applied in order, and what it shows is on disk', async () => {
    const file = join(dir, 'subscribers.json');
    const registry = await SubscriberRegistry.open(file);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => registry.add(`id-${i % 4}`, `user${i}@sen2.test/r`)),
    );
    const onDisk = JSON.parse(readFileSync(file, 'utf8')).identifiers;
    assert.deepEqual(onDisk, registry.toJSON());
    assert.equal(registry.subscribers('id-0').length, 5);
    await registry.close();
  });

  it('an unreadable file is kept aside and the registry starts empty, with a warning', async () => {
    const file = join(dir, 'subscribers.json');
    writeFileSync(file, '{"format":"senfed-subscribers/1","identifiers":{"a":[');
    const registry = await SubscriberRegistry.open(file);
    assert.deepEqual(registry.identifiers(), []);
    assert.equal(registry.warnings[0].messageId, 'REGISTRY_UNREADABLE');
    assert.match(
      registry.warnings[0].message,
      /could not be read; it was kept as .*subscribers\.json\.corrupt-/,
    );
    await registry.close();
  });
});
