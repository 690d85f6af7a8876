/**
 * PubSub membership kept in step with a wanted set of JIDs, and a publisher's
 * release deciding at send time, on the real Prosody federation: admin@sen1.test
 * owns a whitelisted node on pubsub.sen1.test, bob@sen2.test subscribes from the
 * other domain.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backoff } from '../../../lib/backoff';
import { senml } from '../../../lib';
import { PubsubMembership } from '../../../lib/federation/membership';
import {
  type Publication,
  type PublishedEvent,
  Publisher,
  type PublisherOptions,
  type WithheldEvent,
} from '../../../lib/federation/publisher';
import {
  ownerAffiliationsIq,
  ownerSubscriptionsIq,
  parseAffiliations,
  parseSubscriptions,
  setAffiliationsIq,
} from '../../../lib/federation/pubsub';
import { XmppSession } from '../../../lib/federation/session';
import { type ReceivedItem, Subscriber } from '../../../lib/federation/subscriber';
import { DurableQueue } from '../../../lib/store/durable-queue';
import { SeenItems } from '../../../lib/store/seen-items';
import {
  type TestBed,
  account,
  startTestBed,
  stopTestBed,
  waitFor,
} from '../../support/federation';

const SERVICE = 'pubsub.sen1.test';
const BOB = 'bob@sen2.test';

function pack(i: number): senml.ResolvedPack {
  return [{ n: 'urn:dev:mac:0024befffe804ff1:power', u: 'W', v: 1000 + i, t: 1_700_000_000 + i }];
}

describe('PubSub membership follows consent (real federation)', function () {
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
  const publisher = async (s: XmppSession, options?: PublisherOptions): Promise<Publisher> => {
    const p = new Publisher(
      s,
      await DurableQueue.open<Publication>(join(dir, 'queue'), { maxEntries: 100 }),
      options,
    );
    closers.push(() => p.close());
    return p;
  };
  const until = async (what: string, check: () => boolean, ms = 20_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const subscriptionsOf = async (admin: XmppSession, node: string): Promise<string[]> =>
    (parseSubscriptions(await admin.iq(ownerSubscriptionsIq(SERVICE, node))) ?? [])
      .filter((s) => s.state !== 'none')
      .map((s) => String(s.jid).split('/')[0]);
  const membersOf = async (admin: XmppSession, node: string): Promise<string[]> =>
    (parseAffiliations(await admin.iq(ownerAffiliationsIq(SERVICE, node))) ?? [])
      .filter((a) => a.affiliation === 'member')
      .map((a) => String(a.jid));

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-membership-'));
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });

  after(async function () {
    this.timeout(30_000);
    await stopTestBed();
  });

  it('grants, then revokes before the next pack leaves: the subscription is gone and nothing more reaches sen2', async () => {
    const admin = session('admin@sen1.test');
    const bob = session(BOB);
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const node = `household-${Date.now()}`;
    const membership = new PubsubMembership(admin, SERVICE, node);
    let wanted: string[] = [BOB];
    // As a consent gate does: the members are synced before each item goes.
    const pub = await publisher(admin, {
      release: async (publication) => {
        await membership.sync(wanted);
        return publication;
      },
    });
    const target = { mode: 'pubsub' as const, service: SERVICE, node, createNode: true };
    const first = waitFor<PublishedEvent>('first item', 15_000, (done) =>
      pub.once('published', done),
    );
    await pub.publish(pack(0), target);
    await first;
    assert.deepEqual(await membersOf(admin, node), [BOB], 'granted when the node was created');

    const sub = new Subscriber(bob, SERVICE, node, new SeenItems(join(dir, 'seen.json')));
    const received: ReceivedItem[] = [];
    sub.on('item', (item: ReceivedItem) => received.push(item));
    closers.push(() => sub.close());
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    await pub.publish(pack(1), target);
    await until('pack 1 on sen2', () => received.some((r) => r.records[0].v === 1001));

    wanted = [];
    const change = await membership.sync(wanted);
    assert.deepEqual(change.revoked, [BOB]);
    assert.deepEqual(await subscriptionsOf(admin, node), [], 'no subscription of bob is left');
    assert.deepEqual(await membersOf(admin, node), []);
    const before = received.length;
    for (let i = 2; i <= 4; i++) await pub.publish(pack(i), target);
    await until('packs 2-4 stored', () => pub.pending === 0);
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(received.length, before, 'nothing published after the revocation reached bob');
  });

  it('the affiliation alone does not revoke on Prosody (bob stays subscribed): the sync takes the subscription left behind away too', async () => {
    const admin = session('admin@sen1.test');
    const bob = session(BOB);
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    const node = `household-trap-${Date.now()}`;
    const membership = new PubsubMembership(admin, SERVICE, node);
    const pub = await publisher(admin);
    const target = { mode: 'pubsub' as const, service: SERVICE, node, createNode: true };
    const first = waitFor<PublishedEvent>('first item', 15_000, (done) =>
      pub.once('published', done),
    );
    await pub.publish(pack(0), target);
    await first;
    await membership.sync([BOB]);
    const sub = new Subscriber(bob, SERVICE, node, new SeenItems(join(dir, 'seen.json')));
    closers.push(() => sub.close());
    await waitFor('subscription', 15_000, (done) => sub.once('subscribed', done));
    // Prosody 0.12 answers forbidden for a JID still subscribed, and removes the affiliation all the same.
    await admin
      .iq(setAffiliationsIq(SERVICE, node, [{ jid: BOB, affiliation: 'none' }]))
      .catch(() => undefined);
    assert.deepEqual(await membersOf(admin, node), [], 'the affiliation is gone');
    assert.deepEqual(await subscriptionsOf(admin, node), [BOB], 'the trap is still there');
    const change = await membership.sync([]);
    assert.deepEqual(change.revoked, [BOB], 'the subscription left behind is revoked too');
    assert.deepEqual(await subscriptionsOf(admin, node), []);
  });

  it('a release that holds a publication back: acknowledged unsent, reported as withheld, order kept', async () => {
    const admin = session('admin@sen1.test');
    await admin.waitOnline();
    const sent: number[] = [];
    const pub = await publisher(admin, {
      maxInFlight: 8,
      release: async (publication) => {
        const value = publication.pack[0].v!;
        // Slower for the first ones: the order must not depend on how long a release takes.
        await new Promise((r) => setTimeout(r, value % 2 === 0 ? 40 : 1));
        if ((value - 1000) % 3 === 0) return undefined;
        sent.push(value);
        return publication;
      },
    });
    const withheld: number[] = [];
    pub.on('withheld', (event: WithheldEvent) => withheld.push(event.publication.pack[0].v!));
    const target = {
      mode: 'pubsub' as const,
      service: SERVICE,
      node: `release-${Date.now()}`,
      createNode: true,
    };
    for (let i = 1; i <= 9; i++) await pub.publish(pack(i), target);
    await until('queue drained', () => pub.pending === 0);
    assert.deepEqual(withheld, [1003, 1006, 1009]);
    // A release runs again when a publication is sent again (here: after the node was created).
    assert.deepEqual([...new Set(sent)], [1001, 1002, 1004, 1005, 1007, 1008]);
  });
});
