/**
 * Consent benchmark: `node --expose-gc dist/scripts/bench-consent.js` (also run
 * by `npm run bench`, after the SenML benchmark).
 *
 *   consent filter   packs/s of filterPack with 1,000 consents in the store, 100-record
 *                    packs, against a bare pass-through of the same packs (a new array of
 *                    copied records, what any node that hands a pack on does at least);
 *                    goal: at least 50% of the pass-through. Raw and hourly consents;
 *                    hourly also beside a plain one-pass hourly summary.
 *   audit log        appends/s to the RFC 9162 audit log (fsync'ed, a signed tree head
 *                    every 100 entries) against the bare hash-chained AppendLog under it,
 *                    one append awaited at a time and 100 in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../lib/consent/audit';
import { filterPack } from '../lib/consent/filter';
import type { ConsentRecord, Granularity, ShareAuditEntry } from '../lib/consent/model';
import type { ResolvedPack } from '../lib/senml/model';
import { AppendLog } from '../lib/store/append-log';
import { type CellPlan, measureCell, sinkValue } from './bench/measure';

const PURPOSES = [
  'https://w3id.org/dpv#ServiceProvision',
  'https://w3id.org/dpv#ResearchAndDevelopment',
  'https://w3id.org/dpv#NonCommercialResearch',
];
const NOW = Date.UTC(2026, 11, 3, 12);
const DAY_START = Date.UTC(2026, 11, 2) / 1000;
const PLAN: CellPlan = { batchMs: 200, samples: 15, warmup: 50, warmupMs: 300 };

const household = (h: number): string => `urn:dev:mac:0024befffe${(0x800000 + h).toString(16)}`;

/** 1,000 consents: a household each, twenty advisors on three domains, three purposes, some withdrawn. */
function consents(granularity: Granularity): ConsentRecord[] {
  return Array.from({ length: 1000 }, (_, h) => {
    const given = { type: 'given' as const, time: '2026-01-01T00:00:00.000Z', validity: 'P1Y' };
    const events: ConsentRecord['events'] =
      h % 10 === 9 ? [given, { type: 'withdrawn', time: '2026-06-01T00:00:00.000Z' }] : [given];
    return {
      id: `consent-${h}`,
      subject: `household-${h}`,
      recipient: `advisor${h % 20}@sen${2 + (h % 3)}.test`,
      purpose: PURPOSES[h % PURPOSES.length],
      scope: { names: [`${household(h)}:`], granularity: h === 42 ? granularity : 'raw' },
      retention: 'P30D',
      events,
    };
  });
}

/** 100 records of household 42: power and energy every 30 min, a temperature, out of a day. */
function pack(): ResolvedPack {
  const out: ResolvedPack = [];
  for (let k = 0; k < 100; k++) {
    const t = DAY_START + k * 864;
    if (k % 3 === 0) out.push({ n: `${household(42)}:power`, u: 'W', v: 800 + (k % 17) * 30, t });
    else if (k % 3 === 1)
      out.push({ n: `${household(42)}:energy`, u: 'Wh', v: 12_000 + k * 25, t });
    else out.push({ n: `${household(42)}:temperature`, u: 'Cel', v: 19 + (k % 5) / 10, t });
  }
  return out;
}

function passThrough(input: ResolvedPack): ResolvedPack {
  const out = new Array(input.length);
  for (let i = 0; i < input.length; i++) out[i] = { ...input[i] };
  return out;
}

/**
 * An hourly summary written here the plain way: one pass, a mean per name and
 * hour (the increase for Wh) in a map, sorted by time then name, no consent
 * looked at. It says what summarising costs by itself, beside a pass-through.
 */
function hourlyFloor(input: ResolvedPack): ResolvedPack {
  const windows = new Map<
    string,
    { n: string; u?: string; t: number; sum: number; count: number; first: number; last: number }
  >();
  for (const r of input) {
    const t = Math.floor(r.t / 3600) * 3600;
    const key = `${r.n} ${t}`;
    const w = windows.get(key);
    const v = r.v as number;
    if (w === undefined)
      windows.set(key, { n: r.n, u: r.u, t, sum: v, count: 1, first: v, last: v });
    else {
      w.sum += v;
      w.count += 1;
      w.last = v;
    }
  }
  const out: ResolvedPack = [];
  for (const w of windows.values())
    out.push({ n: w.n, u: w.u, t: w.t, v: w.u === 'Wh' ? w.last - w.first : w.sum / w.count });
  return out.sort((a, b) => a.t - b.t || (a.n < b.n ? -1 : a.n > b.n ? 1 : 0));
}

