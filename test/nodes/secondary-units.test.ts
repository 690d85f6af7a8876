/**
 * Energy in Wh across the federation, as the Quoalise reference provider
 * (consometers/sge-tiers-proxy) sends it: a secondary unit (RFC 8798) and no
 * bver. RFC 9100 §4 wants version 26 for it; peers leave it out. In all four
 * directions, against the real two-domain test bed: what arrives without the
 * version is accepted and noted once; what leaves is given bver 26.
 */
import assert from 'node:assert/strict';
import { type Element, parse } from 'ltx';
import { getHistoryIq } from '../../lib/federation/adhoc';
import { Provider, type ProviderRequest } from '../../lib/federation/provider';
import { itemsIq, parseItemsResult } from '../../lib/federation/pubsub';
import { XmppSession } from '../../lib/federation/session';
import { account } from '../support/federation';
import {
  accountNode,
  collect,
  federationFlows,
  helper,
  inTab,
  provideNode,
  publishNode,
  replyNode,
  requestNode,
  subscribeNode,
  until,
} from './helper';

const changeNode = require('@node-red/nodes/core/function/15-change.js');

const METER = 'urn:dev:prm:30001610071843_consumption/energy/index';
const START = '2021-12-01T00:00:00+01:00';
const T0 = Date.parse(START) / 1000;
const SERVICE = 'pubsub.sen1.test';

/** The records of every <senml> element under `element`, as attributes. */
function senmlAttributes(element: Element): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  const walk = (el: Element): void => {
    if (el.getName() === 'senml') found.push(el.attrs as Record<string, string>);
    for (const child of el.getChildElements()) walk(child);
  };
  walk(element);
  return found;
}

/** A pushed message in the reference provider's shape: bn, bt and bu on the first record, Wh, no bver. */
function referenceMessage(to: string, values: number[]): Element {
  const records = values
    .map((v, i) =>
      i === 0
        ? `<senml bn="${METER}" bt="${T0}.0" t="0" bu="Wh" v="${v}.0"/>`
        : `<senml t="${i * 1800}.0" v="${v}.0"/>`,
    )
    .join('');
  return parse(
    `<message xmlns="jabber:client" to="${to}" type="normal"><quoalise xmlns="urn:quoalise:0"><data><meta><device type="electricity-meter"/></meta><sensml xmlns="urn:ietf:params:xml:ns:senml">${records}</sensml></data></quoalise></message>`,
  ) as Element;
}

