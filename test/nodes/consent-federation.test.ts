/**
 * Consent wired once, in the dialogs, across the real two-domain federation: a
 * household's flow on sen1.test (provider@sen1.test/node-red, a consent store
 * chosen in its federation provide and publish nodes) and an advisor's flow on
 * sen2.test (consumer@sen2.test) that verifies the audit proofs it receives.
 */
import assert from 'node:assert/strict';
import type { XmppSession } from '../../lib/federation/session';
import { account } from '../support/federation';
import {
  type Msg,
  accountNode,
  catchNode,
  collect,
  consentManageNode,
  consentStoreNode,
  federationFlows,
  helper,
  inTab,
  nextMessage,
  provideNode,
  publishNode,
  replyNode,
  requestNode,
  statuses,
  subscribeNode,
  until,
} from './helper';

const changeNode = require('@node-red/nodes/core/function/15-change.js');

const PROVIDER = 'provider@sen1.test/node-red';
const ADVISOR = 'consumer@sen2.test';
const SP = 'https://w3id.org/dpv#ServiceProvision';
const HOUSEHOLD = 'urn:dev:mac:0024befffe804ff1';
const START = '2026-12-01T10:00:00+00:00';
const TEN = Date.parse(START) / 1000;
/** Power every 15 minutes over two hours: 1000, 1100, … W. */
const RAW = Array.from({ length: 8 }, (_, k) => ({
  n: `${HOUSEHOLD}:power`,
  u: 'W',
  v: 1000 + 100 * k,
  t: TEN + 900 * k,
}));
const GRANT = {
  subject: 'household-42',
  recipient: ADVISOR,
  purpose: 'ServiceProvision',
  scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' },
  retention: 'P30D',
  evidence: { method: 'dashboard', by: 'household-42' },
};

