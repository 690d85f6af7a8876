/**
 * Publish on sen1.test, subscribe from sen2.test, through s2s with TLS, on the
 * real Prosody federation; then the hard parts: a subscriber that was away, a
 * server restarted mid-stream, a publisher restarted with packs still queued.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backoff } from '../../../lib/backoff';
import { DurableQueue } from '../../../lib/store/durable-queue';
import {
  type Publication,
  type PublishedEvent,
  Publisher,
  type PublisherOptions,
  type PublishTarget,
} from '../../../lib/federation/publisher';
import { Element } from 'ltx';
import { dataForm } from '../../../lib/federation/data-form';
import {
  NODE_CONFIG_FORM_TYPE,
  PUBSUB_NS,
  itemsIq,
  parseItemsResult,
  setAffiliationsIq,
} from '../../../lib/federation/pubsub';
import { SeenItems } from '../../../lib/store/seen-items';
import { SenderList } from '../../../lib/federation/senders';
import { XmppSession } from '../../../lib/federation/session';
import {
  type CatchUpGap,
  type ReceivedData,
  type ReceivedItem,
  Subscriber,
  type SubscriberOptions,
} from '../../../lib/federation/subscriber';
import { type CappedEvent, DEFAULT_MAX_ITEMS } from '../../../lib/federation/publisher';
import { senml } from '../../../lib';
import {
  type TestBed,
  account,
  federation,
  startTestBed,
  stopTestBed,
  waitFor,
} from '../../support/federation';

const SERVICE = 'pubsub.sen1.test';

function pack(i: number): senml.ResolvedPack {
  return [
    {
      n: 'urn:dev:mac:0024befffe804ff1:temperature',
      u: 'Cel',
      v: 18 + i / 100,
      t: 1_700_000_000 + i,
    },
  ];
}

const BUOY_FIELDS = [
  'temperature',
  'water-temperature',
  'humidity',
  'wave-height',
  'battery',
  'pressure',
  'salinity',
  'turbidity',
  'oxygen',
  'wind-speed',
  'wind-direction',
  'rain',
  'current',
  'chlorophyll',
  'ph',
];

/** A gateway's pack: fifteen readings of as many sensors, about 1.2 kB of SenML XML. Its first value is 18 + i/100. */
function bigPack(i: number): senml.ResolvedPack {
  return BUOY_FIELDS.map((field, k) => ({
    n: `urn:dev:mac:0024befffe80${4000 + k * 37}:${field}-sensor-${(k * 7919) % 1000}`,
    u: 'Cel',
    v:
      k === 0
        ? 18 + i / 100
        : Math.round((18 + i / 100 + k * 1.37 + Math.sin(i + k)) * 1000) / 1000,
    t: 1_700_000_000 + i + k / 10,
  }));
}