describe('Wh without bver, as Quoalise peers send it (real federation)', function () {
  this.timeout(90_000);
  let admin: XmppSession;

  const accountConfig = (id: string, jid: string, resource = ''): object => {
    const { host, port, caFile } = account(flows.bed, jid);
    return { id, type: 'xmpp-account', jid, host, port: String(port), caFile, resource };
  };
  const creds = (...entries: [string, string][]): object =>
    Object.fromEntries(
      entries.map(([id, jid]) => [id, { password: flows.bed.users[jid].password }]),
    );
  const warningsOf = (id: string): string[] =>
    helper
      .log()
      .args.map(([event]) => event)
      .filter((event) => event.id === id && event.level === helper.log().WARN)
      .map((event) => String(event.msg));
  const sessionOf = (id: string): XmppSession =>
    (helper.getNode(id) as unknown as { session: XmppSession }).session;

  const flows = federationFlows({
    before: async (bed) => {
      admin = new XmppSession({ ...account(bed, 'admin@sen1.test'), resource: 'proxy' });
      admin.start();
      await admin.waitOnline();
    },
    after: async () => {
      await admin?.stop();
    },
  });

  it('subscribe: pushed Wh without bver comes out as version 26, noted in msg.senmlNotes, warned once', async () => {
    await helper.load(
      [accountNode, subscribeNode],
      inTab([
        accountConfig('bob-account', 'bob@sen2.test'),
        {
          id: 'inbox',
          type: 'federation-subscribe',
          account: 'bob-account',
          service: '',
          node: '',
          quoalise: true,
          quoaliseFrom: 'sen1.test',
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
      ]),
      creds(['bob-account', 'bob@sen2.test']),
    );
    const out = collect('out');
    await until('bob online', () => sessionOf('bob-account').online);
    await admin.send(referenceMessage('bob@sen2.test', [1000, 1250]));
    await admin.send(referenceMessage('bob@sen2.test', [1500]));
    await until('both messages', () => out.length === 2);
    assert.deepEqual(out[0].payload, [
      { n: METER, t: T0, u: 'Wh', v: 1000, bver: 26 },
      { n: METER, t: T0 + 1800, u: 'Wh', v: 1250, bver: 26 },
    ]);
    assert.deepEqual(
      out.map((msg) =>
        msg.senmlNotes.map((note: { code: string; field: string; index: number }) => [
          note.code,
          note.field,
          note.index,
        ]),
      ),
      [
        [['SENML_UNDECLARED_SECONDARY_UNIT', 'bu', 0]],
        [['SENML_UNDECLARED_SECONDARY_UNIT', 'bu', 0]],
      ],
    );
    assert.deepEqual(
      warningsOf('inbox'),
      ['federation-subscribe.warn.senmlNote'],
      'said once, not once per message',
    );
  });

  it('request: a get_history answered in Wh without bver comes out as version 26, noted', async () => {
    const provider = new Provider(admin, { handleSubscriptions: false });
    provider.on('request', (request: ProviderRequest) => {
      // What the reference provider answers: resolved Wh readings, no version.
      void request.reply([
        { n: METER, t: T0, u: 'Wh', v: 1000 },
        { n: METER, t: T0 + 1800, u: 'Wh', v: 1250 },
      ]);
    });
    try {
      await helper.load(
        [accountNode, requestNode],
        inTab([
          accountConfig('consumer-account', 'consumer@sen2.test'),
          {
            id: 'request',
            type: 'federation-request',
            account: 'consumer-account',
            to: 'admin@sen1.test/proxy',
            command: 'get_history',
            identifier: METER,
            wires: [['out']],
          },
          { id: 'out', type: 'helper' },
        ]),
        creds(['consumer-account', 'consumer@sen2.test']),
      );
      const out = collect('out');
      await until('consumer online', () => sessionOf('consumer-account').online);
      // On the wire, as the reference provider sends it: no bver.
      const raw = await sessionOf('consumer-account').iq(
        getHistoryIq('admin@sen1.test/proxy', METER, START, '2021-12-02T00:00:00+01:00'),
      );
      assert.deepEqual(
        senmlAttributes(raw).map((attrs) => [attrs.bu ?? attrs.u, attrs.bver]),
        [
          ['Wh', undefined],
          [undefined, undefined],
        ],
      );
      helper.getNode('request').receive({ start: START, end: '2021-12-02T00:00:00+01:00' });
      await until('the answer', () => out.length === 1);
      assert.deepEqual(out[0].payload, [
        { n: METER, t: T0, u: 'Wh', v: 1000, bver: 26 },
        { n: METER, t: T0 + 1800, u: 'Wh', v: 1250, bver: 26 },
      ]);
      assert.equal(out[0].senmlNotes[0].code, 'SENML_UNDECLARED_SECONDARY_UNIT');
      assert.deepEqual(warningsOf('request'), ['federation-request.warn.senmlNote']);
    } finally {
      await provider.close();
    }
  });

  it('reply: a flow answering in Wh without bver is sent as version 26', async () => {
    await helper.load(
      [accountNode, provideNode, replyNode, changeNode],
      inTab([
        accountConfig('provider-account', 'provider@sen1.test', 'node-red'),
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: false,
          wires: [['build']],
        },
        {
          id: 'build',
          type: 'change',
          rules: [
            {
              t: 'set',
              p: 'payload',
              pt: 'msg',
              to: '[{"n": identifier, "u": "Wh", "v": 1000, "t": $toMillis(start) / 1000}, {"n": identifier, "u": "Wh", "v": 1250, "t": $toMillis(start) / 1000 + 1800}]',
              tot: 'jsonata',
            },
          ],
          wires: [['reply']],
        },
        { id: 'reply', type: 'federation-reply', wires: [] },
      ]),
      creds(['provider-account', 'provider@sen1.test']),
    );
    await until('provider online', () => sessionOf('provider-account').online);
    const raw = await admin.iq(
      getHistoryIq('provider@sen1.test/node-red', METER, START, '2021-12-02T00:00:00+01:00'),
    );
    const records = senmlAttributes(raw);
    assert.equal(records.length, 2, raw.toString());
    assert.equal(records[0].bver, '26', `the pack as sent: ${raw.toString()}`);
    assert.equal(records[0].bu ?? records[0].u, 'Wh');
  });

  it('publish: a pack in Wh without bver is published as version 26, over PubSub and directly', async () => {
    await helper.load(
      [accountNode, publishNode, subscribeNode],
      inTab([
        accountConfig('admin-account', 'admin@sen1.test'),
        accountConfig('bob-account', 'bob@sen2.test'),
        {
          id: 'to-node',
          type: 'federation-publish',
          account: 'admin-account',
          mode: 'pubsub',
          service: SERVICE,
          node: 'energy-wh',
          createNode: true,
          to: '',
          queueSize: '100',
          wires: [],
        },
        {
          id: 'to-bob',
          type: 'federation-publish',
          account: 'admin-account',
          mode: 'direct',
          service: '',
          node: '',
          createNode: false,
          to: 'bob@sen2.test',
          queueSize: '100',
          wires: [],
        },
        {
          id: 'inbox',
          type: 'federation-subscribe',
          account: 'bob-account',
          service: '',
          node: '',
          quoalise: true,
          quoaliseFrom: 'admin@sen1.test',
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
      ]),
      creds(['admin-account', 'admin@sen1.test'], ['bob-account', 'bob@sen2.test']),
    );
    const out = collect('out');
    await until(
      'both online',
      () => sessionOf('admin-account').online && sessionOf('bob-account').online,
    );
    const pack = [{ n: METER, t: T0, u: 'Wh', v: 1000 }];
    helper.getNode('to-node').receive({ payload: pack });
    helper.getNode('to-bob').receive({ payload: pack });
    let stored: Record<string, string>[] = [];
    for (const end = Date.now() + 20_000; stored.length === 0 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 100));
      const items =
        parseItemsResult(await admin.iq(itemsIq(SERVICE, 'energy-wh')).catch(() => undefined))
          ?.items ?? [];
      stored = items.flatMap((item) => (item.payload ? senmlAttributes(item.payload) : []));
    }
    assert.equal(stored[0]?.bver, '26', 'the item on the PubSub node');
    await until('the direct message at bob', () => out.length === 1);
    assert.deepEqual(out[0].payload, [{ ...pack[0], bver: 26 }]);
    assert.equal(out[0].senmlNotes, undefined, 'sent declared: nothing to note at the receiver');
  });
});
