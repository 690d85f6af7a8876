/**
 * What the federation keeps on disk (queued readings, seen item ids, subscribers'
 * JIDs) is for the user Node-RED runs as alone: files 0600 in folders 0700, also
 * when an earlier version left them readable by all.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableQueue } from '../../../lib/store/durable-queue';
import { SeenItems } from '../../../lib/store/seen-items';
import { SubscriberRegistry } from '../../../lib/store/subscriber-registry';

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

describe("durable files are private to Node-RED's user", () => {
  let root: string;
  let umask: number;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'senfed-modes-'));
    umask = process.umask(0o022); // the usual umask, which would leave new files readable by all
  });
  afterEach(() => {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  });

  /** Every folder from `top` down, and every file in them, as "path mode". */
  function modes(top: string): string[] {
    const found = [`${top} ${mode(top)}`];
    for (const entry of readdirSync(top, { withFileTypes: true })) {
      const path = join(top, entry.name);
      found.push(...(entry.isDirectory() ? modes(path) : [`${path} ${mode(path)}`]));
    }
    return found;
  }
  const expected = (found: string[]): string[] =>
    found.map((line) =>
      line.replace(/ \d+$/, (m) =>
        statSync(line.slice(0, -m.length)).isDirectory() ? ' 700' : ' 600',
      ),
    );

  it('a new queue, seen-ids file and subscriber registry, folders included', async () => {
    const queue = await DurableQueue.open<number>(join(root, 'senfed', 'queues', 'a'), {
      maxEntries: 10,
    });
    await queue.push(1);
    await queue.close();
    const seen = new SeenItems(join(root, 'senfed', 'subscriptions', 'b', 'seen.json'), 10, 0);
    for (let i = 0; i < 25; i++) seen.add([`item-${i}`]); // past its capacity: rewritten through a temporary file
    seen.close();
    const registry = await SubscriberRegistry.open(
      join(root, 'senfed', 'providers', 'c', 'subscribers.json'),
    );
    await registry.add('urn:dev:mac:0024befffe804ff1:temperature', 'bob@sen2.test/x');
    await registry.close();
    const found = modes(join(root, 'senfed'));
    assert.ok(found.length >= 10, found.join('\n'));
    assert.deepEqual(found, expected(found));
  });

  it('files and folders an earlier version left readable by all are narrowed when opened', async () => {
    const queueDir = join(root, 'queues', 'a');
    const seenDir = join(root, 'subscriptions', 'b');
    const registryDir = join(root, 'providers', 'c');
    for (const dir of [queueDir, seenDir, registryDir]) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
    writeFileSync(join(seenDir, 'seen.json'), '{"ids":["x"]}\n', { mode: 0o644 });
    writeFileSync(
      join(registryDir, 'subscribers.json'),
      '{"format":"senfed-subscribers/1","identifiers":{}}\n',
      { mode: 0o644 },
    );
    writeFileSync(join(registryDir, 'subscribers.json.tmp'), 'left by a crash', { mode: 0o644 });
    const queue = await DurableQueue.open<number>(queueDir, { maxEntries: 10 });
    await queue.close();
    const seen = new SeenItems(join(seenDir, 'seen.json'), 10, 0);
    assert.ok(seen.has('x'), 'the old file still reads');
    seen.close();
    const registry = await SubscriberRegistry.open(join(registryDir, 'subscribers.json'));
    await registry.add('urn:dev:mac:0024befffe804ff1:temperature', 'bob@sen2.test/x');
    await registry.close();
    for (const dir of [queueDir, seenDir, registryDir]) assert.equal(mode(dir), '700', dir);
    const files = [
      join(queueDir, 'queue.jsonl'),
      join(seenDir, 'seen.json'),
      join(registryDir, 'subscribers.json'),
    ];
    assert.deepEqual(files.map(mode), ['600', '600', '600']);
  });
});
