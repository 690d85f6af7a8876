/**
 * The small documents of lib/store under `kill -9`: a process writes as fast as it
 * can and is killed at moments spread over its writes; each time the file is read
 * back. The subscriber registry (atomic replace) keeps every change that resolved
 * and is never torn; the seen ids (appends and atomic snapshots) are never torn,
 * and keep the order in which ids were added, losing at most the newest few (the
 * policy in lib/store/index.ts); the append-only log keeps every record that
 * resolved, reads back whole and chained, and never changes what it held before
 * a kill. The durable queue's own test is in
 * durable-queue.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AppendLog } from '../../../lib/store/append-log';
import { SeenItems } from '../../../lib/store/seen-items';
import { SubscriberRegistry } from '../../../lib/store/subscriber-registry';
import { runAndKill } from '../../support/kill';

const KILL_AFTER_MS = [150, 260, 400, 90, 330, 520, 200, 610];

describe('lib/store under SIGKILL', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'senfed-sigkill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the subscriber registry keeps every change that resolved, and is never torn', async () => {
    const file = path.join(dir, 'providers', 'p', 'subscribers.json');
    const child = `
      const { SubscriberRegistry } = require(process.env.STORE_MODULE);
      (async () => {
        const registry = await SubscriberRegistry.open(process.env.STORE_FILE);
        for (let n = Number(process.env.FIRST); ; n++) {
          await registry.add('urn:dev:mac:' + n, 'bob@sen2.test/r' + (n % 3));
          // Some removals too, so that the document shrinks as well as grows.
          if (n % 5 === 0) await registry.remove('urn:dev:mac:' + (n - 1), 'bob@sen2.test');
          process.stdout.write('R ' + n + '\\n');
        }
      })().catch((err) => { console.error(err); process.exit(1); });
    `;
    let first = 0;
    let confirmed = 0;
    for (const ms of KILL_AFTER_MS) {
      const lines = await runAndKill(
        child,
        {
          STORE_MODULE: path.resolve(__dirname, '../../../lib/store/subscriber-registry.js'),
          STORE_FILE: file,
          FIRST: String(first),
        },
        ms,
      );
      const resolved = lines.map((line) => Number(line.split(' ')[1]));
      assert.ok(resolved.length > 0, 'the child wrote something');
      const registry = await SubscriberRegistry.open(file);
      assert.deepEqual(registry.warnings, [], 'read back whole');
      const last = resolved[resolved.length - 1]!;
      for (const n of resolved) {
        const held = registry.subscribers(`urn:dev:mac:${n}`).length;
        // The step after n removes n when n + 1 is a multiple of 5; the kill may land after its
        // removal reached the disk and before it was reported: then either is right for the last one.
        if ((n + 1) % 5 === 0 && n === last) assert.ok(held <= 1, `change ${n}`);
        else
          assert.equal(
            held,
            (n + 1) % 5 === 0 ? 0 : 1,
            `change ${n}, which resolved before the kill`,
          );
      }
      await registry.close();
      confirmed += resolved.length;
      first = last + 2; // past anything that may have reached the disk unreported
    }
    assert.ok(confirmed > 100, `only ${confirmed} changes over ${KILL_AFTER_MS.length} kills`);
  });

  it('the seen ids are never torn and keep their order, losing at most the newest moments', async () => {
    const file = path.join(dir, 'subscriptions', 's', 'seen.json');
    const capacity = 200;
    const child = `
      const { SeenItems } = require(process.env.STORE_MODULE);
      const seen = new SeenItems(process.env.STORE_FILE, ${capacity});
      let n = Number(process.env.FIRST);
      const tick = () => {
        // A few ids at a time, as catch-up outputs them; past the capacity, snapshots follow.
        const ids = [];
        for (let i = 0; i < 7; i++) ids.push('item-' + n++);
        seen.add(ids, { id: ids[ids.length - 1], time: 1700000000 + n });
        process.stdout.write('S ' + (n - 1) + '\\n');
        setImmediate(tick);
      };
      tick();
    `;
    let first = 0;
    for (const ms of KILL_AFTER_MS) {
      const lines = await runAndKill(
        child,
        {
          STORE_MODULE: path.resolve(__dirname, '../../../lib/store/seen-items.js'),
          STORE_FILE: file,
          FIRST: String(first),
        },
        ms,
      );
      const lastAdded = Number(lines[lines.length - 1]!.split(' ')[1]);
      const seen = new SeenItems(file, capacity);
      assert.equal(seen.known, true, 'read back');
      // What was kept is a run of consecutive ids ending at the newest one kept: nothing reordered, no hole.
      let newest = -1;
      for (let n = lastAdded + 7; n >= 0; n--) {
        if (seen.has(`item-${n}`)) {
          newest = n;
          break;
        }
      }
      assert.ok(newest >= 0, 'some ids kept');
      const kept = Math.min(capacity, newest + 1);
      for (let n = newest - kept + 1; n <= newest; n++)
        assert.ok(seen.has(`item-${n}`), `item-${n}: a hole below the newest kept, item-${newest}`);
      assert.equal(seen.has(`item-${newest - capacity}`), false, 'no more than the capacity');
      assert.ok(
        seen.last !== undefined && Number(seen.last.id.slice(5)) <= newest,
        `last output ${seen.last?.id}, newest id ${newest}`,
      );
      // At most the ids of the last moments are forgotten (appends gathered for 50 ms): items output again, never lost.
      assert.ok(lastAdded - newest < 5000, `forgot ${lastAdded - newest} ids`);
      seen.close();
      first = newest + 1; // go on from what was kept, as a restarted subscriber would
    }
  });

  it('the append-only log keeps every record that resolved, chained and whole, and never rewrites what it held', async () => {
    const file = path.join(dir, 'consent', 'audit.jsonl');
    const child = `
      const { AppendLog } = require(process.env.STORE_MODULE);
      (async () => {
        const log = await AppendLog.open(process.env.STORE_FILE);
        for (;;) {
          // Bursts of appends in flight together, as a consent filter logs a pack's decisions.
          const burst = Array.from({ length: 4 }, (_, i) => log.append({ event: 'shared', note: 'x'.repeat(40 + ((log.head.seq + i) % 97)) }));
          for (const record of await Promise.all(burst)) process.stdout.write('L ' + record.seq + '\\n');
        }
      })().catch((err) => { console.error(err); process.exit(1); });
    `;
    let before = Buffer.alloc(0);
    let confirmed = 0;
    let cut = 0;
    for (const ms of KILL_AFTER_MS) {
      const lines = await runAndKill(
        child,
        {
          STORE_MODULE: path.resolve(__dirname, '../../../lib/store/append-log.js'),
          STORE_FILE: file,
        },
        ms,
      );
      const resolved = lines.map((line) => Number(line.split(' ')[1]));
      assert.ok(resolved.length > 0, 'the child wrote something');
      const onDisk = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
      assert.ok(
        onDisk.subarray(0, before.length).equals(before),
        'what the log held before the run is unchanged',
      );
      const log = await AppendLog.open(file);
      cut += log.warnings.length;
      const check = await log.verify();
      assert.deepEqual(check.problems, [], 'read back whole and chained');
      const seqs = new Set<number>();
      for await (const record of log.records()) seqs.add(record.seq);
      for (const seq of resolved)
        assert.ok(seqs.has(seq), `record ${seq} resolved before the kill and is gone`);
      assert.equal(check.records, log.head.seq, 'numbered one after another');
      await log.close();
      before = readFileSync(file);
      confirmed += resolved.length;
    }
    assert.ok(confirmed > 100, `only ${confirmed} records over ${KILL_AFTER_MS.length} kills`);
    if (process.env.STORE_TEST_VERBOSE)
      console.log(`      ${confirmed} records confirmed, ${cut} unfinished writes cut`);
  });
});
