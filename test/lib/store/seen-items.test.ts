import { strict as assert } from 'node:assert';
import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeenItems } from '../../../lib/store/seen-items';

describe('SeenItems: what a subscriber has output, across restarts', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-seen-'));
    file = join(dir, 'sub', 'seen.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const ids = (from: number, to: number): string[] =>
    Array.from({ length: to - from + 1 }, (_, i) => `item-${from + i}`);

  it('starts unknown, and is known (with the same ids) once reopened after an add', () => {
    const seen = new SeenItems(file);
    assert.equal(seen.known, false);
    seen.add(ids(1, 3));
    seen.add(['item-4']);
    seen.close(); // as the subscriber does when Node-RED stops
    const again = new SeenItems(file);
    assert.equal(again.known, true);
    for (const id of ids(1, 4)) assert.ok(again.has(id), id);
    assert.equal(again.has('item-5'), false);
    assert.equal(again.lastSeenIndex(['x', 'item-2', 'item-4', 'y']), 2);
  });

  it('remembers the last item output and the time of its readings, across appends and rewrites', () => {
    const seen = new SeenItems(file, 4);
    seen.add(['a'], { id: 'a', time: 1_700_000_001 });
    seen.add(['b'], { id: 'b', time: 1_700_000_002 });
    seen.close();
    assert.deepEqual(new SeenItems(file, 4).last, { id: 'b', time: 1_700_000_002 });
    // Past capacity, the file is rewritten: the snapshot carries it.
    const more = new SeenItems(file, 4);
    for (const id of ['c', 'd', 'e', 'f', 'g'])
      more.add([id], { id, time: 1_700_000_000 + id.charCodeAt(0) });
    more.close();
    assert.deepEqual(new SeenItems(file, 4).last, { id: 'g', time: 1_700_000_000 + 103 });
    // One "last" line per flush, whatever the number of adds.
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes('"last"'));
    assert.ok(lines.length <= 2, lines.join('\n'));
  });

  it('a file of the earlier format, ids only, loads with no last item', () => {
    writeFileSync(
      file.replace('sub/seen.json', 'old.json'),
      `${JSON.stringify({ ids: ['x', 'y'] })}\n"z"\n`,
    );
    const seen = new SeenItems(file.replace('sub/seen.json', 'old.json'));
    assert.equal(seen.last, undefined);
    assert.ok(seen.has('z'));
  });

  it('an empty first look is remembered: the node was seen empty, later items are news', () => {
    const first = new SeenItems(file);
    first.add([]);
    first.close();
    const again = new SeenItems(file);
    assert.equal(again.known, true);
    assert.equal(again.lastSeenIndex(['item-1']), -1);
  });

  it('keeps the newest ids up to its capacity, in memory and after reopening', () => {
    const seen = new SeenItems(file, 10);
    for (let i = 1; i <= 35; i++) seen.add([`item-${i}`]);
    seen.close();
    for (const probe of [seen, new SeenItems(file, 10)]) {
      assert.equal(probe.has('item-25'), false);
      for (const id of ids(26, 35)) assert.ok(probe.has(id), id);
    }
  });

  it('a re-published id moves to the end, as on the node', () => {
    const seen = new SeenItems(file, 3);
    seen.add(['a', 'b', 'c']);
    seen.add(['a']); // a moves last: b is now the oldest
    seen.add(['d']); // pushes b out
    seen.close();
    const again = new SeenItems(file, 3);
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((id) => again.has(id)),
      [true, false, true, true],
    );
    assert.equal(again.lastSeenIndex(['c', 'd', 'a']), 2);
  });

  it('appends one short line per add and rewrites the file before it outgrows twice the list', () => {
    const capacity = 50;
    const seen = new SeenItems(file, capacity);
    seen.add(['first']);
    const afterSnapshot = statSync(file).size;
    seen.add(['second']);
    seen.close();
    assert.equal(
      statSync(file).size - afterSnapshot,
      '"second"\n'.length,
      'an add appends its id, not the whole list',
    );
    let largest = 0;
    for (let i = 0; i < 1000; i++) {
      seen.add([`item-${String(i).padStart(4, '0')}`]);
      seen.close();
      largest = Math.max(largest, statSync(file).size);
    }
    const oneList = JSON.stringify({ ids: ids(1, capacity).map((id) => id.padEnd(9, '0')) }).length;
    assert.ok(
      largest <= 2 * oneList + 64,
      `file grew to ${largest} bytes for a list of ~${oneList}`,
    );
    const again = new SeenItems(file, capacity);
    for (let i = 950; i < 1000; i++) assert.ok(again.has(`item-${String(i).padStart(4, '0')}`));
    assert.equal(again.has('item-0949'), false);
  });

  it('writes what was added within its delay, without waiting for close()', async () => {
    const seen = new SeenItems(file, 1000, 30);
    seen.add(['a']);
    seen.add(['b']);
    assert.equal(new SeenItems(file).has('b'), false, 'gathered first');
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(new SeenItems(file).has('b'), 'then written together');
    seen.close();
  });

  it('a torn last line (a crash mid-append) is skipped, and the next add does not glue onto it', () => {
    const seen = new SeenItems(file);
    seen.add(['a']);
    seen.add(['b']);
    seen.close();
    appendFileSync(file, '"tor'); // the write of "torn" interrupted
    const afterCrash = new SeenItems(file);
    assert.ok(afterCrash.has('a') && afterCrash.has('b'));
    assert.equal(afterCrash.has('torn'), false);
    afterCrash.add(['c']);
    afterCrash.close();
    const again = new SeenItems(file);
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => again.has(id)),
      [true, true, true],
    );
    assert.ok(
      readFileSync(file, 'utf8')
        .split('\n')
        .every((line) => line === '' || JSON.parse(line) !== undefined),
    );
  });

  it('reads the snapshot-only file of earlier versions, and an unreadable file as a fresh start', () => {
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ ids: ['x', 'y'] }));
    const old = new SeenItems(join(dir, 'old.json'));
    assert.ok(old.known && old.has('x') && old.has('y'));
    old.add(['z']);
    old.close();
    assert.ok(new SeenItems(join(dir, 'old.json')).has('z'));

    writeFileSync(join(dir, 'bad.json'), 'not json at all');
    const bad = new SeenItems(join(dir, 'bad.json'));
    assert.equal(bad.known, false);
  });
});
