/**
 * The federation nodes in a running flow, against the real two-domain Prosody
 * test bed: publish on sen1.test, subscribe from sen2.test, across s2s with TLS.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { senml } from '../../lib';
import {
  createNodeIq,
  itemsIq,
  parseItemsResult,
  publishIq,
  setAffiliationsIq,
  stableItemId,
} from '../../lib/federation/pubsub';
import { XmppSession } from '../../lib/federation/session';
import { account } from '../support/federation';
import {
  type Msg,
  accountNode,
  catchNode,
  collect,
  helper,
  inTab,
  publishNode,
  statuses,
  subscribeNode,
  federationFlows,
  until,
} from './helper';

const SERVICE = 'pubsub.sen1.test';
const reading = (i: number): senml.ResolvedPack => [
  {
    n: 'urn:dev:mac:0024befffe804ff1:temperature',
    u: 'Cel',
    v: 18 + i / 100,
    t: 1_700_000_000 + i,
  },
];

describe('federation nodes in a flow (real federation)', function () {
  this.timeout(90_000);
  let admin: XmppSession;

  const accountConfig = (id: string, jid: string): object => {
    const { host, port, caFile } = account(flows.bed, jid);
    return { id, type: 'xmpp-account', jid, host, port: String(port), caFile, resource: '' };
  };
  const credentials = (entries: Record<string, string>): object =>
    Object.fromEntries(
      Object.entries(entries).map(([id, jid]) => [id, { password: flows.bed.users[jid].password }]),
    );

  /** A whitelisted node on sen1 that bob@sen2.test may follow, as the consent step will arrange. */
  async function openNode(name: string): Promise<void> {
    await admin.iq(
      createNodeIq(SERVICE, name, {
        accessModel: 'whitelist',
        persistItems: true,
        maxItems: 'max',
      }),
    );
    await admin.iq(
      setAffiliationsIq(SERVICE, name, [{ jid: 'bob@sen2.test', affiliation: 'member' }]),
    );
  }

  const flow = (node: string, extra: object[] = []): object[] =>
    inTab([
      accountConfig('sen1-account', 'admin@sen1.test'),
      accountConfig('sen2-account', 'bob@sen2.test'),
      {
        id: 'publish',
        type: 'federation-publish',
        account: 'sen1-account',
        mode: 'pubsub',
        service: SERVICE,
        node,
        createNode: true,
        to: '',
        queueSize: '1000',
        wires: [],
      },
      {
        id: 'subscribe',
        type: 'federation-subscribe',
        account: 'sen2-account',
        service: SERVICE,
        node,
        quoalise: true,
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
      { id: 'catch1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
      ...extra,
    ]);
  const creds = (): object =>
    credentials({ 'sen1-account': 'admin@sen1.test', 'sen2-account': 'bob@sen2.test' });
  const nodes = [accountNode, publishNode, subscribeNode, catchNode];

  async function subscribed(): Promise<void> {
    const shown = statuses('subscribe');
    await until('the subscription', () =>
      shown.some((s) => s.text === 'federation-subscribe.status.subscribed'),
    );
  }

  const flows = federationFlows({
    before: async (bed) => {
      admin = new XmppSession(account(bed, 'admin@sen1.test'));
      admin.start();
      await admin.waitOnline();
    },
    after: async () => {
      await admin?.stop();
    },
  });

  /** Publish reading(1) on a new node of sen1 and wait until it comes out on sen2. */
  async function oneItemAcross(name: string): Promise<Msg[]> {
    await openNode(name);
    await helper.load(nodes, flow(name), creds());
    const out = collect('out');
    await subscribed();
    helper.getNode('publish').receive({ payload: reading(1) });
    await until('the item on sen2', () => out.length === 1);
    return out;
  }

  it('a pack published on sen1 comes out of the subscribe node on sen2 with topic, sender and item id', async () => {
    const out = await oneItemAcross('flow-1');
    assert.deepEqual(out[0].payload, reading(1));
    assert.equal(out[0].topic, 'flow-1');
    assert.equal(out[0].service, SERVICE);
    assert.match(out[0].itemId, /^[A-Za-z0-9_-]{22}$/);
  });

  it("the queue and the seen ids the nodes keep on disk can be read by Node-RED's own user alone (files 0600, folders 0700)", async () => {
    await oneItemAcross('flow-modes');
    await new Promise((r) => setTimeout(r, 200)); // the seen ids are written within 50 ms
    const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
    const senfed = join(flows.userDir, 'senfed');
    for (const folder of [
      join(senfed, 'queues', 'publish'),
      join(senfed, 'subscriptions', 'subscribe'),
    ]) {
      assert.equal(mode(folder), '700', folder);
      const files = readdirSync(folder);
      assert.ok(files.length > 0, `nothing in ${folder}`);
      for (const file of files) assert.equal(mode(join(folder, file)), '600', join(folder, file));
    }
    for (const folder of [senfed, join(senfed, 'queues'), join(senfed, 'subscriptions')])
      assert.equal(mode(folder), '700', folder);
  });

  it('a node the publish node creates keeps the newest packs, as many as Keep says', async () => {
    await helper.load(
      [accountNode, publishNode],
      inTab([
        accountConfig('sen1-account', 'admin@sen1.test'),
        {
          id: 'keeper',
          type: 'federation-publish',
          account: 'sen1-account',
          mode: 'pubsub',
          service: SERVICE,
          node: 'flow-keep',
          createNode: true,
          maxItems: '5',
          to: '',
          queueSize: '1000',
          wires: [],
        },
      ]),
      credentials({ 'sen1-account': 'admin@sen1.test' }),
    );
    for (let i = 1; i <= 8; i++) helper.getNode('keeper').receive({ payload: reading(i) });
    const storedValues = async (): Promise<number[]> =>
      parseItemsResult(
        await admin.iq(itemsIq(SERVICE, 'flow-keep')).catch(() => undefined),
      )?.items.map((item) => senml.decode(item.payload!)[0]!.v!) ?? [];
    let stored: number[] = [];
    for (const end = Date.now() + 30_000; stored.at(-1) !== 18.08 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      stored = await storedValues();
    }
    assert.deepEqual(stored, [18.04, 18.05, 18.06, 18.07, 18.08]);
  });

  it('bad input to publish reaches the Catch node with the record named; nothing is queued', async () => {
    await openNode('flow-2');
    await helper.load(nodes, flow('flow-2'), creds());
    const errors = collect('errors');
    helper.getNode('publish').receive({ payload: [{ n: 'x', v: 'warm' }] });
    await until('the error', () => errors.length === 1);
    assert.match(errors[0].error.message, /record 0, field "v"/);
  });

  it('a flow redeployed mid-stream loses and repeats nothing', async () => {
    await openNode('flow-3');
    await helper.load(nodes, flow('flow-3'), creds());
    let out = collect('out');
    const received: number[] = [];
    const keep = (): void => void out.splice(0).forEach((m) => received.push(m.payload[0].v));
    await subscribed();
    for (let i = 1; i <= 5; i++) helper.getNode('publish').receive({ payload: reading(i) });
    await until('first items', () => out.length >= 2);
    keep();
    // Redeploy: the same flow again, with the same node ids (Node-RED keeps ids across deploys).
    await helper.unload();
    helper.settings({ userDir: flows.userDir });
    await helper.load(nodes, flow('flow-3'), creds());
    out = collect('out');
    for (let i = 6; i <= 10; i++) helper.getNode('publish').receive({ payload: reading(i) });
    await until('all ten', () => received.length + out.length >= 10);
    await new Promise((r) => setTimeout(r, 1000));
    keep();
    assert.deepEqual(
      received,
      Array.from({ length: 10 }, (_, k) => 18 + (k + 1) / 100),
    );
  });

  it('back after an outage longer than the node keeps: the kept items come out, and the second output says since when items may be missing', async () => {
    const gapFlow = (): object[] =>
      flow('flow-gap', [{ id: 'gaps', type: 'helper' }]).map((n) =>
        (n as { id: string }).id === 'subscribe' ? { ...n, wires: [['out'], ['gaps']] } : n,
      );
    // A node that keeps five items, which bob may read.
    await admin.iq(
      createNodeIq(SERVICE, 'flow-gap', {
        accessModel: 'whitelist',
        persistItems: true,
        maxItems: 5,
      }),
    );
    await admin.iq(
      setAffiliationsIq(SERVICE, 'flow-gap', [{ jid: 'bob@sen2.test', affiliation: 'member' }]),
    );
    await helper.load(nodes, gapFlow(), creds());
    let out = collect('out');
    await subscribed();
    for (let i = 1; i <= 2; i++) helper.getNode('publish').receive({ payload: reading(i) });
    await until('the first two', () => out.length >= 2);
    // The subscribing side goes away while twelve packs are published: the node keeps five.
    await helper.unload();
    for (let i = 3; i <= 14; i++)
      await admin.iq(
        publishIq(
          SERVICE,
          'flow-gap',
          stableItemId(reading(i)),
          senml.toXmlElement(senml.compact(reading(i))),
        ),
      );
    helper.settings({ userDir: flows.userDir });
    await helper.load(nodes, gapFlow(), creds());
    out = collect('out');
    const gaps = collect('gaps');
    await until('the five kept items and the gap', () => out.length >= 5 && gaps.length >= 1);
    assert.deepEqual(
      out.map((m) => m.payload[0].v),
      [10, 11, 12, 13, 14].map((i) => 18 + i / 100),
    );
    assert.equal(gaps[0].topic, 'gap');
    assert.deepEqual(
      [gaps[0].payload.lastSeen.time, gaps[0].payload.oldestKept.time, gaps[0].payload.kept],
      [new Date(1_700_000_002_000).toISOString(), new Date(1_700_000_010_000).toISOString(), 5],
    );
    assert.equal(gaps.length, 1);
  });

  /** Both accounts, and a publish node on sen1 sending Quoalise messages to bob@sen2.test. */
  const directToBob = (): object[] => [
    accountConfig('sen1-account', 'admin@sen1.test'),
    accountConfig('sen2-account', 'bob@sen2.test'),
    {
      id: 'pub-direct',
      type: 'federation-publish',
      account: 'sen1-account',
      mode: 'direct',
      service: '',
      node: '',
      createNode: false,
      to: 'bob@sen2.test',
      queueSize: '100',
      wires: [],
    },
  ];

  it('Quoalise direct mode: a message to bob@sen2.test comes out with its meta', async () => {
    await helper.load(
      nodes,
      inTab([
        ...directToBob(),
        {
          id: 'inbox',
          type: 'federation-subscribe',
          account: 'sen2-account',
          service: '',
          node: '',
          quoalise: true,
          quoaliseFrom: 'admin@sen1.test',
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
      ]),
      creds(),
    );
    const out = collect('out');
    await until(
      'bob online',
      () => (helper.getNode('sen2-account') as unknown as { session: XmppSession }).session.online,
    );
    await until(
      'admin online',
      () => (helper.getNode('sen1-account') as unknown as { session: XmppSession }).session.online,
    );
    helper.getNode('pub-direct').receive({
      payload: reading(7),
      meta: { device: { type: 'buoy', identifier: '0024befffe804ff1' } },
    });
    await until('the Quoalise message', () => out.length === 1);
    assert.deepEqual(out[0].payload, reading(7));
    assert.equal(out[0].topic, 'quoalise');
    assert.match(out[0].from, /^admin@sen1\.test/);
    assert.deepEqual(out[0].meta, { device: { type: 'buoy', identifier: '0024befffe804ff1' } });
  });

  it('Quoalise data pushed to the account comes out only from the senders listed; a node saved before the list takes it from anyone, and warns', async () => {
    const inbox = (id: string, extra: object): object => ({
      id,
      type: 'federation-subscribe',
      account: 'sen2-account',
      service: '',
      node: '',
      wires: [[`${id}-out`]],
      ...extra,
    });
    await helper.load(
      nodes,
      inTab([
        ...directToBob(),
        // As the editor creates it now: the option unticked, no senders.
        inbox('fresh', { quoalise: false, quoaliseFrom: '' }),
        // Senders that do not include admin@sen1.test.
        inbox('others', { quoalise: true, quoaliseFrom: 'alice@sen1.test, sen3.test' }),
        // The domain of the sender.
        inbox('domain', { quoalise: true, quoaliseFrom: 'sen1.test' }),
        // Saved before the list existed.
        inbox('legacy', { quoalise: true }),
        { id: 'fresh-out', type: 'helper' },
        { id: 'others-out', type: 'helper' },
        { id: 'domain-out', type: 'helper' },
        { id: 'legacy-out', type: 'helper' },
      ]),
      creds(),
    );
    const outs = Object.fromEntries(
      ['fresh', 'others', 'domain', 'legacy'].map((id) => [id, collect(`${id}-out`)]),
    );
    await until(
      'bob online',
      () => (helper.getNode('sen2-account') as unknown as { session: XmppSession }).session.online,
    );
    await until(
      'admin online',
      () => (helper.getNode('sen1-account') as unknown as { session: XmppSession }).session.online,
    );
    for (let i = 1; i <= 3; i++) helper.getNode('pub-direct').receive({ payload: reading(i) });
    await until(
      'the messages at the accepting nodes',
      () => outs.domain.length === 3 && outs.legacy.length === 3,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      [outs.fresh.length, outs.others.length],
      [0, 0],
      'nothing from a sender not listed',
    );
    const warnings = (id: string): string[] =>
      helper
        .log()
        .args.map(([event]) => event)
        .filter((event) => event.id === id && event.level === helper.log().WARN)
        .map((event) => String(event.msg));
    assert.deepEqual(
      warnings('others'),
      ['federation-subscribe.warn.refused'],
      'one warning for the refused sender, not one per message',
    );
    assert.deepEqual(warnings('legacy'), ['federation-subscribe.warn.anySender']);
    assert.deepEqual(
      warnings('fresh'),
      [],
      'an unticked node says nothing of data it was not asked to take',
    );
    assert.deepEqual(warnings('domain'), []);
  });

  it('meta that cannot become XML is refused at the input, and the queue is not blocked', async () => {
    await helper.load(
      nodes,
      inTab([
        accountConfig('sen1-account', 'admin@sen1.test'),
        {
          id: 'pub-direct',
          type: 'federation-publish',
          account: 'sen1-account',
          mode: 'direct',
          service: '',
          node: '',
          createNode: false,
          to: 'bob@sen2.test',
          queueSize: '100',
          wires: [],
        },
        { id: 'catch1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        { id: 'errors', type: 'helper' },
      ]),
      credentials({ 'sen1-account': 'admin@sen1.test' }),
    );
    const errors = collect('errors');
    helper.getNode('pub-direct').receive({ payload: reading(1), meta: { 'not an XML name': 'x' } });
    await until('the refusal', () => errors.length === 1);
    assert.match(errors[0].error.message, /not an XML name|XML name/);
  });

  it('a wrong password shows on the node status, and nothing crashes', async () => {
    await helper.load(
      [accountNode, publishNode],
      inTab([
        accountConfig('bad-account', 'alice@sen1.test'),
        {
          id: 'publish',
          type: 'federation-publish',
          account: 'bad-account',
          mode: 'pubsub',
          service: SERVICE,
          node: 'x',
          createNode: false,
          to: '',
          queueSize: '10',
          wires: [],
        },
      ]),
      { 'bad-account': { password: 'wrong' } },
    );
    const shown = statuses('publish');
    await until('the error status', () =>
      shown.some((s) => /authentication failed/.test(String(s.text))),
    );
    // A pack given meanwhile is kept in the queue, not lost.
    helper.getNode('publish').receive({ payload: reading(1) });
    await until('queued status', () =>
      shown.some((s) => s.text === 'federation-publish.status.queuedOffline'),
    );
  });

  it('a node deleted from the flow deletes its durable files and says how many queued packs went with them; a redeploy keeps them', async () => {
    const logged = (id: string): string[] =>
      helper
        .log()
        .args.map(([event]) => event)
        .filter(
          (event) =>
            event.id === id &&
            (event.level === helper.log().WARN || event.level === helper.log().INFO),
        )
        .map((event) => String(event.msg));
    const senfed = join(flows.userDir, 'senfed');
    // Delivered: an empty queue and the seen ids, both on disk.
    await oneItemAcross('flow-deleted');
    await new Promise((r) => setTimeout(r, 200));
    const queue = join(senfed, 'queues', 'publish');
    const seen = join(senfed, 'subscriptions', 'subscribe');
    assert.ok(existsSync(join(queue, 'queue.jsonl')) && existsSync(join(seen, 'seen.json')));
    // A redeploy or a restart closes the nodes without removing them: the files stay.
    await helper.unload();
    helper.settings({ userDir: flows.userDir });
    assert.ok(
      existsSync(join(queue, 'queue.jsonl')) && existsSync(join(seen, 'seen.json')),
      'kept across a redeploy',
    );
    await helper.load(nodes, flow('flow-deleted'), creds());
    await subscribed();
    for (const id of ['publish', 'subscribe']) await helper.getNode(id).close(true);
    assert.equal(existsSync(queue), false, 'the queue folder is gone');
    assert.equal(existsSync(seen), false, 'the seen ids folder is gone');
    assert.deepEqual(
      logged('publish').filter((m) => /removed/.test(m)),
      ['federation-publish.log.removed'],
    );
    assert.deepEqual(
      logged('subscribe').filter((m) => /removed/.test(m)),
      ['federation-subscribe.log.removed'],
    );

    // Undelivered packs (a wrong password keeps them queued): the warning says they go too.
    await helper.unload();
    helper.settings({ userDir: flows.userDir });
    await helper.load(
      [accountNode, publishNode],
      inTab([
        accountConfig('bad-account', 'alice@sen1.test'),
        {
          id: 'stuck',
          type: 'federation-publish',
          account: 'bad-account',
          mode: 'pubsub',
          service: SERVICE,
          node: 'x',
          createNode: false,
          to: '',
          queueSize: '10',
          wires: [],
        },
      ]),
      { 'bad-account': { password: 'wrong' } },
    );
    const shown = statuses('stuck');
    for (let i = 1; i <= 3; i++) helper.getNode('stuck').receive({ payload: reading(i) });
    await until('queued', () =>
      shown.some((s) => s.text === 'federation-publish.status.queuedOffline'),
    );
    await helper.getNode('stuck').close(true);
    assert.deepEqual(
      logged('stuck').filter((m) => /removed/.test(m)),
      ['federation-publish.warn.removed'],
    );
    assert.equal(existsSync(join(senfed, 'queues', 'stuck')), false);
  });

  it('subscribing to a whitelisted node it is not a member of: the status says what to do', async () => {
    await admin.iq(
      createNodeIq(SERVICE, 'flow-closed', {
        accessModel: 'whitelist',
        persistItems: true,
        maxItems: 'max',
      }),
    );
    await helper.load(nodes, flow('flow-closed'), creds());
    const shown = statuses('subscribe');
    await until('the refusal on the status', () => shown.some((s) => s.fill === 'red'));
    const refusal = shown.find((s) => s.fill === 'red')!;
    assert.equal(refusal.text, 'federation-subscribe.status.notMember', JSON.stringify(shown));
  });
});
