/**
 * The audit log: signed tree heads, proofs a recipient checks, and every way a
 * log can be tampered with (an entry edited, removed, reordered or forged, a
 * history rewritten), caught by the file check and by the recipient's proofs;
 * and the log under SIGKILL.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AuditLog,
  type SignedTreeHead,
  verifyAppendOnly,
  verifyAuditFile,
  verifyShareProof,
  verifyTreeHead,
} from '../../../../lib/consent/audit';
import type { AuditEntry, ShareAuditEntry } from '../../../../lib/consent/model';
import { runAndKill } from '../../../support/kill';

function share(i: number, recipient = 'advisor@sen2.test'): ShareAuditEntry {
  return {
    kind: 'share',
    time: new Date(Date.UTC(2026, 11, 3, 10, 0, i)).toISOString(),
    consents: [`c-${i % 3}`],
    subjects: [`household-${i % 3}`],
    recipient,
    purpose: 'https://w3id.org/dpv#ServiceProvision',
    channel: 'message',
    records: 2,
    names: ['urn:dev:mac:0024befffe804ff1:power'],
    span: { start: 1_764_756_000 + i, end: 1_764_759_600 + i },
    digest: `sha-256:${String(i).padStart(64, '0')}`,
    retention: 'P30D',
  };
}

describe('audit log (RFC 9162 tree over an append-only file)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'senfed-audit-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function logOf(count: number, where = dir): Promise<AuditLog> {
    const log = await AuditLog.open(where);
    for (let i = 0; i < count; i++) await log.append(share(i));
    return log;
  }

  it('keeps its entries, tree and key across a reopen; the key file is private', async () => {
    const log = await logOf(5);
    const head = log.treeHead();
    const key = log.publicKey;
    await log.close();
    const again = await AuditLog.open(dir);
    assert.equal(again.size, 5);
    assert.equal(again.publicKey, key, 'the same key: recipients pinned it');
    assert.equal(again.rootHash(), head.rootHash);
    assert.deepEqual(again.entry(3), share(3));
    assert.equal(statSync(path.join(dir, 'signing-key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    await again.close();
  });

  it('signs tree heads that verify, and not once a field is changed', async () => {
    const log = await logOf(3);
    const head = log.treeHead();
    assert.deepEqual(verifyTreeHead(head, log.publicKey), []);
    const changed: SignedTreeHead[] = [
      { ...head, treeSize: head.treeSize + 1 },
      { ...head, timestamp: head.timestamp + 1 },
      { ...head, rootHash: Buffer.alloc(32, 7).toString('base64') },
    ];
    for (const bad of changed)
      assert.deepEqual(
        verifyTreeHead(bad, log.publicKey).map((p) => p.messageId),
        ['AUDIT_HEAD_SIGNATURE'],
      );
    const other = await AuditLog.open(path.join(dir, 'other'));
    assert.deepEqual(
      verifyTreeHead(head, other.publicKey).map((p) => p.messageId),
      ['AUDIT_HEAD_KEY'],
    );
    await Promise.all([log.close(), other.close()]);
  });

  it('a share proof holds at the recipient; an edited entry or a forged head does not', async () => {
    const log = await logOf(9);
    const head = log.treeHead();
    const { proof } = log.inclusionProof(4, head.treeSize);
    const entry = log.entry(4);
    const input = { entry, index: 4, treeHead: head, proof, publicKey: log.publicKey };
    assert.deepEqual(verifyShareProof(input), []);
    const edited = { ...(entry as ShareAuditEntry), records: 200 } as AuditEntry;
    assert.deepEqual(
      verifyShareProof({ ...input, entry: edited }).map((p) => p.messageId),
      ['AUDIT_INCLUSION_FAILED'],
    );
    assert.deepEqual(
      verifyShareProof({ ...input, index: 5 }).map((p) => p.messageId),
      ['AUDIT_INCLUSION_FAILED'],
    );
    const forged = { ...head, rootHash: Buffer.alloc(32).toString('base64') };
    assert.deepEqual(
      verifyShareProof({ ...input, treeHead: forged }).map((p) => p.messageId),
      ['AUDIT_HEAD_SIGNATURE'],
    );
    await log.close();
  });

  it('a consistency proof shows the log only grew; a history rewritten behind the same key fails it', async () => {
    const log = await logOf(6);
    const older = log.treeHead();
    for (let i = 6; i < 11; i++) await log.append(share(i));
    const newer = log.treeHead();
    const { proof } = log.consistencyProof(older.treeSize, newer.treeSize);
    assert.deepEqual(verifyAppendOnly(older, newer, proof, log.publicKey), []);
    await log.close();

    // The same key (the file copied), the same first entries, then others: a rewritten history.
    const rewrittenDir = path.join(dir, 'rewritten');
    const rewritten = await AuditLog.open(rewrittenDir);
    await rewritten.close();
    writeFileSync(
      path.join(rewrittenDir, 'signing-key.pem'),
      readFileSync(path.join(dir, 'signing-key.pem')),
    );
    const fake = await AuditLog.open(rewrittenDir);
    for (let i = 0; i < 4; i++) await fake.append(share(i));
    for (let i = 4; i < 11; i++) await fake.append(share(i, 'someone-else@sen9.test'));
    const fakeHead = fake.treeHead();
    assert.deepEqual(verifyTreeHead(fakeHead, log.publicKey), [], 'genuinely signed');
    const fakeProof = fake.consistencyProof(older.treeSize, fakeHead.treeSize).proof;
    assert.deepEqual(
      verifyAppendOnly(older, fakeHead, fakeProof, log.publicKey).map((p) => p.messageId),
      ['AUDIT_CONSISTENCY_FAILED'],
    );
    assert.deepEqual(
      verifyAppendOnly(newer, older, [], log.publicKey).map((p) => p.messageId),
      ['AUDIT_SHRUNK'],
    );
    await fake.close();
  });

  describe('the file check (senfed-audit verify)', () => {
    async function damaged(edit: (lines: string[]) => string[]): Promise<{
      problems: string[];
      head: SignedTreeHead;
      key: string;
    }> {
      const log = await logOf(6);
      const head = log.treeHead();
      const key = log.publicKey;
      await log.close();
      const file = path.join(dir, 'audit.log');
      const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
      writeFileSync(file, `${edit(lines).join('\n')}\n`);
      const check = await verifyAuditFile(file, { treeHead: head, publicKey: key });
      return { problems: check.problems.map((p) => p.message), head, key };
    }

    it('a whole log passes, and its root is the signed one', async () => {
      const { problems } = await damaged((lines) => lines);
      assert.deepEqual(problems, []);
    });

    it('an edited entry: the chain breaks at the next line', async () => {
      const { problems } = await damaged((lines) =>
        lines.map((line, i) => (i === 2 ? line.replace('"records":2', '"records":3') : line)),
      );
      assert.match(problems[0], /line 4/);
      assert.ok(
        problems.some((p) => /root/.test(p)),
        'and the signed root no longer matches',
      );
    });

    it('a removed entry: a gap, and the head covers more than the log holds', async () => {
      const { problems } = await damaged((lines) => lines.filter((_, i) => i !== 3));
      assert.match(problems[0], /line 4/);
      assert.ok(problems.some((p) => /entries were removed/.test(p)));
    });

    it('reordered entries', async () => {
      const { problems } = await damaged((lines) => [
        lines[0],
        lines[2],
        lines[1],
        ...lines.slice(3),
      ]);
      assert.match(problems[0], /line 2/);
    });

    it('a forged history with its chain recomputed still fails the signed root', async () => {
      const log = await AuditLog.open(path.join(dir, 'forged'));
      for (let i = 0; i < 6; i++) await log.append(i === 2 ? share(99) : share(i));
      await log.close();
      const original = await logOf(6);
      const head = original.treeHead();
      await original.close();
      const check = await verifyAuditFile(path.join(dir, 'forged', 'audit.log'), {
        treeHead: head,
      });
      assert.deepEqual(
        check.problems.map((p) => p.messageId),
        ['AUDIT_ROOT_MISMATCH'],
      );
    });

    it('a damaged log is not opened for appending', async () => {
      await damaged((lines) => lines.filter((_, i) => i !== 1));
      await assert.rejects(AuditLog.open(dir), (err: Error & { messageId?: string }) => {
        assert.equal(err.messageId, 'AUDIT_LOG_DAMAGED');
        assert.match(err.message, /line 2/);
        return true;
      });
    });
  });

  it('under SIGKILL mid-append: every confirmed entry is there, the chain whole, the tree rebuilt', async () => {
    const child = `
      const { AuditLog } = require(process.env.AUDIT_MODULE);
      (async () => {
        const log = await AuditLog.open(process.env.AUDIT_DIR);
        for (let n = log.size; ; n++) {
          const { index } = await log.append({ kind: 'consent', time: new Date().toISOString(), consent: 'c' + n,
            subject: 's', recipient: 'a@sen2.test', purpose: 'https://w3id.org/dpv#ServiceProvision',
            event: { type: 'given', time: new Date().toISOString() } });
          process.stdout.write(index + '\\n');
        }
      })().catch((err) => { console.error(err); process.exit(1); });
    `;
    let confirmed = -1;
    for (const ms of [150, 60, 300, 220, 90]) {
      const lines = await runAndKill(
        child,
        {
          AUDIT_MODULE: path.resolve(__dirname, '../../../../lib/consent/audit/index.js'),
          AUDIT_DIR: dir,
        },
        ms,
      );
      confirmed = Math.max(confirmed, ...lines.map(Number));
      const log = await AuditLog.open(dir);
      assert.ok(
        log.size > confirmed,
        `entry ${confirmed} was confirmed, the log holds ${log.size}`,
      );
      const check = await verifyAuditFile(log.file, {
        treeHead: log.treeHead(),
        publicKey: log.publicKey,
      });
      assert.deepEqual(check.problems, []);
      await log.close();
    }
    assert.ok(confirmed > 20, `only ${confirmed} appends in all`);
  });
});
