/**
 * The consent gate without a server: who is admitted, what a direct
 * publication carries, a pack held past the recipient's retention, who may be a
 * PubSub member, and the share written before anything goes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsentStore } from '../../../lib/consent/consent-store';
import { ConsentGate, type WithheldShare } from '../../../lib/consent/gate';
import type { Publication } from '../../../lib/federation/publisher';
import type { XmppSession } from '../../../lib/federation/session';

const SP = 'https://w3id.org/dpv#ServiceProvision';
const HOUSEHOLD = 'urn:dev:mac:0024befffe804ff1';
const evidence = { method: 'dashboard' as const, by: 'household-42' };
const T = Date.UTC(2026, 11, 1, 10);
const pack = [0, 1, 2, 3].map((k) => ({
  n: `${HOUSEHOLD}:power`,
  u: 'W',
  v: 1000 + 100 * k,
  t: T / 1000 + 900 * k,
}));

describe('consent gate', () => {
  let dir: string;
  let store: ConsentStore;
  let now: number;
  let gate: ConsentGate;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-gate-'));
    now = T + 7_200_000;
    store = await ConsentStore.open(dir, { clock: () => now });
    gate = new ConsentGate({ store, purpose: SP, clock: () => now });
  });
  afterEach(async () => {
    gate.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const grant = (fields: Record<string, unknown> = {}) =>
    store.grant({
      subject: 'household-42',
      recipient: 'advisor@sen2.test',
      purpose: SP,
      scope: { names: [`${HOUSEHOLD}:`], granularity: 'raw' },
      retention: 'PT1H',
      evidence,
      ...fields,
    });
  const direct = (queuedAt?: number): Publication => ({
    target: { mode: 'direct', to: 'advisor@sen2.test/phone' },
    pack,
    itemId: 'item',
    ...(queuedAt === undefined ? {} : { queuedAt }),
  });

  it('admits only under an active consent covering the identifier, and records a request once otherwise', async () => {
    const ask = {
      command: 'get_history' as const,
      from: 'advisor@sen2.test/x',
      identifier: HOUSEHOLD,
    };
    const refusal = await gate.admit(ask);
    assert.equal(refusal?.messageId, 'GATE_NO_CONSENT');
    await gate.admit(ask);
    assert.equal(store.pending().length, 1);
    assert.equal(store.pending()[0].events.length, 1, 'asked twice, recorded once');
    await grant();
    assert.equal(await gate.admit(ask), undefined, 'the device prefix covers its identifier');
    assert.equal(
      (await gate.admit({ ...ask, identifier: 'urn:dev:mac:00000000000000ff' }))?.messageId,
      'GATE_NO_CONSENT',
      'another device is not covered',
    );
    assert.equal(
      (await gate.admit({ ...ask, from: 'someone@sen2.test/x' }))?.messageId,
      'GATE_NO_CONSENT',
    );
  });

  it('a direct publication goes minimised, with meta, after its share is in the audit log', async () => {
    await grant({ scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' } });
    const released = await gate.releaseDirect(direct(now - 60_000));
    assert.deepEqual(
      released?.pack.map((r) => r.v),
      [1150],
    );
    assert.equal(released?.meta?.retention, 'PT1H');
    const shares = store.audit.entries().filter((e) => e.kind === 'share');
    assert.equal(shares.length, 1);
    assert.equal(shares[0].kind === 'share' && shares[0].recipient, 'advisor@sen2.test');
  });

  it('a pack held in the queue longer than the recipient may keep it is not sent, and says so', async () => {
    await grant();
    const withheld: WithheldShare[] = [];
    gate.on('withheld', (w: WithheldShare) => withheld.push(w));
    assert.equal(await gate.releaseDirect(direct(now - 3_600_000)), undefined);
    assert.equal(withheld[0].outcome.withheld[0].reason.messageId, 'GATE_HELD_PAST_RETENTION');
    assert.equal(store.audit.entries().filter((e) => e.kind === 'share').length, 0);
    assert.ok(await gate.releaseDirect(direct(now - 3_599_000)), 'within the hour it goes');
  });

  it('a PubSub item held longer than a member may keep it is not published, and says so', async () => {
    await grant({ scope: { names: [HOUSEHOLD], granularity: 'raw' } });
    const withheld: WithheldShare[] = [];
    gate.on('withheld', (w: WithheldShare) => withheld.push(w));
    // Withheld before any membership is asked for: the session is never used.
    const release = gate.publisherRelease({} as XmppSession);
    const item: Publication = {
      target: { mode: 'pubsub', service: 'pubsub.sen1.test', node: HOUSEHOLD },
      pack,
      itemId: 'item',
      queuedAt: now - 3_600_000,
    };
    assert.equal(await release(item), undefined);
    assert.equal(withheld.length, 1);
    assert.equal(withheld[0].channel, 'pubsub');
    assert.equal(
      withheld[0].recipient,
      `xmpp:pubsub.sen1.test?;node=${encodeURIComponent(HOUSEHOLD)}`,
    );
    assert.equal(withheld[0].outcome.withheld[0].reason.messageId, 'GATE_HELD_PAST_RETENTION');
    assert.equal(store.audit.entries().filter((e) => e.kind === 'share').length, 0);
  });

  it('PubSub members: JIDs (not domains) with an active raw consent covering the node', async () => {
    const node = { mode: 'pubsub' as const, service: 'pubsub.sen1.test', node: HOUSEHOLD };
    await grant();
    await grant({ recipient: 'sen3.test' });
    await grant({
      recipient: 'hourly@sen2.test',
      scope: { names: [`${HOUSEHOLD}:`], granularity: 'PT1H' },
    });
    assert.deepEqual(gate.members(node), ['advisor@sen2.test']);
    await store.withdraw(
      { subject: 'household-42', recipient: 'advisor@sen2.test', purpose: SP },
      evidence,
    );
    assert.deepEqual(gate.members(node), []);
  });
});
