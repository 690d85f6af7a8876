import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameCounters } from '../../../lib/store/frame-counters';

describe('frame counters (LoRaWAN replay protection across restarts)', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'senfed-fcnt-'));
    file = join(dir, 'counters', 'frame-counters.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last accepted counter and session of each device across a reopen', async () => {
    const counters = await FrameCounters.open(file);
    assert.equal(counters.get('26011bda'), undefined);
    await counters.accept('26011bda', 70_000, 'abp');
    await counters.accept('26011bdb', 3, 'join-1');
    await counters.close();
    const again = await FrameCounters.open(file);
    assert.deepEqual(again.get('26011bda'), { fCnt: 70_000, session: 'abp' });
    assert.deepEqual(again.get('26011bdb'), { fCnt: 3, session: 'join-1' });
    assert.deepEqual(again.warnings, []);
    await again.close();
  });

  it('accepts made together are all on disk once each resolves (one write for many)', async () => {
    const counters = await FrameCounters.open(file);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => counters.accept(`dev${i % 20}`, i, 'abp')),
    );
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(Object.keys(written.devices).length, 20);
    assert.equal(written.devices.dev19.fCnt, 199);
    await counters.close();
  });

  it('a file that cannot be read is set aside with a warning, and every device starts again', async () => {
    const counters = await FrameCounters.open(file);
    await counters.accept('26011bda', 5, 'abp');
    await counters.close();
    writeFileSync(file, '{"format":"senfed-frame-counters/1","devices":{"x":{"fCnt":"five"}}}');
    const again = await FrameCounters.open(file);
    assert.equal(again.get('x'), undefined);
    assert.equal(again.warnings[0].messageId, 'COUNTERS_SET_ASIDE');
    assert.ok(readdirSync(join(dir, 'counters')).some((f) => f.includes('.corrupt-')));
    assert.ok(!existsSync(file) || readFileSync(file, 'utf8').length > 0);
    await again.close();
  });

  it('after close, an accept is refused', async () => {
    const counters = await FrameCounters.open(file);
    await counters.close();
    await assert.rejects(counters.accept('a', 1, 'abp'), { code: 'COUNTERS_CLOSED' });
  });
});