describe('consent chosen in the federation nodes (real federation)', function () {
  this.timeout(90_000);
  const flows = federationFlows();

  const accountConfig = (id: string, jid: string, resource = ''): object => {
    const { host, port, caFile } = account(flows.bed, jid);
    return { id, type: 'xmpp-account', jid, host, port: String(port), caFile, resource };
  };
  const creds = (): object => ({
    'provider-account': { password: flows.bed.users['provider@sen1.test'].password },
    'consumer-account': { password: flows.bed.users[ADVISOR].password },
  });
  const sessionOf = (id: string): XmppSession =>
    (helper.getNode(id) as unknown as { session: XmppSession }).session;
  const online = (): Promise<void> =>
    until('both accounts online', () =>
      ['provider-account', 'consumer-account'].every((id) => sessionOf(id).online),
    );
  const nodes = [
    accountNode,
    consentStoreNode,
    consentManageNode,
    provideNode,
    replyNode,
    requestNode,
    publishNode,
    subscribeNode,
    changeNode,
    catchNode,
  ];

  function household(): object[] {
    return [
      accountConfig('provider-account', 'provider@sen1.test', 'node-red'),
      { id: 'consents', type: 'consent-store', name: 'household' },
      { id: 'manage', type: 'consent-manage', store: 'consents', wires: [['managed']] },
      { id: 'managed', type: 'helper' },
      {
        id: 'provide',
        type: 'federation-provide',
        account: 'provider-account',
        handleSubscriptions: false,
        consentStore: 'consents',
        purpose: SP,
        wires: [['history']],
      },
      {
        id: 'history',
        type: 'change',
        rules: [{ t: 'set', p: 'payload', pt: 'msg', to: JSON.stringify(RAW), tot: 'json' }],
        wires: [['reply']],
      },
      { id: 'reply', type: 'federation-reply', wires: [] },
    ];
  }

  function advisor(): object[] {
    return [
      accountConfig('consumer-account', ADVISOR),
      {
        id: 'request',
        type: 'federation-request',
        account: 'consumer-account',
        to: PROVIDER,
        command: 'get_history',
        identifier: HOUSEHOLD,
        verifyProofs: true,
        wires: [['answers']],
      },
      { id: 'answers', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
  }

  async function manage(action: string, payload: unknown): Promise<Msg> {
    const answer = nextMessage('managed');
    helper.getNode('manage').receive({ action, payload });
    return answer;
  }

  const ask = (): void =>
    helper.getNode('request').receive({ start: START, end: '2026-12-01T12:00:00+00:00' });

  it('no consent: not-authorized at the advisor, a request waiting at the household; a grant: hourly means with a proof that holds; a withdrawal: refused again', async () => {
    await helper.load(nodes, inTab([...household(), ...advisor()]), creds());
    await online();
    const answers = collect('answers');
    const caught = collect('caught');

    ask();
    await until('the refusal', () => caught.length === 1);
    assert.equal(caught[0].xmppError.condition, 'not-authorized');
    const pending = (await manage('list', { pending: true })).payload as Msg[];
    assert.deepEqual(
      pending.map((r) => [r.recipient, r.purpose, r.state]),
      [[ADVISOR, SP, 'requested']],
    );

    const granted = (await manage('grant', GRANT)).payload;
    ask();
    await until('the answer', () => answers.length === 1);
    assert.deepEqual(
      answers[0].payload.map((r: Msg) => [r.n, r.t, r.v]),
      [
        [`${HOUSEHOLD}:power`, TEN, 1150],
        [`${HOUSEHOLD}:power`, TEN + 3600, 1550],
      ],
    );
    assert.deepEqual(answers[0].proof, { valid: true, problems: [] });
    assert.equal(answers[0].meta.retention, 'P30D');

    await manage('withdraw', { id: granted.id });
    ask();
    await until('the second refusal', () => caught.length === 2);
    assert.equal(caught[1].xmppError.condition, 'not-authorized');
    assert.equal(answers.length, 1);

    const access = (await manage('access', { subject: 'household-42' })).payload;
    assert.deepEqual(
      access.shares.map((s: Msg) => [s.entry.recipient, s.entry.channel, s.entry.records]),
      [[ADVISOR, 'history', 2]],
      'the one share, in the audit log',
    );
  });

  it('a direct publish under consent reaches the advisor minimised with a valid proof; after the withdrawal nothing does', async () => {
    await helper.load(
      nodes,
      inTab([
        ...household(),
        {
          id: 'publish',
          type: 'federation-publish',
          account: 'provider-account',
          mode: 'direct',
          to: ADVISOR,
          queueSize: '100',
          consentStore: 'consents',
          purpose: SP,
        },
        accountConfig('consumer-account', ADVISOR),
        {
          id: 'subscribe',
          type: 'federation-subscribe',
          account: 'consumer-account',
          service: '',
          node: '',
          quoalise: true,
          quoaliseFrom: 'sen1.test',
          verifyProofs: true,
          wires: [['pushed'], []],
        },
        { id: 'pushed', type: 'helper' },
      ]),
      creds(),
    );
    await online();
    const pushed = collect('pushed');
    const granted = (await manage('grant', GRANT)).payload;
    helper.getNode('publish').receive({ payload: RAW });
    await until('the push', () => pushed.length === 1);
    assert.deepEqual(
      pushed[0].payload.map((r: Msg) => r.v),
      [1150, 1550],
    );
    assert.deepEqual(pushed[0].proof, { valid: true, problems: [] });

    await manage('withdraw', { id: granted.id });
    helper.getNode('publish').receive({ payload: RAW.map((r) => ({ ...r, t: r.t + 7200 })) });
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(pushed.length, 1, 'nothing after the withdrawal');
  });

  it('PubSub: the whitelist refuses the advisor, its subscribe node asks the household for access; once accepted in consent manage, items arrive with a proof that holds', async () => {
    const node = `${HOUSEHOLD}-${Date.now()}`;
    await helper.load(
      nodes,
      inTab([
        accountConfig('admin-account', 'admin@sen1.test', 'node-red'),
        { id: 'consents', type: 'consent-store', name: 'household' },
        { id: 'manage', type: 'consent-manage', store: 'consents', wires: [['managed']] },
        { id: 'managed', type: 'helper' },
        {
          id: 'publish',
          type: 'federation-publish',
          account: 'admin-account',
          mode: 'pubsub',
          service: 'pubsub.sen1.test',
          node,
          createNode: true,
          queueSize: '100',
          consentStore: 'consents',
          purpose: SP,
        },
        accountConfig('consumer-account', ADVISOR),
        {
          id: 'subscribe',
          type: 'federation-subscribe',
          account: 'consumer-account',
          service: 'pubsub.sen1.test',
          node,
          askAccessOf: 'admin@sen1.test/node-red',
          verifyProofs: true,
          wires: [['items'], []],
        },
        { id: 'items', type: 'helper' },
      ]),
      {
        'admin-account': { password: flows.bed.users['admin@sen1.test'].password },
        'consumer-account': { password: flows.bed.users[ADVISOR].password },
      },
    );
    const shown = statuses('subscribe');
    await until('both accounts online', () =>
      ['admin-account', 'consumer-account'].every((id) => sessionOf(id).online),
    );
    const items = collect('items');
    helper.getNode('publish').receive({ payload: RAW.slice(0, 1) }); // creates the node
    // Outside a language the status is its catalogue key.
    await until(
      'access requested',
      () => shown.some((s) => s.text === 'federation-subscribe.status.accessRequested'),
      45_000,
    );
    const pending = (await manage('list', { pending: true })).payload as Msg[];
    assert.deepEqual(
      pending.map((r) => [r.recipient, r.purpose, r.state, r.scope.names]),
      [[ADVISOR, SP, 'requested', [node]]],
    );
    await manage('accept', { id: pending[0].id });
    await until(
      'subscribed',
      () => shown.some((s) => s.text === 'federation-subscribe.status.subscribed'),
      45_000,
    );
    helper.getNode('publish').receive({ payload: RAW.slice(1, 2) });
    await until('the item', () => items.length === 1);
    assert.deepEqual(
      items[0].payload.map((r: Msg) => r.v),
      [1100],
    );
    assert.deepEqual(items[0].proof, { valid: true, problems: [] });
    assert.equal(items[0].meta.purpose, SP);
  });
});
