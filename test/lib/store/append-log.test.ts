import assert from 'node:assert/strict';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppendLog, LOG_GENESIS } from '../../../lib/store/append-log';

describe('AppendLog: an append-only log, never compacted (the audit trail)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'senfed-log-'));
    file = path.join(dir, 'consent', 'audit.jsonl');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers records in call order and chains each line to the one before', async () => {
    const log = await AppendLog.open<{ n: number }>(file);
    const appended = await Promise.all(Array.from({ length: 50 }, (_, n) => log.append({ n })));
    assert.deepEqual(
      appended.map((r) => r.seq),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.deepEqual(log.head, { seq: 50, hash: appended[49].hash });
    await log.close();
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines[0].prev, LOG_GENESIS);
    for (let i = 1; i < lines.length; i++)
      assert.equal(lines[i].prev, appended[i - 1].hash, `line ${i + 1}`);
    assert.deepEqual(
      lines.map((l) => l.entry.n),
      Array.from({ length: 50 }, (_, n) => n),
    );
  });

  it('goes on after a reopen with the next number and the chain unbroken; verify finds it whole', async () => {
    let log = await AppendLog.open(file);
    await log.append({ kind: 'given' });
    await log.close();
    log = await AppendLog.open(file);
    assert.equal(log.head.seq, 1);
    const second = await log.append({ kind: 'withdrawn' });
    assert.equal(second.seq, 2);
    const check = await log.verify();
    assert.deepEqual(check, { records: 2, head: log.head, problems: [] });
    const kinds: unknown[] = [];
    for await (const record of log.records()) kinds.push(record.entry);
    assert.deepEqual(kinds, [{ kind: 'given' }, { kind: 'withdrawn' }]);
    await log.close();
  });

  it('is never rewritten: what was on disk stays byte for byte as records are added', async () => {
    const log = await AppendLog.open(file);
    await log.append({ n: 0 });
    let before = readFileSync(file);
    for (let n = 1; n < 200; n++) {
      await log.append({ n, pad: 'x'.repeat(n) });
      const now = readFileSync(file);
      assert.ok(
        now.subarray(0, before.length).equals(before),
        `record ${n} changed what was there`,
      );
      before = now;
    }
    await log.close();
  });

  it('verify says where a line was changed, removed or damaged', async () => {
    const log = await AppendLog.open(file);
    for (let n = 0; n < 6; n++) await log.append({ n });
    await log.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    lines[1] = lines[1].replace('"n":1', '"n":9'); // changed: line 3 no longer follows it
    lines.splice(3, 1); // removed: a gap and a broken chain at the line after
    lines[4] = '{"seq":6,"prev":'; // damaged
    writeFileSync(file, `${lines.join('\n')}\n`);
    const reopened = await AppendLog.open(file);
    const { problems, records } = await reopened.verify();
    assert.equal(records, 4);
    assert.deepEqual(
      problems.map((p) => [p.messageId, p.params.line]),
      [
        ['LOG_CHAIN_BROKEN', 3],
        ['LOG_SEQUENCE_GAP', 4],
        ['LOG_CHAIN_BROKEN', 4],
        ['LOG_UNREADABLE_LINE', 5],
      ],
    );
    // A damaged last line still counts: the next record takes the number after it, chained to its bytes.
    const next = await reopened.append({ n: 6 });
    assert.equal(next.seq, 7);
    await reopened.close();
  });

  it('cuts an unfinished last write at open, says so, and the next record does not glue onto it', async () => {
    let log = await AppendLog.open(file);
    await log.append({ n: 1 });
    await log.close();
    appendFileSync(file, '{"seq":2,"prev":"0a1b');
    log = await AppendLog.open(file);
    assert.deepEqual(
      log.warnings.map((w) => [w.messageId, w.params.bytes]),
      [['LOG_TORN_TAIL', 21]],
    );
    await log.append({ n: 2 });
    assert.deepEqual((await log.verify()).problems, []);
    await log.close();
  });

  it('finds the last record behind a line longer than its first read of the file end', async () => {
    let log = await AppendLog.open(file);
    await log.append({ n: 1 });
    await log.append({ n: 2, text: 'y'.repeat(200_000) });
    await log.close();
    log = await AppendLog.open(file);
    assert.equal(log.head.seq, 2);
    await log.append({ n: 3 });
    assert.deepEqual((await log.verify()).problems, []);
    await log.close();
  });

  it('refuses what it cannot keep, with codes: not an object, not JSON, past its limit, closed, open twice', async () => {
    const log = await AppendLog.open(file, { maxBytes: 300 });
    await assert.rejects(log.append(42 as never), { code: 'LOG_ENTRY', messageId: 'LOG_ENTRY' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(log.append(cyclic), { code: 'LOG_ENTRY', messageId: 'LOG_NOT_JSON' });
    await log.append({ n: 1 });
    await assert.rejects(log.append({ text: 'z'.repeat(300) }), { code: 'LOG_FULL' });
    await assert.rejects(AppendLog.open(file), { code: 'LOG_BUSY' });
    await log.close();
    await assert.rejects(log.append({ n: 2 }), { code: 'LOG_CLOSED' });
    const reopened = await AppendLog.open(file);
    assert.equal((await reopened.verify()).records, 1, 'the refused records left nothing');
    await reopened.close();
  });

  it('keeps its file 0600 in folders 0700', async () => {
    const log = await AppendLog.open(file);
    await log.append({ n: 1 });
    await log.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  });
});
