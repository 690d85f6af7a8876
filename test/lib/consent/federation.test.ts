/**
 * Consent across the real two-domain federation: a household on sen1.test
 * (provider@sen1.test, its consent store and audit log) shares hourly means of
 * its meter with an advisor on sen2.test (consumer@sen2.test) for
 * ServiceProvision; without consent the advisor gets not-authorized; after a
 * withdrawal it receives nothing more, and the PubSub node no longer lists it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backoff } from '../../../lib/backoff';
import { senml } from '../../../lib';
import {
  AUDIT_PROOF_COMMAND,
  askConsistencyOver,
  auditProofCommand,
} from '../../../lib/consent/audit-command';
import { ConsentStore } from '../../../lib/consent/consent-store';
import { ConsentGate } from '../../../lib/consent/gate';
import { ShareVerifier, proverOf } from '../../../lib/consent/share-proof';
import { REQUEST_ACCESS_COMMAND, requestAccessCommand } from '../../../lib/consent/access-command';
import { pubsubUri } from '../../../lib/consent/gate';
import type { ShareAuditEntry } from '../../../lib/consent/model';
import { commandIq } from '../../../lib/federation/adhoc';
import { CommandDesk } from '../../../lib/federation/command-desk';
import { Provider, type ProviderRequest } from '../../../lib/federation/provider';
import {
  type Publication,
  type PublishedEvent,
  Publisher,
  type WithheldEvent,
} from '../../../lib/federation/publisher';
import { ownerSubscriptionsIq, parseSubscriptions } from '../../../lib/federation/pubsub';
import { RequestError, request } from '../../../lib/federation/requester';
import { XmppSession } from '../../../lib/federation/session';
import {
  type AccessAnswer,
  type ReceivedData,
  type ReceivedItem,
  Subscriber,
} from '../../../lib/federation/subscriber';
import { SenderList } from '../../../lib/federation/senders';
import { DurableQueue } from '../../../lib/store/durable-queue';
import { SeenItems } from '../../../lib/store/seen-items';
import { SubscriberRegistry } from '../../../lib/store/subscriber-registry';
import {
  type TestBed,
  account,
  startTestBed,
  stopTestBed,
  waitFor,
} from '../../support/federation';

const SERVICE_PROVISION = 'https://w3id.org/dpv#ServiceProvision';
const HOUSEHOLD = 'urn:dev:mac:0024befffe804ff1';
const POWER = `${HOUSEHOLD}:power`;
const ADVISOR = 'consumer@sen2.test';
const PROVIDER = 'provider@sen1.test/node-red';
const SERVICE = 'pubsub.sen1.test';
/** 2026-12-01T10:00:00Z */
const TEN = Date.UTC(2026, 11, 1, 10) / 1000;

/** A quarter-hourly power series over two hours: 1000, 1100, ... W. */
const raw: senml.ResolvedPack = Array.from({ length: 8 }, (_, k) => ({
  n: POWER,
  u: 'W',
  v: 1000 + 100 * k,
  t: TEN + 900 * k,
}));

const evidence = { method: 'dashboard' as const, by: 'household-42 (button on the wall screen)' };