function benchFilter(): void {
  const input = pack();
  // The advisor and purpose of consent 42, the one that covers the pack.
  const recipient = `advisor${42 % 20}@sen${2 + (42 % 3)}.test`;
  const purpose = PURPOSES[42 % PURPOSES.length];
  console.log('consent filter: 100-record packs, 1,000 consents in the store');
  for (const granularity of ['raw', 'PT1H'] as const) {
    const store = consents(granularity);
    const check = filterPack(input, store, { recipient, purpose, now: NOW });
    if (check.allowed.length === 0) throw new Error('the benchmark pack must pass the filter');
    const cell = measureCell(
      () => filterPack(input, store, { recipient, purpose, now: NOW }),
      () => passThrough(input),
      PLAN,
    );
    const ours = 1000 / cell.ours.ms;
    const bare = 1000 / cell.baseline!.ms;
    const share = ours / bare;
    console.log(
      `  ${granularity.padEnd(4)} ${Math.round(ours).toLocaleString('en-US')} packs/s ` +
        `(${check.allowed.length} records out), pass-through ${Math.round(bare).toLocaleString('en-US')} packs/s: ` +
        `${(share * 100).toFixed(0)}%`,
    );
    if (granularity === 'raw') {
      console.log(
        `GOAL  consent filter (raw) >= 50% of pass-through: ${share >= 0.5 ? 'met' : 'NOT MET'}`,
      );
    } else {
      // Summaries are work a pass-through does not do: a plain summary says what that work costs.
      const floor = measureCell(
        () => filterPack(input, store, { recipient, purpose, now: NOW }),
        () => hourlyFloor(input),
        PLAN,
      );
      const ofFloor = floor.baseline!.ms / floor.ours.ms;
      console.log(
        `       a plain one-pass hourly summary, no consent looked at: ${Math.round(1000 / floor.baseline!.ms).toLocaleString('en-US')} packs/s: ` +
          `the filter is ${ofFloor.toFixed(2)}x it`,
      );
      console.log(
        `GOAL  consent filter (PT1H) >= 50% of pass-through: ${share >= 0.5 ? 'met' : 'NOT MET'} (it aggregates: ${ofFloor.toFixed(2)}x a plain summary)`,
      );
    }
  }
}

function shareEntry(i: number): ShareAuditEntry {
  return {
    kind: 'share',
    time: new Date(NOW + i).toISOString(),
    consents: [`consent-${i % 1000}`],
    subjects: [`household-${i % 1000}`],
    recipient: `advisor${i % 20}@sen2.test`,
    purpose: PURPOSES[0],
    channel: 'message',
    records: 24,
    names: [`${household(i % 1000)}:power`],
    span: { start: DAY_START, end: DAY_START + 86_400 },
    digest: `sha-256:${'0'.repeat(64)}`,
    retention: 'P30D',
  };
}

async function rate(
  count: number,
  inFlight: number,
  append: (i: number) => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i += inFlight) {
    const wave: Promise<unknown>[] = [];
    for (let k = i; k < Math.min(count, i + inFlight); k++) wave.push(append(k));
    await Promise.all(wave);
  }
  return count / ((performance.now() - start) / 1000);
}

async function benchAudit(): Promise<void> {
  console.log(
    '\naudit log: appends/s, fsync each (appends in flight share one), signed head every 100',
  );
  for (const [count, inFlight] of [
    [2000, 1],
    [20_000, 100],
  ] as const) {
    const dir = mkdtempSync(join(os.tmpdir(), 'senfed-bench-audit-'));
    try {
      const audit = await AuditLog.open(join(dir, 'audit'), { signEvery: 100 });
      const ours = await rate(count, inFlight, (i) => audit.append(shareEntry(i)));
      await audit.close();
      const bareLog = await AppendLog.open<ShareAuditEntry>(join(dir, 'bare.log'));
      const bare = await rate(count, inFlight, (i) => bareLog.append(shareEntry(i)));
      await bareLog.close();
      console.log(
        `  ${String(inFlight).padStart(3)} in flight: ${Math.round(ours).toLocaleString('en-US')} appends/s, ` +
          `bare AppendLog ${Math.round(bare).toLocaleString('en-US')} appends/s (${(ours / bare).toFixed(2)}x)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `Consent benchmark: node ${process.version}, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  benchFilter();
  await benchAudit();
  console.log(`\n(checksum ${sinkValue() % 997})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