describe('publish on sen1, subscribe from sen2 (real federation)', function () {
  this.timeout(90_000);
  let bed: TestBed;
  let dir: string;
  const closers: (() => Promise<void> | void)[] = [];
  const session = (jid: string): XmppSession => {
    const s = new XmppSession(account(bed, jid), new Backoff({ initialMs: 200, maxMs: 2000 }));
    closers.push(() => s.stop());
    s.start();
    return s;
  };
  const publisher = async (
    s: XmppSession,
    name: string,
    options?: PublisherOptions,
  ): Promise<Publisher> => {
    const p = new Publisher(
      s,
      await DurableQueue.open<Publication>(join(dir, 'queues', name), { maxEntries: 1000 }),
      options,
    );
    closers.push(() => p.close());
    return p;
  };
  const subscriber = (
    s: XmppSession,
    node: string,
    seenFile: string,
    options?: SubscriberOptions,
  ): { sub: Subscriber; received: ReceivedItem[] } => {
    const sub = new Subscriber(s, SERVICE, node, new SeenItems(join(dir, seenFile)), options);
    const received: ReceivedItem[] = [];
    sub.on('item', (item: ReceivedItem) => received.push(item));
    closers.push(() => sub.close());
    return { sub, received };
  };
  const until = async (what: string, check: () => boolean, ms = 20_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const values = (items: ReceivedItem[]): number[] =>
    items.map((item) => senml.resolve(item.records)[0].v!);

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-pubsub-'));
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  after(async function () {
    this.timeout(30_000);
    await stopTestBed();
  });

  /** Create the node by publishing a first pack, and let bob@sen2.test in (the node is whitelisted). */
  async function openNode(
    admin: XmppSession,
    pub: Publisher,
    target: PublishTarget & { mode: 'pubsub' },
  ): Promise<void> {
    const published = waitFor<PublishedEvent>('first publication', 15_000, (done) =>
      pub.once('published', done),
    );
    await pub.publish(pack(0), target);
    await published;
    await admin.iq(
      setAffiliationsIq(SERVICE, target.node, [{ jid: 'bob@sen2.test', affiliation: 'member' }]),
    );
  }

  it('creates a whitelisted node, and each pack published on sen1 reaches the subscriber on sen2 once, in order', async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const pub = await publisher(admin, 'p1');
    const target = { mode: 'pubsub' as const, service: SERVICE, node: 'buoy-1', createNode: true };
    await openNode(admin, pub, target);
    const { sub, received } = subscriber(bob, 'buoy-1', 'seen-1.json');
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    for (let i = 1; i <= 20; i++) await pub.publish(pack(i), target);
    await until('20 items on sen2', () => received.length >= 20);
    assert.deepEqual(
      values(received),
      Array.from({ length: 20 }, (_, k) => 18 + (k + 1) / 100),
      'the first pack was history; the others in order',
    );
    assert.equal(new Set(received.map((r) => r.itemId)).size, 20);
    assert.ok(received.every((r) => r.service === SERVICE && r.node === 'buoy-1'));
  });

  it('a subscriber that was away outputs exactly what was published meanwhile, in order', async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'p2');
    const target = { mode: 'pubsub' as const, service: SERVICE, node: 'buoy-2', createNode: true };
    await openNode(admin, pub, target);
    const firstBob = session('bob@sen2.test');
    await firstBob.waitOnline();
    const first = subscriber(firstBob, 'buoy-2', 'seen-2.json');
    await waitFor('subscription', 15_000, (done) => first.sub.once('subscribed', done));
    await pub.publish(pack(1), target);
    await until('item 1', () => first.received.length === 1);
    // Node-RED stops: the subscriber and its session go away.
    first.sub.close();
    await firstBob.stop();
    for (let i = 2; i <= 6; i++) await pub.publish(pack(i), target);
    await until('queue drained', () => pub.pending === 0);
    // Node-RED starts again with the same state file.
    const bob = session('bob@sen2.test');
    const second = subscriber(bob, 'buoy-2', 'seen-2.json');
    await until('items 2-6', () => second.received.length >= 5);
    await new Promise((r) => setTimeout(r, 500)); // any duplicate would arrive now
    assert.deepEqual(values(second.received), [18.02, 18.03, 18.04, 18.05, 18.06]);
  });

  it('Prosody on sen1 restarted mid-stream: nothing lost, nothing duplicated, in order', async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const pub = await publisher(admin, 'p3');
    const target = { mode: 'pubsub' as const, service: SERVICE, node: 'buoy-3', createNode: true };
    await openNode(admin, pub, target);
    const { sub, received } = subscriber(bob, 'buoy-3', 'seen-3.json');
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    for (let i = 1; i <= 5; i++) await pub.publish(pack(i), target);
    const restart = federation('restart', 'sen1');
    // Packs that arrive while the server is down wait in the durable queue.
    for (let i = 6; i <= 15; i++) {
      await pub.publish(pack(i), target);
      await new Promise((r) => setTimeout(r, 100));
    }
    await restart;
    await until('15 items on sen2', () => received.length >= 15, 45_000).catch((err: Error) => {
      throw new Error(
        `${err.message}; received ${values(received).join(' ')}; still queued ${pub.pending}`,
      );
    });
    await new Promise((r) => setTimeout(r, 500));
    const expected = Array.from({ length: 15 }, (_, k) => 18 + (k + 1) / 100);
    if (JSON.stringify(values(received)) !== JSON.stringify(expected)) {
      // Where did the order change: on the node (the publisher), or on the way to sen2?
      const stored = parseItemsResult(await admin.iq(itemsIq(SERVICE, 'buoy-3')))!.items.map(
        (item) => senml.decode(item.payload!)[0].v,
      );
      assert.fail(`received ${values(received).join(' ')}; stored on the node ${stored.join(' ')}`);
    }
  });

  it("Prosody on sen1 restarted under a steady stream: events delivered out of order or lost around the restart come out in the node's order, each once", async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const pub = await publisher(admin, 'steady');
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-steady',
      createNode: true,
    };
    await openNode(admin, pub, target);
    const { sub, received } = subscriber(bob, 'buoy-steady', 'seen-steady.json');
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    // 200 packs a second, the server killed after the 150th: across the new server-to-server link,
    // Prosody 0.12 delivered tens of events ahead of older ones, and lost those in flight.
    let restart: Promise<string> | undefined;
    for (let i = 1; i <= 450; i++) {
      await pub.publish(pack(i), target);
      if (i === 150) restart = federation('restart', 'sen1');
      await new Promise((r) => setTimeout(r, 5));
    }
    await restart;
    await until('450 items on sen2', () => received.length >= 450, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; received ${received.length}, still queued ${pub.pending}`);
    });
    await new Promise((r) => setTimeout(r, 1500)); // late events of the old link would arrive now
    const expected = Array.from({ length: 450 }, (_, k) => 18 + (k + 1) / 100);
    assert.deepEqual(
      values(received),
      expected,
      `received out of order or twice: ${values(received)
        .filter((v, k, all) => k > 0 && v <= all[k - 1])
        .join(' ')}`,
    );
    assert.deepEqual(
      (await storedValues(admin, 'buoy-steady')).slice(-450),
      expected,
      'the node holds them in that order',
    );
  });

  it('catching up on more items than one stanza may carry between servers: 500 packs of 1.2 kB, fetched in parts, each once, in order', async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'large');
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-large',
      createNode: true,
      maxItems: 1000,
    };
    const first = waitFor<PublishedEvent>('first publication', 15_000, (done) =>
      pub.once('published', done),
    );
    await pub.publish(bigPack(0), target);
    await first;
    await admin.iq(
      setAffiliationsIq(SERVICE, 'buoy-large', [{ jid: 'bob@sen2.test', affiliation: 'member' }]),
    );
    const firstBob = session('bob@sen2.test');
    await firstBob.waitOnline();
    const away = subscriber(firstBob, 'buoy-large', 'seen-large.json');
    await waitFor('subscription', 15_000, (done) => away.sub.once('subscribed', done));
    away.sub.close();
    await firstBob.stop();
    // 500 × 1.2 kB = 610 kB: more than Prosody takes in one stanza from another server (512 kB:
    // it closes the link, "XML stanza is too big", and the answer never comes).
    for (let i = 1; i <= 500; i++) await pub.publish(bigPack(i), target);
    await until('queue drained', () => pub.pending === 0, 60_000);
    const bob = session('bob@sen2.test');
    const back = subscriber(bob, 'buoy-large', 'seen-large.json');
    const gaps: CatchUpGap[] = [];
    back.sub.on('gap', (gap: CatchUpGap) => gaps.push(gap));
    await until('500 items', () => back.received.length >= 500, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      back.received.map(
        (item) => senml.resolve(item.records).find((r) => r.n.endsWith('temperature-sensor-0'))?.v,
      ),
      Array.from({ length: 500 }, (_, k) => 18 + (k + 1) / 100),
    );
    assert.deepEqual(gaps, [], 'nothing was lost: the node kept them all');
    assert.ok(bob.online, 'the server-to-server link survived the catch-up');
  });

  it("catch-up stops at the node's Keep, and says since when items may be missing", async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'keep');
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-keep',
      createNode: true,
      maxItems: 20,
    };
    await openNode(admin, pub, target);
    const firstBob = session('bob@sen2.test');
    await firstBob.waitOnline();
    const first = subscriber(firstBob, 'buoy-keep', 'seen-keep.json');
    await waitFor('subscription', 15_000, (done) => first.sub.once('subscribed', done));
    for (let i = 1; i <= 5; i++) await pub.publish(pack(i), target);
    await until('items 1-5', () => first.received.length === 5);
    first.sub.close();
    await firstBob.stop();
    // Away while 60 packs were published: the node keeps the newest 20 (46-65).
    for (let i = 6; i <= 65; i++) await pub.publish(pack(i), target);
    await until('queue drained', () => pub.pending === 0);
    const bob = session('bob@sen2.test');
    const back = subscriber(bob, 'buoy-keep', 'seen-keep.json');
    const gaps: CatchUpGap[] = [];
    back.sub.on('gap', (gap: CatchUpGap) => gaps.push(gap));
    await until('the 20 kept items', () => back.received.length >= 20);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      values(back.received),
      Array.from({ length: 20 }, (_, k) => 18 + (k + 46) / 100),
    );
    assert.equal(gaps.length, 1);
    assert.deepEqual(
      {
        ...gaps[0],
        lastSeen: { ...gaps[0].lastSeen, id: undefined },
        oldestKept: { ...gaps[0].oldestKept, id: undefined },
      },
      {
        service: SERVICE,
        node: 'buoy-keep',
        lastSeen: { id: undefined, time: 1_700_000_005 },
        oldestKept: { id: undefined, time: 1_700_000_046 },
        kept: 20,
      },
    );
    assert.equal(
      gaps[0].lastSeen?.id,
      first.received[4].itemId,
      'the last item output before the outage',
    );
    assert.equal(gaps[0].oldestKept?.id, back.received[0].itemId);
  });

  it('packs queued while offline survive a restart of the publisher and go out in order', async () => {
    const queueDir = join(dir, 'queues', 'p4');
    const target = { mode: 'pubsub' as const, service: SERVICE, node: 'buoy-4', createNode: true };
    // Offline: a session that never started.
    const offline = new XmppSession(account(bed, 'admin@sen1.test'));
    const before = new Publisher(
      offline,
      await DurableQueue.open<Publication>(queueDir, { maxEntries: 100 }),
    );
    for (let i = 1; i <= 4; i++) await before.publish(pack(i), target);
    assert.equal(before.pending, 4);
    await before.close();
    // Restart: a new publisher on the same queue, online this time.
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const after = await publisher(admin, 'p4');
    const published: number[] = [];
    after.on('published', (e: PublishedEvent) => published.push(e.publication.pack[0].v!));
    await after.drain();
    assert.deepEqual(published, [18.01, 18.02, 18.03, 18.04]);
    assert.equal(after.pending, 0);
  });

  it('follows a node that keeps no items: live events only, no complaint', async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    // SenFed never creates such nodes itself (createNodeIq insists on persistent items): build it by hand, as another publisher would.
    const configure = dataForm(
      'submit',
      { 'pubsub#persist_items': '0', 'pubsub#access_model': 'open' },
      { formType: NODE_CONFIG_FORM_TYPE },
    );
    await admin.iq(
      new Element('iq', { type: 'set', to: SERVICE })
        .c('pubsub', { xmlns: PUBSUB_NS })
        .c('create', { node: 'transient-1' })
        .up()
        .c('configure')
        .cnode(configure)
        .root(),
    );
    const { sub, received } = subscriber(bob, 'transient-1', 'seen-t.json');
    const problems: Error[] = [];
    sub.on('problem', (err: Error) => problems.push(err));
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    const pub = await publisher(admin, 'pt');
    for (let i = 1; i <= 3; i++)
      await pub.publish(pack(i), { mode: 'pubsub', service: SERVICE, node: 'transient-1' });
    await until('3 live items', () => received.length >= 3);
    assert.deepEqual(values(received), [18.01, 18.02, 18.03]);
    assert.deepEqual(problems, []);
  });

  /** The values of the items stored on a node, oldest first, as its owner sees them. */
  async function storedValues(owner: XmppSession, node: string): Promise<number[]> {
    return parseItemsResult(await owner.iq(itemsIq(SERVICE, node)))!.items.map(
      (item) => senml.decode(item.payload!)[0]!.v!,
    );
  }

  it('a burst of packs (many answers awaited at once) reaches sen2 once each, in order, and is stored in order', async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const pub = await publisher(admin, 'burst');
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-burst',
      createNode: true,
    };
    await openNode(admin, pub, target);
    const { sub, received } = subscriber(bob, 'buoy-burst', 'seen-burst.json');
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    const published: number[] = [];
    pub.on('published', (e: PublishedEvent) => published.push(e.publication.pack[0]!.v!));
    // All pushed before the first answer can come back.
    await Promise.all(Array.from({ length: 200 }, (_, k) => pub.publish(pack(k + 1), target)));
    await until('200 items on sen2', () => received.length >= 200, 40_000);
    await new Promise((r) => setTimeout(r, 300)); // any duplicate would arrive now
    const expected = Array.from({ length: 200 }, (_, k) => 18 + (k + 1) / 100);
    assert.deepEqual(values(received), expected);
    assert.deepEqual(published, expected, "'published' comes once per pack, in queue order");
    assert.deepEqual((await storedValues(admin, 'buoy-burst')).slice(-200), expected);
  });

  it('packs queued for a node that does not exist yet: the node is created once, with the bound asked for, and every pack is stored in order', async () => {
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-fresh',
      createNode: true,
      maxItems: 20,
    };
    const offline = new XmppSession(account(bed, 'admin@sen1.test'));
    const queued = new Publisher(
      offline,
      await DurableQueue.open<Publication>(join(dir, 'queues', 'fresh'), { maxEntries: 100 }),
    );
    for (let i = 1; i <= 30; i++) await queued.publish(pack(i), target);
    await queued.close();
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'fresh'); // the first 16 go out at once and all meet item-not-found
    const failed: Error[] = [];
    pub.on('failed', ({ error }: { error: Error }) => failed.push(error));
    await pub.drain();
    assert.equal(pub.pending, 0);
    assert.deepEqual(failed, []);
    // The node keeps the newest 20 (max_items 20), in the order they were queued.
    assert.deepEqual(
      await storedValues(admin, 'buoy-fresh'),
      Array.from({ length: 20 }, (_, k) => 18 + (k + 11) / 100),
    );
  });

  it(`nodes it creates keep ${DEFAULT_MAX_ITEMS} items by default, more than Prosody's own default of 256`, async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'default-keep');
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-default-keep',
      createNode: true,
    };
    await Promise.all(Array.from({ length: 300 }, (_, k) => pub.publish(pack(k), target)));
    await until('queue drained', () => pub.pending === 0, 40_000);
    assert.equal((await storedValues(admin, 'buoy-default-keep')).length, 300);
  });

  it("a bound above the service's own (Prosody: bad-request, max_items out of bounds): the node is created with the service's largest", async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const pub = await publisher(admin, 'big');
    const failed: Error[] = [];
    pub.on('failed', ({ error }: { error: Error }) => failed.push(error));
    const capped: CappedEvent[] = [];
    pub.on('capped', (event: CappedEvent) => capped.push(event));
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: 'buoy-big',
      createNode: true,
      maxItems: 50_000_000,
    };
    for (let i = 1; i <= 3; i++) await pub.publish(pack(i), target);
    await until('queue drained', () => pub.pending === 0);
    assert.deepEqual(failed, []);
    assert.deepEqual(
      capped,
      [{ service: SERVICE, node: 'buoy-big', asked: 50_000_000 }],
      'the publisher says the node keeps fewer than asked',
    );
    assert.deepEqual(await storedValues(admin, 'buoy-big'), [18.01, 18.02, 18.03]);
  });

  it('a pack held back by a peer that cannot be reached does not make the ones sent behind it arrive twice', async () => {
    const admin = session('admin@sen1.test');
    const bob = session('bob@sen2.test');
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const inbox = new Subscriber(bob, '', '', new SeenItems(join(dir, 'seen-inbox.json')), {
      quoaliseFrom: SenderList.parse('admin@sen1.test'),
    });
    closers.push(() => inbox.close());
    const data: ReceivedData[] = [];
    inbox.on('data', (d: ReceivedData) => data.push(d));
    const pub = await publisher(admin, 'held', { retryMs: 200 });
    const waiting: Error[] = [];
    pub.on('waiting', (err: Error) => waiting.push(err));
    // The oldest entry goes to a domain nobody serves; three direct messages follow it.
    await pub.publish(pack(0), { mode: 'pubsub', service: 'pubsub.nowhere.test', node: 'x' });
    for (let i = 1; i <= 3; i++)
      await pub.publish(pack(i), { mode: 'direct', to: 'bob@sen2.test' });
    await until(
      'several failed attempts at the unreachable peer',
      () => waiting.length >= 3,
      30_000,
    );
    await until('the three messages', () => data.length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      data.map((d) => senml.resolve(d.records)[0]!.v),
      [18.01, 18.02, 18.03],
      'each message once, however often the entry ahead was retried',
    );
    assert.match(waiting[0]!.message, /remote-server-not-found|remote-server-timeout/);
    assert.equal(pub.pending, 4, 'nothing leaves the queue ahead of its turn');
  });

  it('a refusal is reported and dropped instead of blocking the queue', async () => {
    const alice = session('alice@sen1.test'); // not an admin: may not create nodes
    await alice.waitOnline();
    const pub = await publisher(alice, 'p5');
    const failed = waitFor<{ error: Error }>('a failure', 15_000, (done) =>
      pub.once('failed', done),
    );
    await pub.publish(pack(1), {
      mode: 'pubsub',
      service: SERVICE,
      node: 'not-hers',
      createNode: true,
    });
    const { error } = await failed;
    assert.match(error.message, /forbidden/);
    assert.equal(pub.pending, 0);
  });
});