async function refusal(promise: Promise<unknown>): Promise<RequestError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RequestError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('consent across the real federation: a household on sen1 shares with an advisor on sen2', function () {
  this.timeout(120_000);
  let bed: TestBed;
  let dir: string;
  let household: XmppSession;
  let advisor: XmppSession;
  let store: ConsentStore;
  let gate: ConsentGate;
  const closers: (() => Promise<void> | void)[] = [];

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
    household = new XmppSession(
      { ...account(bed, 'provider@sen1.test'), resource: 'node-red' },
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    advisor = new XmppSession(account(bed, ADVISOR), new Backoff({ initialMs: 200, maxMs: 2000 }));
    household.start();
    advisor.start();
    await Promise.all([household.waitOnline(), advisor.waitOnline()]);
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-consent-fed-'));
    store = await ConsentStore.open(join(dir, 'consents'));
    gate = new ConsentGate({ store, purpose: SERVICE_PROVISION, prover: () => household.jid });
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    gate.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([household?.stop(), advisor?.stop()]);
    await stopTestBed();
  });

  async function provide(): Promise<Provider> {
    const registry = await SubscriberRegistry.open(join(dir, 'subscribers.json'));
    const provider = new Provider(household, {
      registry,
      handleSubscriptions: false,
      gate: gate.providerGate(),
      commands: { [AUDIT_PROOF_COMMAND]: auditProofCommand(store.audit) },
    });
    provider.on('request', (req: ProviderRequest) => void req.reply(raw));
    closers.push(async () => {
      await provider.close();
      await registry.close();
    });
    return provider;
  }

  const history = () =>
    request(advisor, PROVIDER, 'get_history', {
      identifier: HOUSEHOLD,
      start: new Date(TEN * 1000),
      end: new Date((TEN + 7200) * 1000),
    });

  it('without consent: not-authorized, and the request waits for the household as a requested event', async () => {
    await provide();
    const err = await refusal(history());
    assert.equal(err.condition, 'not-authorized');
    const pending = store.pending();
    assert.equal(pending.length, 1);
    assert.equal(pending[0].recipient, ADVISOR);
    assert.equal(pending[0].purpose, SERVICE_PROVISION);
    assert.equal(pending[0].events.at(-1)?.type, 'requested');
    assert.equal(pending[0].events.at(-1)?.evidence?.by, advisor.jid);
    // Asking again does not pile up requests.
    await refusal(history());
    assert.equal(store.pending()[0].events.length, 1);
  });

  it('with an hourly consent: hourly means only, with an audit proof that holds at the advisor', async () => {
    await provide();
    await store.grant({
      subject: 'household-42',
      recipient: ADVISOR,
      purpose: SERVICE_PROVISION,
      scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' },
      retention: 'P30D',
      evidence,
    });
    const reply = await history();
    // Means of 1000..1300 and of 1400..1700, at the start of each hour.
    assert.deepEqual(
      reply.records.map((r) => [r.n, r.t, r.v, r.u]),
      [
        [POWER, TEN, 1150, 'W'],
        [POWER, TEN + 3600, 1550, 'W'],
      ],
    );
    assert.equal(reply.meta.purpose, SERVICE_PROVISION);
    assert.equal(reply.meta.retention, 'P30D');
    const verifier = new ShareVerifier(advisor.jid!, askConsistencyOver(advisor));
    assert.deepEqual(await verifier.check(reply.records, reply.meta, PROVIDER), []);
    // A second answer: a larger head, whose consistency with the first is asked and holds.
    const again = await history();
    assert.deepEqual(await verifier.check(again.records, again.meta, PROVIDER), []);
    // What was received, altered, no longer matches what the log says was sent.
    const altered = again.records.map((r) => ({ ...r, v: r.v! + 1 }));
    const problems = await verifier.check(altered, again.meta, PROVIDER);
    assert.deepEqual(
      problems.map((p) => p.messageId),
      ['SHARE_PROOF_DIGEST'],
    );
  });

  it('direct pushes go minimised under consent; after the withdrawal nothing more reaches sen2', async () => {
    const granted = await store.grant({
      subject: 'household-42',
      recipient: ADVISOR,
      purpose: SERVICE_PROVISION,
      scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' },
      retention: 'P7D',
      evidence,
    });
    const queue = await DurableQueue.open<Publication>(join(dir, 'queue'), { maxEntries: 100 });
    const publisher = new Publisher(household, queue, {
      release: gate.publisherRelease(household),
    });
    closers.push(() => publisher.close());
    const sub = new Subscriber(advisor, '', '', new SeenItems(join(dir, 'seen.json')), {
      quoaliseFrom: SenderList.parse('sen1.test'),
    });
    closers.push(() => sub.close());
    const received: ReceivedData[] = [];
    sub.on('data', (data: ReceivedData) => received.push(data));

    await publisher.publish(raw, { mode: 'direct', to: ADVISOR });
    await waitFor<ReceivedData>('the first push', 15_000, (done) => sub.once('data', done));
    assert.deepEqual(
      senml.resolve(received[0].records).map((r) => r.v),
      [1150, 1550],
    );
    const verifier = new ShareVerifier(advisor.jid!);
    assert.deepEqual(
      await verifier.check(senml.resolve(received[0].records), received[0].meta, PROVIDER),
      [],
    );

    await store.withdraw(granted.id, evidence);
    const withheld = waitFor<WithheldEvent>('withheld', 15_000, (done) =>
      publisher.once('withheld', done),
    );
    await publisher.publish(
      raw.map((r) => ({ ...r, t: r.t + 7200 })),
      {
        mode: 'direct',
        to: ADVISOR,
      },
    );
    await withheld;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(received.length, 1, 'nothing after the withdrawal');
  });

  /** The household's PubSub publisher: its domain's admin may create nodes; it answers audit_proof and request_access. */
  async function pubsubPublisher(): Promise<{
    owner: XmppSession;
    publisher: Publisher;
    pubGate: ConsentGate;
  }> {
    const owner = new XmppSession(
      { ...account(bed, 'admin@sen1.test'), resource: 'node-red' },
      new Backoff({ initialMs: 200, maxMs: 2000 }),
    );
    owner.start();
    closers.push(() => owner.stop());
    await owner.waitOnline();
    const pubGate = new ConsentGate({ store, purpose: SERVICE_PROVISION, prover: () => owner.jid });
    closers.push(() => pubGate.close());
    const desk = CommandDesk.of(owner);
    const access = requestAccessCommand(pubGate);
    closers.push(desk.add(AUDIT_PROOF_COMMAND, auditProofCommand(store.audit)));
    closers.push(desk.add(REQUEST_ACCESS_COMMAND, access.command));
    closers.push(access.remove);
    const queue = await DurableQueue.open<Publication>(join(dir, 'queue'), { maxEntries: 100 });
    const publisher = new Publisher(owner, queue, { release: pubGate.publisherRelease(owner) });
    closers.push(() => publisher.close());
    return { owner, publisher, pubGate };
  }

  async function itemCount(items: readonly unknown[], count: number, what: string): Promise<void> {
    const until = Date.now() + 15_000;
    while (items.length < count) {
      if (Date.now() > until) assert.fail(`${what}: ${items.length} of ${count} items`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('PubSub: a raw consent makes the advisor a member; each item carries a proof it checks; its withdrawal removes the subscription before the next item', async () => {
    const node = `${HOUSEHOLD}-${Date.now()}`;
    const granted = await store.grant({
      subject: 'household-42',
      recipient: ADVISOR,
      purpose: SERVICE_PROVISION,
      scope: { names: [node], granularity: 'raw' },
      retention: 'P1D',
      evidence,
    });
    const { owner, publisher, pubGate } = await pubsubPublisher();
    const target = { mode: 'pubsub' as const, service: SERVICE, node, createNode: true };
    const first = waitFor<PublishedEvent>('first item', 15_000, (done) =>
      publisher.once('published', done),
    );
    await publisher.publish(raw.slice(0, 1), target);
    await first;

    const sub = new Subscriber(advisor, SERVICE, node, new SeenItems(join(dir, 'seen.json')));
    closers.push(() => sub.close());
    const items: ReceivedItem[] = [];
    sub.on('item', (item: ReceivedItem) => items.push(item));
    await waitFor('subscribed', 15_000, (done) => sub.once('subscribed', done));

    // Two items: the second's larger head is checked against the first with audit_proof,
    // answered by the publisher's account, which runs no provider.
    await publisher.publish(raw.slice(1, 2), target);
    await publisher.publish(raw.slice(2, 3), target);
    await itemCount(items, 2, 'live items');
    const verifier = new ShareVerifier(advisor.jid!, askConsistencyOver(advisor));
    for (const item of items) {
      assert.ok(item.meta, 'the item carries its meta');
      assert.equal(item.meta.purpose, SERVICE_PROVISION);
      assert.equal(item.meta.retention, 'P1D');
      assert.equal(proverOf(item.meta), 'admin@sen1.test');
      const pack = senml.resolve(item.records);
      assert.deepEqual(await verifier.check(pack, item.meta, proverOf(item.meta)!), []);
      const entry = JSON.parse(String((item.meta.audit as Record<string, unknown>).entry));
      assert.equal(entry.recipient, pubsubUri(SERVICE, node));
      assert.deepEqual(entry.members, [ADVISOR]);
      assert.deepEqual(entry.consents, [granted.id]);
    }
    // What arrived changed on the way is caught.
    const forged = senml.resolve(items[1].records).map((r) => ({ ...r, v: (r.v ?? 0) + 1 }));
    const problems = await verifier.check(forged, items[1].meta, 'admin@sen1.test');
    assert.deepEqual(
      problems.map((p) => p.messageId),
      ['SHARE_PROOF_DIGEST'],
    );

    const changed = waitFor('membership', 15_000, (done) => pubGate.once('membership', done));
    await store.withdraw(granted.id, evidence);
    await changed;
    const subscriptions = parseSubscriptions(await owner.iq(ownerSubscriptionsIq(SERVICE, node)));
    assert.deepEqual(
      (subscriptions ?? []).filter((s) => s.state !== 'none').map((s) => s.jid),
      [],
      'the server no longer lists the advisor',
    );
    const seen = items.length;
    const third = waitFor<PublishedEvent>('item after withdrawal', 15_000, (done) =>
      publisher.once('published', done),
    );
    await publisher.publish(raw.slice(3, 4), target);
    await third;
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(items.length, seen, 'no item after the withdrawal');
    const shares = store.audit.entries().filter((e): e is ShareAuditEntry => e.kind === 'share');
    assert.equal(shares.length, 4, 'one entry per item');
    assert.deepEqual(
      shares.map((e) => e.members),
      [[ADVISOR], [ADVISOR], [ADVISOR], []],
      'the last item went to no member',
    );
  });

  it('PubSub: a subscription the whitelist refuses becomes a request the household accepts; the advisor then gets in', async () => {
    const node = `${HOUSEHOLD}-ask-${Date.now()}`;
    const { owner, publisher } = await pubsubPublisher();
    const target = { mode: 'pubsub' as const, service: SERVICE, node, createNode: true };
    const first = waitFor<PublishedEvent>('first item', 15_000, (done) =>
      publisher.once('published', done),
    );
    await publisher.publish(raw.slice(0, 1), target);
    await first;

    const sub = new Subscriber(advisor, SERVICE, node, new SeenItems(join(dir, 'seen.json')), {
      askAccessOf: owner.jid!,
    });
    sub.retryMs = 300;
    closers.push(() => sub.close());
    const refusals: unknown[] = [];
    sub.on('problem', (err: unknown) => refusals.push(err));
    const answer = await waitFor<AccessAnswer>('access answer', 15_000, (done) =>
      sub.once('access', done),
    );
    assert.equal(answer.status, 'requested');
    assert.equal(answer.purpose, SERVICE_PROVISION);
    assert.ok(refusals.length >= 1, 'the service refused the subscription first');
    const [pending] = store.pending();
    assert.ok(pending, 'the request waits for the household');
    assert.equal(pending.recipient, ADVISOR);
    assert.deepEqual(pending.scope.names, [node]);
    const asked = pending.events.at(-1)!;
    assert.equal(asked.type, 'requested');
    assert.equal(asked.evidence?.method, 'federation-request');
    assert.match(asked.evidence?.by ?? '', /^consumer@sen2\.test\//);
    assert.equal(asked.evidence?.reference, `subscribe ${pubsubUri(SERVICE, node)}`);
    // The request is in the audit log too.
    assert.ok(
      store.audit
        .entries()
        .some(
          (e) => e.kind === 'consent' && e.consent === pending.id && e.event.type === 'requested',
        ),
    );

    const items: ReceivedItem[] = [];
    sub.on('item', (item: ReceivedItem) => items.push(item));
    const subscribed = waitFor('subscribed', 15_000, (done) => sub.once('subscribed', done));
    await store.accept(pending.id, evidence);
    await subscribed;
    await publisher.publish(raw.slice(1, 2), target);
    await itemCount(items, 1, 'the first item after acceptance');
    assert.deepEqual(senml.resolve(items[0].records), raw.slice(1, 2));
  });

  it('request_access for a node not published from here is refused', async () => {
    const { owner } = await pubsubPublisher();
    await assert.rejects(
      advisor.iq(
        commandIq(owner.jid!, REQUEST_ACCESS_COMMAND, { service: SERVICE, node: 'elsewhere' }),
        15_000,
      ),
      /bad-request - request_access: no data of node elsewhere on pubsub\.sen1\.test/,
    );
    assert.deepEqual(store.pending(), []);
  });
});
