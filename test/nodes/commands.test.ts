/**
 * federation request, provide and reply in running flows, against the real
 * two-domain Prosody test bed: a flow on sen2.test (consumer) asks a flow on
 * sen1.test (provider@sen1.test/node-red), which builds the answer with a change
 * node; errors reach a Catch node; data published to the subscribers of an
 * identifier reaches the consumer's federation subscribe node.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { XmppSession } from '../../lib/federation/session';
import { account } from '../support/federation';
import {
  accountNode,
  catchNode,
  collect,
  helper,
  inTab,
  provideNode,
  publishNode,
  replyNode,
  requestNode,
  subscribeNode,
  federationFlows,
  until,
} from './helper';

const changeNode = require('@node-red/nodes/core/function/15-change.js');
const switchNode = require('@node-red/nodes/core/function/10-switch.js');

const PROVIDER = 'provider@sen1.test/node-red';
const METER = 'urn:dev:prm:30001610071843_consumption/active_power/raw';
const START = '2021-12-01T00:00:00+01:00';
const T0 = Date.parse(START) / 1000;

describe('federation request, provide and reply in a flow (real federation)', function () {
  this.timeout(90_000);

  const accountConfig = (id: string, jid: string, resource = ''): object => {
    const { host, port, caFile } = account(flows.bed, jid);
    return { id, type: 'xmpp-account', jid, host, port: String(port), caFile, resource };
  };
  const creds = (): object => ({
    'provider-account': { password: flows.bed.users['provider@sen1.test'].password },
    'consumer-account': { password: flows.bed.users['consumer@sen2.test'].password },
    'bob-account': { password: flows.bed.users['bob@sen2.test'].password },
  });
  const accounts = (): object[] => [
    accountConfig('provider-account', 'provider@sen1.test', 'node-red'),
    accountConfig('consumer-account', 'consumer@sen2.test'),
  ];
  const nodes = [
    accountNode,
    requestNode,
    provideNode,
    replyNode,
    publishNode,
    subscribeNode,
    changeNode,
    switchNode,
    catchNode,
  ];

  const sessionOf = (id: string): XmppSession =>
    (helper.getNode(id) as unknown as { session: XmppSession }).session;
  async function online(...ids: string[]): Promise<void> {
    const all = ['provider-account', 'consumer-account', ...ids];
    await until(`${all.join(', ')} online`, () => all.every((id) => sessionOf(id).online));
  }
  /** The consumer's side of a get_history whose failures a Catch node collects. */
  const askingWithCatch = (): object[] => [
    {
      id: 'request',
      type: 'federation-request',
      account: 'consumer-account',
      to: PROVIDER,
      command: 'get_history',
      identifier: METER,
      wires: [['out']],
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];
  const subscribersOf = (identifier: string): string[] =>
    (
      helper.getNode('provide') as unknown as { subscribersOf(identifier: string): string[] }
    ).subscribersOf(identifier);

  const flows = federationFlows();

  it('request → provide → change node → reply: the data comes out of the request node, resolved, with its meta', async () => {
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        {
          id: 'request',
          type: 'federation-request',
          account: 'consumer-account',
          to: PROVIDER,
          command: 'get_history',
          identifier: '',
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: true,
          wires: [['build', 'asked']],
        },
        { id: 'asked', type: 'helper' },
        {
          id: 'build',
          type: 'change',
          rules: [
            {
              t: 'set',
              p: 'payload',
              pt: 'msg',
              to: '[{"n": identifier, "u": "W", "v": 1250, "t": $toMillis(start) / 1000}, {"n": identifier, "u": "W", "v": 1310, "t": $toMillis(start) / 1000 + 1800}]',
              tot: 'jsonata',
            },
            {
              t: 'set',
              p: 'meta',
              pt: 'msg',
              to: '{"device":{"type":"electricity-meter"},"measurement":{"unit":"W"}}',
              tot: 'json',
            },
          ],
          wires: [['reply']],
        },
        { id: 'reply', type: 'federation-reply', wires: [] },
      ]),
      creds(),
    );
    const out = collect('out');
    const asked = collect('asked');
    await online();
    helper.getNode('request').receive({
      identifier: METER,
      start: START,
      end: new Date(Date.UTC(2021, 11, 1, 23)),
      topic: 'kept',
    });
    await until('the answer', () => out.length === 1);
    assert.deepEqual(out[0].payload, [
      { n: METER, u: 'W', v: 1250, t: T0 },
      { n: METER, u: 'W', v: 1310, t: T0 + 1800 },
    ]);
    assert.deepEqual(out[0].meta, {
      device: { type: 'electricity-meter' },
      measurement: { unit: 'W' },
    });
    assert.equal(out[0].topic, 'kept', 'the message that asked comes back with the answer');
    const [req] = asked;
    assert.equal(req.command, 'get_history');
    assert.equal(req.identifier, METER);
    assert.equal(req.topic, METER);
    assert.equal(req.start, START);
    assert.equal(req.end, '2021-12-01T23:00:00.000+00:00');
    assert.match(req.from, /^consumer@sen2\.test\//);
    assert.equal(typeof req._senfedRequest, 'string');
    assert.equal(req.answered, false);
  });

  it('an error answered by the provider flow reaches the Catch node of the requesting flow, with its condition and upstream error', async () => {
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        ...askingWithCatch(),
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: true,
          wires: [['refuse']],
        },
        {
          id: 'refuse',
          type: 'change',
          rules: [
            {
              t: 'set',
              p: 'error',
              pt: 'msg',
              to: '{"condition":"undefined-condition","text":"the meter data hub refused","upstream":{"issuer":"enedis-data-connect","code":"ADAM-ERR0123"}}',
              tot: 'json',
            },
          ],
          wires: [['reply']],
        },
        { id: 'reply', type: 'federation-reply', wires: [] },
      ]),
      creds(),
    );
    const out = collect('out');
    const errors = collect('errors');
    await online();
    helper.getNode('request').receive({ start: START, end: '2021-12-02T00:00:00+01:00' });
    await until('the error', () => errors.length >= 1);
    // The Catch node of the same tab also sees nothing else: only the request node failed.
    assert.equal(errors.length, 1);
    assert.equal(errors[0].error.source.id, 'request');
    assert.equal(errors[0].error.code, 'REQUEST_REFUSED');
    assert.match(
      errors[0].error.message,
      /get_history at provider@sen1\.test\/node-red refused: undefined-condition \(upstream enedis-data-connect: ADAM-ERR0123\): the meter data hub refused/,
    );
    assert.deepEqual(errors[0].xmppError, {
      condition: 'undefined-condition',
      type: 'cancel',
      text: 'the meter data hub refused',
      upstream: { issuer: 'enedis-data-connect', code: 'ADAM-ERR0123' },
    });
    assert.equal(out.length, 0);

    // Bad input to the request node, and a reply with nothing to answer, are caught too.
    helper
      .getNode('request')
      .receive({ start: '2021-12-01T00:00:00', end: '2021-12-02T00:00:00+01:00' });
    helper.getNode('reply').receive({ payload: [] });
    await until('two more errors', () => errors.length >= 3);
    const messages = errors
      .slice(1)
      .map((e) => `${e.error.source.id}: ${e.error.message}`)
      .sort();
    assert.match(
      messages[0],
      /^reply: /,
      'a reply node given a message that asked nothing says so',
    );
    assert.match(
      messages[1],
      /^request: RequestError: start_time "2021-12-01T00:00:00" is not an ISO 8601 time with offset/,
    );
  });

  it('a reply that cannot be sent: the requester is told internal-server-error at once, with why, and the Catch node of the provider gets the failure', async () => {
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        ...askingWithCatch(),
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: false,
          timeout: '30',
          wires: [['build']],
        },
        {
          id: 'build',
          type: 'switch',
          property: 'payload.start',
          propertyType: 'msg',
          rules: [{ t: 'eq', v: START, vt: 'str' }, { t: 'else' }],
          checkall: 'false',
          outputs: 2,
          wires: [['bad-pack'], ['bad-error']],
        },
        // A value that is no SenML value, and an error whose condition XMPP does not know.
        {
          id: 'bad-pack',
          type: 'change',
          rules: [
            {
              t: 'set',
              p: 'payload',
              pt: 'msg',
              to: '[{"n":"x","v":"warm","t":1638313200}]',
              tot: 'json',
            },
          ],
          wires: [['reply']],
        },
        {
          id: 'bad-error',
          type: 'change',
          rules: [
            { t: 'set', p: 'error', pt: 'msg', to: '{"condition":"meter-on-fire"}', tot: 'json' },
          ],
          wires: [['reply']],
        },
        { id: 'reply', type: 'federation-reply', wires: [] },
      ]),
      creds(),
    );
    const errors = collect('errors');
    await online();
    for (const [start, why] of [
      [START, /record 0, field "v"/],
      ['2021-12-02T00:00:00+01:00', /meter-on-fire/],
    ] as const) {
      errors.length = 0;
      const asked = Date.now();
      helper.getNode('request').receive({ start, end: '2021-12-03T00:00:00+01:00' });
      await until('both failures', () => errors.length >= 2, 10_000);
      const took = Date.now() - asked;
      const requester = errors.find((e) => e.error.source.id === 'request')!;
      const provider = errors.find((e) => e.error.source.id === 'reply')!;
      assert.ok(took < 2_000, `the requester waited ${took} ms`);
      assert.equal(requester.xmppError.condition, 'internal-server-error');
      assert.match(requester.xmppError.text, /^the provider could not send its answer: /);
      assert.match(requester.xmppError.text, why);
      assert.match(provider.error.message, why);
    }
  });

  it('publish direct to the subscribers of an identifier: a subscribe from sen2 is recorded, and data reaches its federation subscribe node', async () => {
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        // sen2: ask to be pushed the meter's readings, and receive them.
        {
          id: 'request',
          type: 'federation-request',
          account: 'consumer-account',
          to: PROVIDER,
          command: 'subscribe',
          identifier: '',
          wires: [['out']],
        },
        { id: 'out', type: 'helper' },
        {
          id: 'inbox',
          type: 'federation-subscribe',
          account: 'consumer-account',
          service: '',
          node: '',
          quoalise: true,
          wires: [['received']],
        },
        { id: 'received', type: 'helper' },
        // sen1: record subscribers, push to them.
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: true,
          wires: [['asked', 'reply']],
        },
        { id: 'asked', type: 'helper' },
        { id: 'reply', type: 'federation-reply', wires: [] },
        {
          id: 'push',
          type: 'federation-publish',
          account: 'provider-account',
          mode: 'direct',
          service: '',
          node: '',
          createNode: false,
          to: '',
          queueSize: '100',
          toSubscribersOf: 'provide',
          identifier: '',
          wires: [],
        },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
        { id: 'errors', type: 'helper' },
      ]),
      creds(),
    );
    const out = collect('out');
    const asked = collect('asked');
    const received = collect('received');
    const errors = collect('errors');
    await online();
    helper.getNode('request').receive({ identifier: METER });
    await until('the subscription', () => out.length === 1);
    assert.deepEqual(out[0].payload, []);
    assert.equal(asked[0].command, 'subscribe');
    assert.equal(asked[0].answered, true, 'answered by the provide node itself');
    assert.equal(asked[0]._senfedRequest, undefined);
    const file = join(flows.userDir, 'senfed', 'providers', 'provide', 'subscribers.json');
    assert.ok(existsSync(file), 'the subscription is on disk');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).identifiers[METER], [
      sessionOf('consumer-account').jid,
    ]);
    assert.equal(
      (statSync(file).mode & 0o777).toString(8),
      '600',
      "the subscribers' JIDs are for Node-RED's user alone",
    );
    assert.equal((statSync(join(file, '..')).mode & 0o777).toString(8), '700');

    const reading = [{ n: METER, u: 'W', v: 1420, t: T0 }];
    helper.getNode('push').receive({
      identifier: METER,
      payload: reading,
      meta: { device: { type: 'electricity-meter' } },
    });
    // Nobody subscribed to this one: nothing is sent, and that is no error.
    helper.getNode('push').receive({ identifier: 'urn:dev:prm:0_nobody', payload: reading });
    await until('the pushed reading on sen2', () => received.length === 1);
    assert.deepEqual(received[0].payload, reading);
    assert.equal(received[0].from, PROVIDER);
    assert.deepEqual(received[0].meta, { device: { type: 'electricity-meter' } });

    // Without an identifier, publish says so.
    helper.getNode('push').receive({ payload: reading });
    await until('the error', () => errors.length === 1);
    assert.equal(errors[0].error.source.id, 'push');

    // Unsubscribed: the next reading goes nowhere.
    helper.getNode('request').receive({ identifier: METER, command: 'unsubscribe' });
    await until('the unsubscription', () => out.length === 2);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')).identifiers, {});
    helper.getNode('push').receive({ identifier: METER, payload: reading });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(received.length, 1);
  });

  it('a provide node saved before "accept every requester" existed keeps accepting everyone, and warns so at start; a ticked one does not warn', async () => {
    for (const [saved, warned] of [
      [{}, ['federation-provide.warn.everyone']],
      [{ handleSubscriptions: true }, []],
    ] as const) {
      await helper.load(
        nodes,
        inTab([
          ...accounts(),
          {
            id: 'request',
            type: 'federation-request',
            account: 'consumer-account',
            to: PROVIDER,
            command: 'subscribe',
            identifier: METER,
            wires: [['out']],
          },
          { id: 'out', type: 'helper' },
          {
            id: 'provide',
            type: 'federation-provide',
            account: 'provider-account',
            ...saved,
            wires: [['asked']],
          },
          { id: 'asked', type: 'helper' },
        ]),
        creds(),
      );
      const out = collect('out');
      const asked = collect('asked');
      await online();
      helper.getNode('request').receive({});
      await until('the subscription', () => out.length === 1);
      assert.equal(asked[0].answered, true, 'answered by the provide node itself');
      assert.deepEqual(subscribersOf(METER), [sessionOf('consumer-account').jid]);
      const warnings = helper
        .log()
        .args.map(([event]) => event)
        .filter((event) => event.id === 'provide' && event.level === helper.log().WARN)
        .map((event) => String(event.msg));
      assert.deepEqual(warnings, warned);
      await helper.unload();
      helper.settings({ userDir: flows.userDir });
    }
    // Deleted from the flow: the subscriber list goes, and the log says how many subscriptions went with it.
    const folder = join(flows.userDir, 'senfed', 'providers', 'provide');
    assert.ok(existsSync(join(folder, 'subscribers.json')), 'kept across the redeploys above');
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: true,
          wires: [[]],
        },
      ]),
      creds(),
    );
    await until('the provider online', () => sessionOf('provider-account').online).catch((err) => {
      throw new Error(`${err.message}: ${JSON.stringify(sessionOf('provider-account').state)}`);
    });
    await helper.getNode('provide').close(true);
    const said = helper
      .log()
      .args.map(([event]) => event)
      .filter((event) => event.id === 'provide' && /removed/.test(String(event.msg)));
    assert.deepEqual(
      said.map((event) => [event.level, String(event.msg)]),
      [[helper.log().WARN, 'federation-provide.warn.removed']],
    );
    assert.equal(existsSync(folder), false);
  });

  /** sen2's side of a subscription: a requester that asks, and an inbox that receives what is pushed. */
  const follower = (name: string): object[] => [
    {
      id: `${name}-request`,
      type: 'federation-request',
      account: `${name}-account`,
      to: PROVIDER,
      command: 'subscribe',
      identifier: METER,
      wires: [[`${name}-out`]],
    },
    { id: `${name}-out`, type: 'helper' },
    {
      id: `${name}-inbox`,
      type: 'federation-subscribe',
      account: `${name}-account`,
      service: '',
      node: '',
      quoalise: true,
      wires: [[`${name}-received`]],
    },
    { id: `${name}-received`, type: 'helper' },
  ];
  const pushAndCatch = [
    {
      id: 'push',
      type: 'federation-publish',
      account: 'provider-account',
      mode: 'direct',
      service: '',
      node: '',
      createNode: false,
      to: '',
      queueSize: '100',
      toSubscribersOf: 'provide',
      identifier: METER,
      wires: [],
    },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper' },
  ];

  it('consent: the flow accepts consumer@sen2.test and refuses bob@sen2.test; only the accepted one is recorded, pushed to, and still there after a redeploy', async () => {
    const flow = inTab([
      ...accounts(),
      accountConfig('bob-account', 'bob@sen2.test'),
      ...follower('consumer'),
      ...follower('bob'),
      // sen1: the flow decides who may subscribe, by msg.from.
      {
        id: 'provide',
        type: 'federation-provide',
        account: 'provider-account',
        handleSubscriptions: false,
        wires: [['consent', 'asked']],
      },
      { id: 'asked', type: 'helper' },
      {
        id: 'consent',
        type: 'switch',
        property: 'from',
        propertyType: 'msg',
        rules: [{ t: 'regex', v: '^consumer@sen2\\.test/', vt: 'str', case: false }, { t: 'else' }],
        checkall: 'false',
        repair: false,
        outputs: 2,
        wires: [['reply'], ['refuse']],
      },
      {
        id: 'refuse',
        type: 'change',
        rules: [
          {
            t: 'set',
            p: 'error',
            pt: 'msg',
            to: '{"condition":"not-authorized","text":"no consent for this meter"}',
            tot: 'json',
          },
        ],
        wires: [['reply']],
      },
      { id: 'reply', type: 'federation-reply', wires: [] },
      ...pushAndCatch,
    ]);
    const reading = (v: number): object[] => [{ n: METER, u: 'W', v, t: T0 }];
    await helper.load(nodes, flow, creds());
    let consumerReceived = collect('consumer-received');
    let bobReceived = collect('bob-received');
    const consumerOut = collect('consumer-out');
    const asked = collect('asked');
    const errors = collect('errors');
    await online('bob-account');
    helper.getNode('consumer-request').receive({});
    helper.getNode('bob-request').receive({});
    await until('both answers', () => consumerOut.length === 1 && errors.length === 1);
    assert.deepEqual(
      asked.map((m) => [m.command, m.answered, typeof m._senfedRequest]),
      [
        ['subscribe', false, 'string'],
        ['subscribe', false, 'string'],
      ],
      'both requests went to the flow, unanswered',
    );
    assert.equal(errors[0].error.source.id, 'bob-request');
    assert.equal(errors[0].xmppError.condition, 'not-authorized');
    assert.equal(errors[0].xmppError.text, 'no consent for this meter');
    const consumerJid = sessionOf('consumer-account').jid;
    assert.deepEqual(subscribersOf(METER), [consumerJid]);

    helper.getNode('push').receive({ payload: reading(1420) });
    await until('the reading pushed to consumer', () => consumerReceived.length === 1);
    assert.deepEqual(consumerReceived[0].payload, reading(1420));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(bobReceived.length, 0, 'the refused requester gets nothing');

    // Redeploy: the accepted subscription is still there, and still served.
    await helper.unload();
    helper.settings({ userDir: flows.userDir });
    await helper.load(nodes, flow, creds());
    consumerReceived = collect('consumer-received');
    bobReceived = collect('bob-received');
    await online('bob-account');
    await until('the registry read again', () => subscribersOf(METER).length > 0);
    assert.deepEqual(subscribersOf(METER), [consumerJid]);
    helper.getNode('push').receive({ payload: reading(1430) });
    await until('the reading pushed after the redeploy', () => consumerReceived.length === 1);
    assert.deepEqual(consumerReceived[0].payload, reading(1430));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(bobReceived.length, 0);
  });

  it('consent: a subscription the flow accepts but that cannot be recorded: the requester is told internal-server-error, the reply node reports it, nobody is pushed to', async () => {
    await helper.load(
      nodes,
      inTab([
        ...accounts(),
        ...follower('consumer'),
        {
          id: 'provide',
          type: 'federation-provide',
          account: 'provider-account',
          handleSubscriptions: false,
          wires: [['reply']],
        },
        { id: 'reply', type: 'federation-reply', wires: [] },
        ...pushAndCatch,
      ]),
      creds(),
    );
    const errors = collect('errors');
    const received = collect('consumer-received');
    await online();
    // A real disk fault: a directory stands where the registry writes its temporary file.
    mkdirSync(join(flows.userDir, 'senfed', 'providers', 'provide', 'subscribers.json.tmp'), {
      recursive: true,
    });
    helper.getNode('consumer-request').receive({});
    await until('two errors', () => errors.length === 2);
    const bySource = Object.fromEntries(errors.map((e) => [e.error.source.id, e]));
    assert.equal(bySource['consumer-request'].xmppError.condition, 'internal-server-error');
    assert.equal(
      bySource['consumer-request'].xmppError.text,
      'the subscription could not be recorded',
    );
    assert.match(
      bySource.reply.error.message,
      /^ProviderError: the subscribe of consumer@sen2\.test\/\S+ to urn:dev:prm:\S+ could not be recorded: cannot write the subscriber registry .*EISDIR/,
    );
    assert.equal(
      bySource.reply.command,
      'subscribe',
      'the Catch node gets the message that was answered',
    );
    assert.deepEqual(subscribersOf(METER), []);
    helper.getNode('push').receive({ payload: [{ n: METER, u: 'W', v: 1, t: T0 }] });
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(received.length, 0);
  });
});
