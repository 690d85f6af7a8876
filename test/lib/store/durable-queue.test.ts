import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DurableQueue,
  DurableQueueError,
  type DurableQueueOptions,
  type QueueItem,
  type QueueWarning,
} from '../../../lib/store/durable-queue';

interface Reading {
  n: number;
  pad?: string;
}

/** Build a journal line as the format documents it: `{"sum":<8 hex of sha256(body)>,...body}`. */
function journalLine(body: string): string {
  const sum = createHash('sha256').update(body).digest('hex').slice(0, 8);
  return `{"sum":"${sum}",${body.slice(1)}\n`;
}

describe('federation durable queue', () => {
  let root: string;
  let dir: string;
  let journal: string;
  let opened: DurableQueue<Reading>[];

  beforeEach(async () => {
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'senfed-queue-'));
    // Shaped like the real place: <userDir>/senfed/queues/<node-id>/
    dir = path.join(root, 'senfed', 'queues', 'a1b2c3d4.e5f6');
    journal = path.join(dir, 'queue.jsonl');
    opened = [];
  });

  afterEach(async () => {
    for (const queue of opened) await queue.close();
    await fsp.rm(root, { recursive: true, force: true });
  });

  async function open(
    options: Partial<DurableQueueOptions<Reading>> = {},
  ): Promise<DurableQueue<Reading>> {
    const queue = await DurableQueue.open<Reading>(dir, { maxEntries: 1000, ...options });
    opened.push(queue);
    return queue;
  }

  async function reopen(
    queue: DurableQueue<Reading>,
    options: Partial<DurableQueueOptions<Reading>> = {},
  ): Promise<DurableQueue<Reading>> {
    await queue.close();
    return open(options);
  }

  async function drain(queue: DurableQueue<Reading>): Promise<QueueItem<Reading>[]> {
    const out: QueueItem<Reading>[] = [];
    for (let item = queue.peek(); item; item = queue.peek()) {
      out.push(item);
      assert.equal(await queue.ack(item.seq), true);
    }
    return out;
  }

  async function journalLines(): Promise<string[]> {
    const text = await fsp.readFile(journal, 'utf8');
    return text.split('\n').slice(0, -1);
  }

  const seqs = (items: readonly QueueItem<Reading>[]): number[] => items.map((item) => item.seq);
  const values = (items: readonly QueueItem<Reading>[]): number[] =>
    items.map((item) => item.entry.n);

  describe('order and persistence', () => {
    it('creates its directory and starts empty', async () => {
      const queue = await open();
      assert.equal((await fsp.stat(dir)).isDirectory(), true);
      assert.equal(queue.size, 0);
      assert.equal(queue.isEmpty, true);
      assert.equal(queue.peek(), undefined);
      assert.deepEqual(queue.warnings, []);
    });

    it('gives entries back first in, first out, with increasing sequence numbers', async () => {
      const queue = await open();
      for (let n = 0; n < 5; n++) assert.equal((await queue.push({ n })).seq, n + 1);
      assert.equal(queue.size, 5);
      assert.deepEqual(queue.peek(), { seq: 1, entry: { n: 0 } });
      const drained = await drain(queue);
      assert.deepEqual(values(drained), [0, 1, 2, 3, 4]);
      assert.deepEqual(seqs(drained), [1, 2, 3, 4, 5]);
      assert.equal(queue.isEmpty, true);
    });

    it('keeps its entries, in order, across a reopen', async () => {
      let queue = await open();
      const entries = [{ n: 1, pad: 'é€😀 "quoted"\nnew line\u2028' }, { n: 2 }, { n: 3, pad: '' }];
      for (const entry of entries) await queue.push(entry);
      queue = await reopen(queue);
      assert.deepEqual(queue.warnings, []);
      assert.deepEqual(
        queue.entries(),
        entries.map((entry, i) => ({ seq: i + 1, entry })),
      );
    });

    it('stores a JSON copy: later changes to the pushed object do not leak in', async () => {
      const queue = await open();
      const entry: Reading = { n: 1 };
      await queue.push(entry);
      entry.n = 99;
      const first = queue.peek();
      assert.deepEqual(first?.entry, { n: 1 });
      if (first) first.entry.n = 42;
      assert.deepEqual(queue.peek()?.entry, { n: 1 });
    });

    it('continues sequence numbers after a reopen, even once emptied', async () => {
      let queue = await open();
      for (let n = 0; n < 3; n++) await queue.push({ n });
      queue = await reopen(queue);
      assert.equal((await queue.push({ n: 3 })).seq, 4);
      await drain(queue);
      queue = await reopen(queue);
      assert.equal(queue.isEmpty, true);
      assert.equal((await queue.push({ n: 4 })).seq, 5);
      queue = await reopen(queue);
      assert.deepEqual(queue.entries(), [{ seq: 5, entry: { n: 4 } }]);
    });

    it('keeps acknowledgements across a reopen', async () => {
      let queue = await open();
      for (let n = 0; n < 4; n++) await queue.push({ n });
      assert.equal(await queue.ack(1), true);
      assert.equal(await queue.ack(2), true);
      queue = await reopen(queue);
      assert.deepEqual(seqs(queue.entries()), [3, 4]);
      assert.deepEqual(values(await drain(queue)), [2, 3]);
      queue = await reopen(queue);
      assert.equal(queue.isEmpty, true);
    });

    it('writes the documented format: JSON lines with a checksum, a head record, push and ack', async () => {
      const queue = await open();
      await queue.push({ n: 7 });
      await queue.push({ n: 8 });
      await queue.ack(1);
      const lines = await journalLines();
      for (const line of lines) {
        const { sum, ...rest } = JSON.parse(line) as { sum: string };
        assert.match(sum, /^[0-9a-f]{8}$/);
        assert.equal(line, journalLine(JSON.stringify(rest)).slice(0, -1));
      }
      assert.deepEqual(
        lines.map((line) => {
          const { sum: _sum, ...rest } = JSON.parse(line) as Record<string, unknown>;
          return rest;
        }),
        [
          { op: 'head', format: 'senfed-queue/1', next: 1 },
          { op: 'push', seq: 1, entry: { n: 7 } },
          { op: 'push', seq: 2, entry: { n: 8 } },
          { op: 'ack', seq: 1 },
        ],
      );
    });

    it('reads the journal shown in its documentation', async () => {
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(
        journal,
        [
          '{"sum":"f5955ccd","op":"head","format":"senfed-queue/1","next":18}',
          '{"sum":"3476be8c","op":"push","seq":18,"entry":{"v":21.5}}',
          '{"sum":"4822a68e","op":"push","seq":19,"entry":{"v":21.7}}',
          '{"sum":"1371b078","op":"ack","seq":18}',
          '',
        ].join('\n'),
      );
      let queue = await open();
      assert.deepEqual(queue.warnings, []);
      assert.deepEqual(queue.entries(), [{ seq: 19, entry: { v: 21.7 } }]);
      await queue.close();
      await fsp.appendFile(journal, '{"sum":"2b3feb55","op":"drop","seq":19}\n');
      queue = await open();
      assert.equal(queue.isEmpty, true);
      assert.equal((await queue.push({ n: 1 })).seq, 20);
    });

    it('is open once per process: a second open of the same directory is refused until closed', async () => {
      const queue = await open();
      await assert.rejects(DurableQueue.open(dir, { maxEntries: 10 }), { code: 'QUEUE_BUSY' });
      await queue.close();
      await queue.close(); // twice is harmless
      const again = await open();
      assert.equal(again.isEmpty, true);
    });

    it('refuses push and ack once closed', async () => {
      const queue = await open();
      await queue.push({ n: 1 });
      await queue.close();
      await assert.rejects(queue.push({ n: 2 }), { code: 'QUEUE_CLOSED' });
      await assert.rejects(queue.ack(1), { code: 'QUEUE_CLOSED' });
    });

    it('finishes writes under way when closed', async () => {
      const queue = await open();
      const pushes = Array.from({ length: 50 }, (_, n) => queue.push({ n }));
      await queue.close();
      assert.equal((await Promise.all(pushes)).length, 50);
      const again = await open();
      assert.deepEqual(
        values(again.entries()),
        Array.from({ length: 50 }, (_, n) => n),
      );
    });

    it('shows in peek() only entries already on disk', async () => {
      const queue = await open();
      const pushed = queue.push({ n: 1 });
      assert.equal(queue.size, 1, 'counted at once, for the bound');
      assert.equal(queue.peek(), undefined, 'but not offered for delivery before it is durable');
      await pushed;
      assert.deepEqual(queue.peek(), { seq: 1, entry: { n: 1 } });
    });
  });

  describe('peekAfter: several entries in flight', () => {
    it('walks the entries on disk after a given one, in order, without removing any', async () => {
      const queue = await open({ maxEntries: 5 });
      for (let n = 0; n < 7; n++) await queue.push({ n }); // 1 and 2 dropped by the bound
      const walked: QueueItem<Reading>[] = [];
      for (let item = queue.peekAfter(0); item; item = queue.peekAfter(item.seq)) walked.push(item);
      assert.deepEqual(seqs(walked), [3, 4, 5, 6, 7]);
      assert.deepEqual(values(walked), [2, 3, 4, 5, 6]);
      assert.equal(queue.size, 5);
      assert.deepEqual(queue.peekAfter(4), { seq: 5, entry: { n: 4 } });
      assert.equal(queue.peekAfter(7), undefined);
      assert.equal(await queue.ack(3), true);
      assert.deepEqual(queue.peekAfter(0)?.seq, 4, 'acked entries are gone');
    });

    it('offers nothing not yet on disk, and finds its place again after a reopen', async () => {
      const queue = await open();
      await queue.push({ n: 1 });
      const pending = queue.push({ n: 2 });
      assert.equal(queue.peekAfter(1), undefined);
      assert.deepEqual(
        queue.peekAfter(1, { unsynced: true }),
        { seq: 2, entry: { n: 2 } },
        'unless asked for entries being synced',
      );
      assert.equal(await queue.ack(1), true);
      assert.equal(await queue.ack(2), true, 'an entry may be acked before its push resolved');
      await pending;
      assert.equal(
        (await reopen(queue)).size,
        0,
        'and the ack, written after the push, holds after a reopen',
      );
    });

    it('walks again from the start after a reopen', async () => {
      const queue = await open();
      await queue.push({ n: 1 });
      await queue.push({ n: 2 });
      assert.equal(queue.peekAfter(1)?.seq, 2);
      const again = await reopen(queue);
      assert.deepEqual(values([again.peekAfter(1)!]), [2]);
    });
  });

  describe('acknowledgements', () => {
    it('with syncAcks false, an ack alone goes out within ackDelayMs, and close() writes the acks still waiting', async () => {
      const queue = await open({ syncAcks: false, ackDelayMs: 50 });
      for (let n = 1; n <= 3; n++) await queue.push({ n });
      const started = Date.now();
      assert.equal(await queue.ack(1), true);
      assert.ok(Date.now() - started >= 40, 'the ack waited for company');
      assert.match(await fsp.readFile(journal, 'utf8'), /"op":"ack","seq":1/);
      const acked = queue.ack(2); // closed before its delay is over
      const again = await reopen(queue);
      assert.equal(await acked, true);
      assert.deepEqual(values(again.entries()), [3]);
    });

    it('with syncAcks false, writes acks without a sync of their own; they hold across a reopen, and the next push syncs them', async () => {
      const probe = await fsp.open(path.join(root, 'probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
      await probe.close();
      const datasync = proto.datasync;
      let syncs = 0;
      proto.datasync = function counted(this: unknown): Promise<void> {
        syncs++;
        return datasync.call(this);
      };
      try {
        for (const syncAcks of [true, false]) {
          const queue = await open({ syncAcks });
          for (let n = 1; n <= 10; n++) await queue.push({ n });
          syncs = 0;
          for (let seq = 1; seq <= 5; seq++) assert.equal(await queue.ack(seq), true);
          assert.equal(syncs, syncAcks ? 5 : 0, `syncAcks ${syncAcks}`);
          await queue.push({ n: 11 });
          assert.equal(syncs, syncAcks ? 6 : 1);
          const again = await reopen(queue);
          assert.deepEqual(values(again.entries()), [6, 7, 8, 9, 10, 11]);
          await again.close();
          await fsp.rm(dir, { recursive: true, force: true });
        }
      } finally {
        proto.datasync = datasync;
      }
    });

    it('answers false for an entry already gone, and refuses one out of order or never pushed', async () => {
      const queue = await open();
      for (let n = 0; n < 3; n++) await queue.push({ n });
      assert.equal(await queue.ack(1), true);
      assert.equal(await queue.ack(1), false);
      await assert.rejects(
        queue.ack(3),
        (err: unknown) =>
          err instanceof DurableQueueError &&
          err.code === 'QUEUE_ORDER' &&
          /not the oldest/.test(err.message),
      );
      await assert.rejects(queue.ack(4), { code: 'QUEUE_ORDER', message: /never pushed/ });
      await assert.rejects(queue.ack(0), { code: 'QUEUE_ORDER' });
      await assert.rejects(queue.ack(1.5), { code: 'QUEUE_ORDER' });
      assert.deepEqual(seqs(queue.entries()), [2, 3]);
    });
  });

  describe('the bound', () => {
    it('drops the oldest entries when full and reports exactly those', async () => {
      let queue = await open({ maxEntries: 3 });
      for (let n = 1; n <= 3; n++) assert.deepEqual((await queue.push({ n })).dropped, []);
      assert.deepEqual(await queue.push({ n: 4 }), {
        seq: 4,
        dropped: [{ seq: 1, entry: { n: 1 } }],
      });
      assert.deepEqual(await queue.push({ n: 5 }), {
        seq: 5,
        dropped: [{ seq: 2, entry: { n: 2 } }],
      });
      assert.deepEqual(values(queue.entries()), [3, 4, 5]);
      // A drain loop that was delivering entry 2 learns it is gone.
      assert.equal(await queue.ack(2), false);
      queue = await reopen(queue, { maxEntries: 3 });
      assert.deepEqual(
        queue.entries(),
        [3, 4, 5].map((n) => ({ seq: n, entry: { n } })),
      );
    });

    it('drops as many of the oldest as a byte bound needs', async () => {
      const queue = await open({ maxEntries: 100, maxBytes: 100 });
      // {"n":1,"pad":"xxxxxxxxxx"} is 26 bytes of JSON
      for (let n = 1; n <= 3; n++) await queue.push({ n, pad: 'x'.repeat(10) });
      assert.equal(queue.bytes, 78);
      const report = await queue.push({ n: 4, pad: 'y'.repeat(50) }); // 66 bytes: 78 + 66 > 100, 52 + 66 > 100
      assert.deepEqual(seqs(report.dropped), [1, 2]);
      assert.deepEqual(values(report.dropped), [1, 2]);
      assert.equal(queue.bytes, 26 + 66);
      assert.deepEqual(values(queue.entries()), [3, 4]);
    });

    it('refuses, without touching the queue, an entry larger than the byte bound or not JSON', async () => {
      const queue = await open({ maxEntries: 10, maxBytes: 64 });
      await queue.push({ n: 1 });
      await assert.rejects(queue.push({ n: 2, pad: 'z'.repeat(100) }), { code: 'QUEUE_TOO_LARGE' });
      const circular: Reading & { self?: unknown } = { n: 3 };
      circular.self = circular;
      await assert.rejects(queue.push(circular), { code: 'QUEUE_ENTRY' });
      await assert.rejects(queue.push({ n: 4, pad: 10n } as unknown as Reading), {
        code: 'QUEUE_ENTRY',
      });
      await assert.rejects(queue.push(undefined as unknown as Reading), { code: 'QUEUE_ENTRY' });
      assert.deepEqual(queue.entries(), [{ seq: 1, entry: { n: 1 } }]);
      assert.equal((await queue.push({ n: 5 })).seq, 2);
    });

    it('applies a bound lowered between runs at open, and says what it dropped', async () => {
      let queue = await open({ maxEntries: 10 });
      for (let n = 1; n <= 6; n++) await queue.push({ n });
      const warnings: QueueWarning<Reading>[] = [];
      queue = await reopen(queue, { maxEntries: 4, onWarning: (w) => warnings.push(w) });
      assert.deepEqual(values(queue.entries()), [3, 4, 5, 6]);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].kind, 'over-bound');
      assert.deepEqual(warnings[0].dropped, [
        { seq: 1, entry: { n: 1 } },
        { seq: 2, entry: { n: 2 } },
      ]);
      assert.deepEqual(queue.warnings, warnings);
    });

    it('refuses a bound that cannot hold anything', async () => {
      await assert.rejects(DurableQueue.open(dir, { maxEntries: 0 }), { code: 'QUEUE_OPTIONS' });
      await assert.rejects(DurableQueue.open(dir, { maxEntries: 1.5 }), { code: 'QUEUE_OPTIONS' });
      await assert.rejects(DurableQueue.open(dir, { maxEntries: 5, maxBytes: 0 }), {
        code: 'QUEUE_OPTIONS',
      });
    });
  });

  describe('crashes and damage', () => {
    it('ignores a torn last line left by a crash and loads the rest', async () => {
      let queue = await open();
      for (let n = 1; n <= 3; n++) await queue.push({ n });
      await queue.close();
      // What a process killed in the middle of write() leaves: no newline, no closing brace.
      const complete = journalLine('{"op":"push","seq":4,"entry":{"n":4}}');
      await fsp.appendFile(journal, complete.slice(0, 30));
      const warnings: QueueWarning<Reading>[] = [];
      queue = await open({ onWarning: (w) => warnings.push(w) });
      assert.deepEqual(values(queue.entries()), [1, 2, 3]);
      assert.deepEqual(
        warnings.map((w) => [w.kind, w.lines]),
        [['torn-tail', { from: 5, to: 5 }]],
      );
      // The torn bytes were cut off: the next line is whole and readable.
      assert.equal((await queue.push({ n: 4 })).seq, 4);
      queue = await reopen(queue);
      assert.deepEqual(queue.warnings, []);
      assert.deepEqual(values(queue.entries()), [1, 2, 3, 4]);
    });

    it('treats garbage after the last good line (a crash during a power cut) as a torn tail', async () => {
      let queue = await open();
      await queue.push({ n: 1 });
      await queue.close();
      await fsp.appendFile(journal, `${'\0'.repeat(40)}\n${'\0'.repeat(20)}`);
      queue = await open();
      assert.deepEqual(
        queue.warnings.map((w) => w.kind),
        ['torn-tail'],
      );
      assert.deepEqual(values(queue.entries()), [1]);
      const names = await fsp.readdir(dir);
      assert.deepEqual(names, ['queue.jsonl'], 'a crash is not damage: no copy kept');
    });

    it('skips corrupted lines in the middle, reports them and keeps a copy of the damaged journal', async () => {
      let queue = await open();
      for (let n = 1; n <= 5; n++) await queue.push({ n });
      await queue.close();
      // Line 1 is the head record, lines 2-6 hold entries 1-5.
      const lines = await journalLines();
      const damaged = [...lines];
      damaged[3] = damaged[3].replace('"n":3', '"n":8'); // a flipped bit: checksum mismatch
      damaged.splice(5, 0, 'garbage that is not a journal line'); // between entries 4 and 5
      const original = `${damaged.join('\n')}\n`;
      await fsp.writeFile(journal, original);

      const warnings: QueueWarning<Reading>[] = [];
      queue = await open({ onWarning: (w) => warnings.push(w) });
      assert.deepEqual(values(queue.entries()), [1, 2, 4, 5]);
      assert.deepEqual(
        warnings.map((w) => [w.kind, w.lines]),
        [
          ['corrupt', { from: 4, to: 4 }],
          ['corrupt', { from: 6, to: 6 }],
        ],
      );
      assert.match(warnings[0].message, /checksum mismatch/);
      assert.match(warnings[1].message, /no checksum/);
      const copy = warnings[0].preservedAs;
      assert.ok(copy, 'the damaged journal is preserved');
      assert.equal(await fsp.readFile(copy, 'utf8'), original);

      // Sequence numbers go on past the damaged entry, and the next run is clean.
      assert.equal((await queue.push({ n: 6 })).seq, 6);
      queue = await reopen(queue);
      assert.deepEqual(queue.warnings, []);
      assert.deepEqual(values(queue.entries()), [1, 2, 4, 5, 6]);
    });

    it('skips well-formed records that break the order', async () => {
      const lines = [
        journalLine('{"op":"head","format":"senfed-queue/1","next":10}'),
        journalLine('{"op":"push","seq":10,"entry":{"n":10}}'),
        journalLine('{"op":"push","seq":12,"entry":{"n":12}}'),
        journalLine('{"op":"push","seq":11,"entry":{"n":11}}'),
        journalLine('{"op":"push","seq":3,"entry":{"n":3}}'),
        journalLine('{"op":"push","seq":13,"entry":{"n":13}}'),
        journalLine('{"op":"ack","seq":99}'),
      ];
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(journal, lines.join(''));
      const queue = await open();
      assert.deepEqual(seqs(queue.entries()), [10, 12, 13]);
      assert.deepEqual(
        queue.warnings.map((w) => [w.kind, w.lines?.from]),
        [
          ['out-of-order', 4],
          ['out-of-order', 5],
        ],
      );
      // An ack names a number that was given out, even if its push is gone.
      assert.equal((await queue.push({ n: 100 })).seq, 100);
    });

    it('survives a journal of nothing but garbage', async () => {
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(
        journal,
        Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)),
      );
      const queue = await open();
      assert.equal(queue.isEmpty, true);
      assert.ok(queue.warnings.length > 0);
      assert.equal((await queue.push({ n: 1 })).seq, 1);
    });

    it('removes the temporary file of a compaction cut short, keeping the journal', async () => {
      let queue = await open();
      await queue.push({ n: 1 });
      await queue.close();
      await fsp.writeFile(
        `${journal}.tmp`,
        journalLine('{"op":"head","format":"senfed-queue/1","next":1}').slice(0, 20),
      );
      queue = await open();
      assert.deepEqual(values(queue.entries()), [1]);
      assert.deepEqual(await fsp.readdir(dir), ['queue.jsonl']);
    });

    it('refuses further changes once the disk failed, and recovers by reopening', async () => {
      // The directory disappearing under the queue makes the next compaction
      // fail for real (compactMinBytes 0: every ack compacts).
      const queue = await open({ compactMinBytes: 0 });
      await queue.push({ n: 1 });
      await fsp.rm(dir, { recursive: true });
      await assert.rejects(
        queue.ack(1),
        (err: unknown) =>
          err instanceof DurableQueueError && err.code === 'QUEUE_IO' && err.message.includes(dir),
      );
      await assert.rejects(queue.push({ n: 2 }), { code: 'QUEUE_IO' });
      await queue.close();
      const again = await open();
      assert.equal(again.isEmpty, true);
      assert.equal((await again.push({ n: 3 })).seq, 1);
    });

    it("releases the directory when the caller's onWarning throws during open", async () => {
      let queue = await open();
      await queue.push({ n: 1 });
      await queue.close();
      await fsp.appendFile(journal, 'torn');
      await assert.rejects(
        DurableQueue.open<Reading>(dir, {
          maxEntries: 10,
          onWarning: () => {
            throw new Error('listener failed');
          },
        }),
        /listener failed/,
      );
      queue = await open();
      assert.deepEqual(values(queue.entries()), [1]);
    });

    it('keeps every push that resolved before the process was killed with SIGKILL', async function () {
      this.timeout(60_000);
      const modulePath = path.resolve(__dirname, '../../../lib/store/durable-queue.js');
      // Eight writers keep pushes in flight (so writes are batched); a reader
      // acks the oldest entries, several at a time, while more than 20 wait.
      // Each reports what resolved (P, A), and the reader says which entry it
      // is about to ack (D): the kill may land after an ack reached the disk
      // but before it was reported.
      // A tiny compaction threshold compacts every few milliseconds, so some
      // kills land in the middle of one (about one in four, measured).
      const child = `
        const { DurableQueue } = require(process.env.QUEUE_MODULE);
        const say = (line) => process.stdout.write(line + '\\n');
        (async () => {
          const queue = await DurableQueue.open(process.env.QUEUE_DIR, { maxEntries: 1000000, compactMinBytes: 2048 });
          let next = Number(process.env.QUEUE_FIRST);
          const writer = async () => {
            for (;;) {
              const n = next++;
              const { seq } = await queue.push({ n, pad: 'x'.repeat(n % 40) });
              say('P ' + seq + ' ' + n);
            }
          };
          const reader = async () => {
            for (;;) {
              const acks = [];
              for (let oldest = queue.peek(); oldest && queue.size > 20; oldest = queue.peek()) {
                const seq = oldest.seq;
                say('D ' + seq);
                acks.push(queue.ack(seq).then(() => say('A ' + seq)));
              }
              if (acks.length === 0) await new Promise((resolve) => setImmediate(resolve));
              else await Promise.all(acks);
            }
          };
          for (let i = 0; i < 8; i++) writer();
          reader();
        })().catch((err) => { console.error(err); process.exit(1); });
      `;

      const pushed = new Map<number, number>(); // seq -> n, as confirmed by the child
      const acking = new Set<number>();
      const acked = new Set<number>();
      const lostInFlight = new Set<number>();
      let first = 0;
      let rounds = 0;
      let duringCompaction = 0;
      for (const killAfter of [300, 1200, 2500, 150, 250, 350, 450, 550]) {
        rounds++;
        const run = spawn(process.execPath, ['-e', child], {
          env: {
            ...process.env,
            QUEUE_MODULE: modulePath,
            QUEUE_DIR: dir,
            QUEUE_FIRST: String(first),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        let buffered = '';
        let confirmed = 0;
        const exited = new Promise<NodeJS.Signals | null>((resolve) =>
          run.on('close', (_code, signal) => resolve(signal)),
        );
        run.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            const [kind, a, b] = line.split(' ');
            if (kind === 'P') {
              pushed.set(Number(a), Number(b));
              // Kill a little after a confirmation, not right on it, to land anywhere in the write cycle.
              if (++confirmed === killAfter) setTimeout(() => run.kill('SIGKILL'), rounds % 4);
            } else if (kind === 'D') acking.add(Number(a));
            else if (kind === 'A') acked.add(Number(a));
          }
        });
        assert.equal(await exited, 'SIGKILL', `the child should be killed, not stop: ${stderr}`);
        if ((await fsp.readdir(dir)).includes('queue.jsonl.tmp')) duringCompaction++;

        const queue = await open({ maxEntries: 1_000_000 });
        assert.deepEqual(await fsp.readdir(dir), ['queue.jsonl']);
        assert.deepEqual(
          queue.warnings.filter((w) => w.kind !== 'torn-tail'),
          [],
        );
        const items = queue.entries();
        // Every confirmed push is there, unchanged, unless it was acked: an
        // ack confirmed is gone for good, an ack under way may have made it.
        const present = new Map(items.map((item) => [item.seq, item.entry]));
        for (const [seq, n] of pushed) {
          if (acked.has(seq)) assert.equal(present.has(seq), false, `entry ${seq} was acked`);
          else if (!acking.has(seq) || present.has(seq))
            assert.deepEqual(
              present.get(seq),
              { n, pad: 'x'.repeat(n % 40) },
              `confirmed entry ${seq} lost`,
            );
          else lostInFlight.add(seq);
        }
        // Acks take entries from the front only.
        if (items.length > 0)
          for (const seq of lostInFlight)
            assert.ok(seq < items[0].seq, `entry ${seq} left from the middle`);
        // In order, with no holes: only the oldest leave, only the newest may be missing.
        for (let i = 1; i < items.length; i++) {
          assert.equal(items[i].seq, items[i - 1].seq + 1);
          assert.ok(items[i].entry.n > items[i - 1].entry.n);
        }
        const highest = Math.max(...pushed.keys(), ...items.map((item) => item.seq));
        first = Math.max(...[...pushed.values(), ...items.map((item) => item.entry.n)]) + 1;
        // Numbers go on: nothing the child confirmed is given out again.
        const probe = await queue.push({ n: first });
        assert.ok(probe.seq > highest);
        first++;
        await queue.close();
        opened = opened.filter((q) => q !== queue);
      }
      assert.ok(pushed.size >= 5750, `only ${pushed.size} pushes confirmed`);
      if (process.env.QUEUE_TEST_VERBOSE)
        console.log(
          `      ${rounds} kills, ${duringCompaction} during a compaction, ${pushed.size} pushes and ${acked.size} acks confirmed`,
        );
    });
  });

  describe('compaction', () => {
    it('keeps the journal small over 10,000 push and ack cycles', async function () {
      this.timeout(60_000);
      let queue = await open();
      let lastSeq = 0;
      let largest = 0;
      // Batches of 100 pushes then 100 acks, as a flow catching up after an outage would.
      for (let round = 0; round < 100; round++) {
        const pushes = Array.from({ length: 100 }, (_, i) =>
          queue.push({ n: round * 100 + i, pad: 'reading'.repeat(3) }),
        );
        const reports = await Promise.all(pushes);
        lastSeq = reports[reports.length - 1].seq;
        await Promise.all(reports.map((report) => queue.ack(report.seq)));
        largest = Math.max(largest, queue.journalBytes, (await fsp.stat(journal)).size);
      }
      assert.equal(lastSeq, 10_000);
      assert.equal(queue.isEmpty, true);
      // Without compaction: ~1.6 MB (100-byte push lines, 50-byte ack lines).
      assert.ok(largest < 64 * 1024 + 100 * 120, `the journal grew to ${largest} bytes`);
      queue = await reopen(queue);
      assert.ok((await fsp.stat(journal)).size < 100, 'an empty queue is one head line');
      assert.equal((await queue.push({ n: 0 })).seq, 10_001);
    });

    it('keeps the journal within about twice the live entries plus the slack', async () => {
      const queue = await open({ compactMinBytes: 4096 });
      for (let n = 0; n < 200; n++) await queue.push({ n, pad: 'x'.repeat(50) });
      const live = (await fsp.stat(journal)).size;
      for (let n = 200; n < 2200; n++) {
        await queue.push({ n, pad: 'x'.repeat(50) });
        const oldest = queue.peek();
        assert.ok(oldest);
        await queue.ack(oldest.seq);
        assert.ok(
          queue.journalBytes <= 2 * live + 4096 + 200,
          `journal at ${queue.journalBytes} bytes for ${live} live`,
        );
      }
      assert.equal(queue.size, 200);
      assert.equal((await fsp.stat(journal)).size, queue.journalBytes);
    });
  });

  describe('concurrency', () => {
    it('keeps order and integrity when pushes and acks interleave', async function () {
      this.timeout(60_000);
      let queue = await open({ maxEntries: 100_000, compactMinBytes: 1024 });
      const total = 3000;
      const delivered: QueueItem<Reading>[] = [];
      let producing = true;

      // A producer that never waits for one push before the next, in bursts.
      const producer = (async () => {
        for (let n = 0; n < total;) {
          const burst: Promise<unknown>[] = [];
          for (let i = 0; i < 1 + (n % 37) && n < total; i++, n++) burst.push(queue.push({ n }));
          await Promise.all(burst);
        }
        producing = false;
      })();
      // A drain loop like the publish node's: peek, deliver, ack; and a second
      // caller racing it with acks of the same entries, as a retry timer might.
      const consumer = (async () => {
        while (producing || !queue.isEmpty) {
          const oldest = queue.peek();
          if (!oldest) {
            await new Promise((resolve) => setImmediate(resolve));
            continue;
          }
          delivered.push(oldest);
          const [mine, racer] = await Promise.all([queue.ack(oldest.seq), queue.ack(oldest.seq)]);
          assert.deepEqual([mine, racer], [true, false]);
        }
      })();
      await Promise.all([producer, consumer]);

      assert.deepEqual(
        values(delivered),
        Array.from({ length: total }, (_, n) => n),
      );
      assert.deepEqual(
        seqs(delivered),
        Array.from({ length: total }, (_, n) => n + 1),
      );
      queue = await reopen(queue);
      assert.deepEqual(queue.warnings, []);
      assert.equal(queue.isEmpty, true);
      assert.equal((await queue.push({ n: total })).seq, total + 1);
    });

    it('resolves concurrent pushes in call order, and drops in call order when full', async () => {
      let queue = await open({ maxEntries: 10 });
      const order: number[] = [];
      const reports = await Promise.all(
        Array.from({ length: 25 }, (_, n) =>
          queue.push({ n }).then((report) => {
            order.push(report.seq);
            return report;
          }),
        ),
      );
      assert.deepEqual(
        order,
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      const dropped = reports.flatMap((report) => report.dropped);
      assert.deepEqual(
        values(dropped),
        Array.from({ length: 15 }, (_, n) => n),
      );
      queue = await reopen(queue, { maxEntries: 10 });
      assert.deepEqual(
        values(queue.entries()),
        Array.from({ length: 10 }, (_, i) => i + 15),
      );
    });
  });
});
