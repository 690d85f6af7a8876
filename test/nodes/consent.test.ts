/**
 * The consent nodes in a flow: consent manage grants and withdraws, consent
 * filter lets through only what a consent allows, and the store keeps it all
 * across a restart of Node-RED; errors reach the Catch node; status and texts in
 * French and Dutch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Msg,
  catchNode,
  consentFilterNode,
  consentManageNode,
  consentStoreNode,
  helper,
  inLanguage,
  inTab,
  nextMessage,
  statuses,
  until,
} from './helper';

const SP = 'https://w3id.org/dpv#ServiceProvision';
const HOUSEHOLD = 'urn:dev:mac:0024befffe804ff1';
/** 2026-12-01T10:00:00Z */
const TEN = Date.UTC(2026, 11, 1, 10) / 1000;
/** Power every 15 minutes over two hours: 1000, 1100, … W. */
const pack = Array.from({ length: 8 }, (_, k) => ({
  n: `${HOUSEHOLD}:power`,
  u: 'W',
  v: 1000 + 100 * k,
  t: TEN + 900 * k,
}));
const grant = {
  subject: 'household-42',
  recipient: 'advisor@sen2.test',
  purpose: 'ServiceProvision',
  scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' },
  retention: 'P30D',
  evidence: { method: 'dashboard', by: 'household-42' },
};

const types = [consentStoreNode, consentFilterNode, consentManageNode, catchNode];

