/**
 * senfed-audit, the command line a data protection officer or the other domain
 * runs on a copy of the log: verify (names the first bad entry), prove, export.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AuditLog, leafHash, verifyInclusion } from '../../../../lib/consent/audit';
import { canonicalJson } from '../../../../lib/consent/digest';
import type { AuditEntry } from '../../../../lib/consent/model';

const CLI = path.resolve(__dirname, '../../../../bin/senfed-audit.js');
const SP = 'https://w3id.org/dpv#ServiceProvision';

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

function consent(subject: string, type: 'given' | 'withdrawn', second: number): AuditEntry {
  const time = new Date(Date.UTC(2026, 11, 3, 9, 0, second)).toISOString();
  return {
    kind: 'consent',
    time,
    consent: `c-${subject}`,
    subject,
    recipient: 'advisor@sen2.test',
    purpose: SP,
    event: { type, time, evidence: { method: 'dashboard', by: subject } },
  };
}

describe('senfed-audit (command line)', function () {
  this.timeout(30_000);
  let dir: string;
  let log: string;
  let head: string;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'senfed-audit-cli-'));
    const audit = await AuditLog.open(dir);
    await audit.append(consent('household-1', 'given', 0));
    await audit.append(consent('household-2', 'given', 1));
    await audit.append({
      kind: 'share',
      time: '2026-12-03T09:00:02.000Z',
      consents: ['c-household-1'],
      subjects: ['household-1'],
      recipient: 'advisor@sen2.test',
      purpose: SP,
      channel: 'history',
      records: 2,
      names: ['urn:dev:mac:0024befffe804ff1:power'],
      span: { start: 1_764_752_400, end: 1_764_756_000 },
      digest: `sha-256:${'ab'.repeat(32)}`,
      retention: 'P30D',
    });
    await audit.append(consent('household-1', 'withdrawn', 3));
    head = path.join(dir, 'head.json');
    writeFileSync(head, JSON.stringify(audit.treeHead()));
    log = audit.file;
    writeFileSync(path.join(dir, 'key.txt'), audit.publicKey);
    await audit.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('verify: a whole log exits 0 with its size and root; with the signed head and key too', () => {
    const plain = run('verify', log);
    assert.equal(plain.status, 0, plain.stderr);
    assert.match(plain.stdout, /^OK .*: 4 entries, chain whole, root [A-Za-z0-9+/=]{44}/);
    const key = readFileSync(path.join(dir, 'key.txt'), 'utf8');
    const signed = run('verify', log, '--head', head, '--key', key);
    assert.equal(signed.status, 0, signed.stdout);
    assert.match(signed.stdout, /matches the signed head at size 4/);
  });

  it('verify: an edited entry exits 1 and names its line', () => {
    const lines = readFileSync(log, 'utf8').split('\n');
    lines[1] = lines[1].replace('household-2', 'household-3');
    writeFileSync(log, lines.join('\n'));
    const out = run('verify', log, '--head', head);
    assert.equal(out.status, 1);
    assert.match(out.stdout, /^BAD .*line 3/);
  });

  it('prove: the entry and an inclusion proof that verifies against the root it prints', () => {
    const out = run('prove', log, '2');
    assert.equal(out.status, 0, out.stderr);
    const answer = JSON.parse(out.stdout) as {
      index: number;
      treeSize: number;
      rootHash: string;
      proof: string[];
      entry: AuditEntry;
    };
    assert.equal(answer.entry.kind, 'share');
    assert.ok(
      verifyInclusion(
        leafHash(canonicalJson(answer.entry)),
        answer.index,
        answer.treeSize,
        answer.proof.map((p) => Buffer.from(p, 'base64')),
        Buffer.from(answer.rootHash, 'base64'),
      ),
    );
    assert.equal(run('prove', log, '9').status, 1, 'an index past the log');
  });

  it('export: every event and share of one subject, as JSON or CSV', () => {
    const json = JSON.parse(run('export', log, '--subject', 'household-1').stdout) as {
      index: number;
    }[];
    assert.deepEqual(
      json.map((row) => row.index),
      [0, 2, 3],
    );
    const csv = run('export', log, '--subject', 'household-1', '--format', 'csv').stdout.split(
      '\n',
    );
    assert.equal(
      csv[0],
      'index,kind,time,event,consent,recipient,purpose,records,names,start,end,digest',
    );
    assert.match(
      csv[2],
      /^2,share,2026-12-03T09:00:02.000Z,history,c-household-1,advisor@sen2.test,/,
    );
    assert.equal(csv.filter(Boolean).length, 4);
  });

  it('a wrong command line exits 2 with the usage', () => {
    const out = run('frobnicate', log);
    assert.equal(out.status, 2);
    assert.match(out.stderr, /usage:/);
    assert.equal(run('export', log).status, 2, 'export without --subject');
    assert.equal(run('--help').status, 0);
  });
});
