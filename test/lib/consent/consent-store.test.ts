/**
 * The consent store: consents and pending requests kept across a reopen (and a
 * SIGKILL), every event in the audit log before the store shows it, and clear
 * errors for what it cannot take.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConsentStore } from '../../../lib/consent/consent-store';
import { ConsentStoreError } from '../../../lib/consent/consent-store-messages';
import { consentState } from '../../../lib/consent/evaluate';
import type { ConsentAuditEntry } from '../../../lib/consent/model';
import { runAndKill } from '../../support/kill';

const SP = 'https://w3id.org/dpv#ServiceProvision';
const METER = 'urn:dev:mac:0024befffe804ff1:';
const evidence = { method: 'web-form' as const, by: 'household-42', reference: 'form 2026-118' };
const terms = {
  subject: 'household-42',
  recipient: 'advisor@sen2.test',
  purpose: 'ServiceProvision',
  scope: { names: [METER], granularity: 'PT1H' as const },
  retention: 'P30D',
};

describe('consent store', function () {
  this.timeout(60_000);
  let dir: string;
  let now: number;
  const clock = (): number => now;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'senfed-consent-store-'));
    now = Date.UTC(2026, 11, 3, 9);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps consents and pending requests across a reopen, in private files', async () => {
    const store = await ConsentStore.open(dir, { clock });
    const given = await store.grant({ ...terms, validity: 'P1Y', evidence });
    now += 60_000;
    await store.request(
      { ...terms, recipient: 'research@sen3.test', purpose: 'NonCommercialResearch' },
      { method: 'federation-request', by: 'research@sen3.test/lab' },
    );
    await store.close();

    const again = await ConsentStore.open(dir, { clock });
    assert.deepEqual(again.records(), store.records());
    assert.equal(again.get(given.id)?.purpose, SP, 'the purpose is kept as its DPV IRI');
    assert.equal(consentState(again.get(given.id)!, now), 'active');
    assert.deepEqual(
      again.pending().map((r) => r.recipient),
      ['research@sen3.test'],
    );
    assert.deepEqual(again.subjects(), ['household-42']);
    assert.equal(statSync(again.file).mode & 0o777, 0o600);
    await again.close();
  });

  it('writes each event to the audit log before showing it', async () => {
    const store = await ConsentStore.open(dir, { clock });
    const seen: number[] = [];
    store.on('change', () => seen.push(store.audit.size));
    const record = await store.grant({ ...terms, evidence });
    now += 3_600_000;
    await store.withdraw(record.id, { method: 'dashboard', by: 'household-42' });
    assert.deepEqual(seen, [1, 2], 'the entry was in the log when the change was announced');
    const entries = store.audit.entries() as ConsentAuditEntry[];
    assert.deepEqual(
      entries.map((e) => [e.kind, e.consent, e.event.type, e.event.time]),
      [
        ['consent', record.id, 'given', '2026-12-03T09:00:00.000Z'],
        ['consent', record.id, 'withdrawn', '2026-12-03T10:00:00.000Z'],
      ],
    );
    assert.equal(consentState(store.get(record.id)!, now), 'withdrawn');
    await store.close();
  });

  it('a new grant of the same subject, recipient and purpose goes on the same record', async () => {
    const store = await ConsentStore.open(dir, { clock });
    const first = await store.grant({ ...terms, evidence });
    now += 1000;
    await store.withdraw(
      { subject: terms.subject, recipient: terms.recipient, purpose: SP },
      evidence,
    );
    now += 1000;
    const again = await store.grant({
      ...terms,
      scope: { names: [METER], granularity: 'P1D' },
      evidence,
    });
    assert.equal(again.id, first.id);
    assert.deepEqual(
      again.events.map((e) => e.type),
      ['given', 'withdrawn', 'given'],
    );
    assert.equal(again.scope.granularity, 'P1D', 'the newest grant sets the scope');
    assert.equal(store.records().length, 1);
    await store.close();
  });

  it('accepts a pending request, and refuses to accept what was not requested', async () => {
    const store = await ConsentStore.open(dir, { clock });
    const asked = await store.request(terms, {
      method: 'federation-request',
      by: 'advisor@sen2.test/x',
    });
    now += 1000;
    const accepted = await store.accept(
      asked.id,
      { method: 'dashboard', by: 'household-42' },
      'P6M',
    );
    assert.deepEqual(
      accepted.events.map((e) => [e.type, e.validity]),
      [
        ['requested', undefined],
        ['given', 'P6M'],
      ],
    );
    await assert.rejects(
      store.accept(asked.id, evidence),
      (err: ConsentStoreError) => err.messageId === 'CONSENT_STORE_NOT_REQUESTED',
    );
    await store.close();
  });

  it('records expiries when their time has come, once', async () => {
    const store = await ConsentStore.open(dir, { clock });
    const record = await store.grant({ ...terms, validity: 'PT1H', evidence });
    assert.deepEqual(await store.expireDue(), []);
    now += 3_600_001;
    assert.equal(consentState(store.get(record.id)!, now), 'lapsed');
    const expired = await store.expireDue();
    assert.deepEqual(
      expired.map((r) => r.events.at(-1)?.type),
      ['expired'],
    );
    assert.deepEqual(await store.expireDue(), [], 'written once');
    assert.equal(consentState(store.get(record.id)!, now), 'expired');
    await store.close();
  });

  it('refuses bad input with errors that name it, and changes nothing', async () => {
    const store = await ConsentStore.open(dir, { clock });
    await assert.rejects(
      store.grant({ ...terms, purpose: 'because we want it', evidence }),
      (err: Error & { code?: string }) => err.code === 'CONSENT_PURPOSE',
    );
    await assert.rejects(
      store.grant({ ...terms, recipient: 'advisor@sen2.test/phone', evidence }),
      (err: Error & { code?: string }) => err.code === 'CONSENT_RECORD',
    );
    await assert.rejects(
      store.withdraw('no-such-id', evidence),
      (err: ConsentStoreError) => err.messageId === 'CONSENT_STORE_UNKNOWN',
    );
    await assert.rejects(
      store.import({ not: 'a list' }),
      (err: ConsentStoreError) => err.messageId === 'CONSENT_STORE_NOT_A_LIST',
    );
    assert.equal(store.records().length, 0);
    assert.equal(store.audit.size, 0, 'nothing refused reached the audit log');
    await store.close();
  });

  it('exports and imports its records', async () => {
    const store = await ConsentStore.open(dir, { clock });
    await store.grant({ ...terms, evidence });
    const exported = store.export();
    await store.close();
    const other = await ConsentStore.open(path.join(dir, 'other'), { clock });
    await other.import(JSON.parse(JSON.stringify(exported)));
    assert.deepEqual(other.records(), exported);
    await other.close();
  });

  it('an unreadable document is kept aside, with a warning, and nothing is active', async () => {
    const store = await ConsentStore.open(dir, { clock });
    await store.grant({ ...terms, evidence });
    await store.close();
    writeFileSync(path.join(dir, 'consents.json'), '{"format":"senfed-consents/1","records":[{');
    const again = await ConsentStore.open(dir, { clock });
    assert.equal(again.records().length, 0);
    assert.equal(again.warnings[0]?.messageId, 'CONSENT_STORE_UNREADABLE');
    await again.close();
  });

  it('under SIGKILL: every grant that resolved is there, and the document is whole', async () => {
    const child = `
      const { ConsentStore } = require(process.env.STORE_MODULE);
      (async () => {
        const store = await ConsentStore.open(process.env.STORE_DIR);
        for (let n = Number(process.env.FIRST); ; n++) {
          await store.grant({
            subject: 'household-' + n, recipient: 'advisor@sen2.test', purpose: 'ServiceProvision',
            scope: { names: ['urn:dev:mac:' + n + ':'], granularity: 'raw' }, retention: 'P30D',
            evidence: { method: 'dashboard', by: 'test' },
          });
          process.stdout.write('G ' + n + '\\n');
        }
      })().catch((err) => { console.error(err); process.exit(1); });
    `;
    let first = 0;
    for (const ms of [120, 300, 80, 450, 200]) {
      const lines = await runAndKill(
        child,
        {
          STORE_MODULE: path.resolve(__dirname, '../../../lib/consent/consent-store.js'),
          STORE_DIR: dir,
          FIRST: String(first),
        },
        ms,
      );
      const confirmed = lines.map((line) => Number(line.slice(2)));
      const store = await ConsentStore.open(dir);
      const subjects = new Set(store.records().map((r) => r.subject));
      for (const n of confirmed) assert.ok(subjects.has(`household-${n}`), `grant ${n} was lost`);
      assert.equal(store.warnings.length, 0, 'the document reads whole');
      JSON.parse(readFileSync(store.file, 'utf8'));
      assert.ok(store.audit.size >= store.records().length, 'every kept grant is in the audit log');
      first += 100_000;
      await store.close();
    }
  });
});