function flow(filter: Record<string, unknown> = {}): object[] {
  return inTab([
    { id: 'consents', type: 'consent-store', name: 'household consents' },
    { id: 'manage', type: 'consent-manage', store: 'consents', wires: [['managed']] },
    { id: 'managed', type: 'helper' },
    {
      id: 'filter',
      type: 'consent-filter',
      store: 'consents',
      recipient: 'advisor@sen2.test',
      purpose: SP,
      wires: [['allowed'], ['withheld']],
      ...filter,
    },
    { id: 'allowed', type: 'helper' },
    { id: 'withheld', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ]);
}

async function manage(action: string, payload: unknown, extra: Msg = {}): Promise<Msg> {
  const answer = nextMessage('managed');
  helper.getNode('manage').receive({ action, payload, ...extra });
  return answer;
}

describe('consent nodes in a flow', function () {
  this.timeout(30_000);
  let userDir: string;

  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-consent-nodes-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });

  it('without consent nothing goes out of output 1, and output 2 says why', async () => {
    await helper.load(types, flow());
    const withheld = nextMessage('withheld');
    let allowed = 0;
    helper.getNode('allowed').on('input', () => (allowed += 1));
    helper.getNode('filter').receive({ payload: pack });
    const kept = await withheld;
    assert.equal(kept.payload.length, 8);
    assert.equal(kept.withheld[0].messageId, 'CONSENT_WITHHELD_NO_CONSENT');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(allowed, 0);
  });

  it('after a grant, hourly means only, with the audit proof in msg.meta; after the withdrawal, nothing', async () => {
    await helper.load(types, flow());
    const seen = statuses('filter');
    const granted = await manage('grant', grant);
    assert.equal(granted.payload.events[0].type, 'given');
    assert.equal(granted.payload.purpose, SP);

    const out = nextMessage('allowed');
    helper.getNode('filter').receive({ payload: pack, topic: 'meter' });
    const msg = await out;
    assert.deepEqual(
      msg.payload.map((r: Msg) => [r.t, r.v]),
      [
        [TEN, 1150],
        [TEN + 3600, 1550],
      ],
    );
    assert.equal(msg.topic, 'meter', 'the message goes on, not a new one');
    assert.equal(msg.meta.retention, 'P30D');
    assert.equal(msg.meta.purpose, SP);
    assert.equal(typeof msg.meta.audit.signature, 'string');
    assert.deepEqual(seen.at(-1), {
      fill: 'green',
      shape: 'dot',
      text: 'consent-filter.status.counts',
    });

    await manage('withdraw', { id: granted.payload.id, by: 'household-42 (wall screen)' });
    const withheld = nextMessage('withheld');
    let allowed = 0;
    helper.getNode('allowed').on('input', () => (allowed += 1));
    helper.getNode('filter').receive({ payload: pack });
    const kept = await withheld;
    assert.equal(kept.withheld[0].messageId, 'CONSENT_WITHHELD_WITHDRAWN');
    assert.equal(kept.withheld[0].consent, granted.payload.id);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(allowed, 0, 'the flow stops at once');
  });

  it('bad input reaches the Catch node with a code: not SenML, no recipient, an unknown purpose, a bad action', async () => {
    await helper.load(types, flow({ recipient: '' }));
    const caught: Msg[] = [];
    helper.getNode('caught').on('input', (msg: Msg) => caught.push(msg));
    helper.getNode('filter').receive({ payload: 'not a pack', to: 'advisor@sen2.test' });
    helper.getNode('filter').receive({ payload: pack });
    helper
      .getNode('manage')
      .receive({ action: 'grant', payload: { ...grant, purpose: 'marketing?' } });
    helper.getNode('manage').receive({ action: 'explode', payload: {} });
    await until('four errors', () => caught.length === 4);
    const from = (id: string) => caught.filter((m) => m.error.source.id === id);
    const codes = (id: string) => from(id).map((m) => String(m.error.code ?? m.error.message));
    assert.equal(from('filter').length, 2, JSON.stringify(caught.map((m) => m.error)));
    assert.ok(
      codes('filter').some((c) => /^SENML_/.test(c)),
      codes('filter').join(),
    );
    assert.ok(
      codes('filter').some((c) => c.endsWith('consent-filter.errors.noRecipient')),
      codes('filter').join(),
    );
    assert.ok(codes('manage').includes('CONSENT_PURPOSE'), codes('manage').join());
    assert.ok(codes('manage').some((c) => c.includes('consent-manage.errors.action')));
  });

  it('a restart keeps every consent, pending request and the audit log', async () => {
    await helper.load(types, flow());
    const granted = await manage('grant', grant);
    await manage('request', {
      ...grant,
      recipient: 'research@sen3.test',
      purpose: 'NonCommercialResearch',
      evidence: { method: 'federation-request', by: 'research@sen3.test/lab' },
    });
    const before = (await manage('access', { subject: 'household-42' })).payload;
    await helper.unload();

    helper.settings({ userDir });
    await helper.load(types, flow());
    const listed = (await manage('list', { subject: 'household-42' })).payload as Msg[];
    assert.deepEqual(listed.map((r) => [r.id === granted.payload.id, r.state]).sort(), [
      [false, 'requested'],
      [true, 'active'],
    ]);
    const pending = (await manage('list', { pending: true })).payload as Msg[];
    assert.deepEqual(
      pending.map((r) => r.recipient),
      ['research@sen3.test'],
    );
    const after = (await manage('access', { subject: 'household-42' })).payload;
    assert.deepEqual(after.history, before.history, 'the audit log came back whole');
    assert.equal(after.auditTreeHead.rootHash, before.auditTreeHead.rootHash);
  });

  it('access gives the subject its consents, their history and every share, as JSON and CSV', async () => {
    await helper.load(types, flow());
    await manage('grant', grant);
    const out = nextMessage('allowed');
    helper.getNode('filter').receive({ payload: pack });
    await out;
    const access = (await manage('access', { subject: 'household-42' })).payload;
    assert.equal(access.consents.length, 1);
    assert.deepEqual(
      access.history.map((h: Msg) => h.entry.event.type),
      ['given'],
    );
    assert.equal(access.shares.length, 1);
    assert.equal(access.shares[0].entry.records, 2);
    assert.equal(access.shares[0].entry.recipient, 'advisor@sen2.test');
    const csv = (await manage('access', { subject: 'household-42' }, { format: 'csv' })).payload;
    assert.equal(csv.split('\n')[0].split(',')[0], 'index');
    assert.equal(csv.trim().split('\n').length, 3, 'a header, the grant, the share');
    const exported = (await manage('export', { subject: 'household-42' })).payload as Msg[];
    assert.equal(exported[0].pii_principal_id, 'household-42');
    const receipt = (await manage('receipt', { subject: 'household-42' })).payload;
    assert.equal(receipt.piiPrincipalId, 'household-42');
  });

  it('says its status and errors in French and Dutch', async () => {
    for (const [lang, counts, noRecipient] of [
      ['fr', /autorisés 0 \/ retenus 8/, /aucun destinataire/],
      ['nl', /toegestaan 0 \/ tegengehouden 8/, /geen ontvanger/],
    ] as const) {
      await inLanguage(lang, async () => {
        await helper.load(types, flow());
        const seen = statuses('filter');
        const withheld = nextMessage('withheld');
        helper.getNode('filter').receive({ payload: pack });
        const kept = await withheld;
        assert.match(seen.at(-1)!.text, counts);
        assert.match(kept.withheld[0].reason, lang === 'fr' ? /consentement/ : /toestemming/);
        await helper.unload();
        helper.settings({ userDir });
        await helper.load(types, flow({ recipient: '' }));
        const caught = nextMessage('caught');
        helper.getNode('filter').receive({ payload: pack });
        assert.match((await caught).error.message, noRecipient);
        await helper.unload();
        helper.settings({ userDir });
      });
    }
  });
});
