/**
 * Packs for the benchmark that look like what a gateway forwards: a sea buoy and
 * three energy meters, named as in RFC 9039, readings every few seconds.
 *
 * `resolvedPack(count)` gives the resolved records (RFC 8428 §4.6); the raw input
 * packs are that pack encoded by the library itself, so they come compacted (base
 * name, time, unit and value) the way a device would send them.
 */
import type { senml } from '../../lib';

type Resolved = senml.ResolvedRecord;

/** First timestamp: 2026-01-01T00:00:00Z, in seconds. */
export const START_TIME = 1767225600;

/** mulberry32: a small seeded generator, so every run benchmarks the same bytes. */
export function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const round = (value: number, decimals: number): number => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

interface Device {
  /** RFC 9039 device name, the prefix of every record name it sends. */
  urn: string;
  /** Readings at time t: [name suffix, unit, value]. */
  read(t: number, batch: number): [string, string, number | boolean][];
}

function seaBuoy(random: () => number): Device {
  let air = 11.4;
  let water = 9.85;
  let humidity = 82.5;
  let wave = 1.2;
  return {
    urn: 'urn:dev:mac:0024befffe804ff1:',
    read(t, batch) {
      air = round(air + (random() - 0.5) * 0.3, 2);
      water = round(water + (random() - 0.5) * 0.05, 2);
      humidity = round(Math.min(100, Math.max(40, humidity + (random() - 0.5) * 2)), 1);
      wave = round(Math.max(0.1, wave + (random() - 0.5) * 0.2), 2);
      const readings: [string, string, number | boolean][] = [
        ['temperature', 'Cel', air],
        ['water-temperature', 'Cel', water],
        ['humidity', '%RH', humidity],
        ['wave-height', 'm', wave],
      ];
      // The navigation light: a switch, reported now and then ("/" is the unit of a switch's value, RFC 8428 §12.1).
      if (batch % 8 === 0) readings.push(['beacon', '/', Math.floor(t / 600) % 2 === 0]);
      return readings;
    },
  };
}

function energyMeter(urn: string, random: () => number, load: number): Device {
  let energy = round(1.2e9 + random() * 4e9, 1); // joules since installation
  let power = load;
  return {
    urn,
    read(t, batch) {
      power = round(Math.max(0, power + (random() - 0.5) * load * 0.2), 1);
      energy = round(energy + power * 5, 1);
      const readings: [string, string, number | boolean][] = [
        ['power', 'W', power],
        ['energy', 'J', energy],
      ];
      if (batch % 4 === 0) readings.push(['voltage', 'V', round(229 + random() * 4, 1)]);
      if (batch % 12 === 0) readings.push(['relay', '/', power > load * 0.5]);
      return readings;
    },
  };
}

/**
 * `count` resolved records in chronological order. Each step one device reports
 * all its readings at one time; time advances by a few seconds, now and then by a
 * fraction (meters stamp in milliseconds).
 */
export function resolvedPack(count: number, seed = 8428): Resolved[] {
  const random = randomGenerator(seed);
  const devices = [
    seaBuoy(random),
    energyMeter('urn:dev:mac:0024befffe80a1b2:', random, 2300),
    energyMeter('urn:dev:mac:0024befffe80a1b3:', random, 850),
    energyMeter('urn:dev:mac:0024befffe80c7d9:', random, 12500),
  ];
  const steps = [1, 2, 2, 2.5, 3, 3, 4, 5, 0.25, 1.5];
  const batches = devices.map(() => 0);
  const out: Resolved[] = [];
  let t = START_TIME;
  for (let step = 0; out.length < count; step++) {
    t += steps[Math.floor(random() * steps.length)];
    const which = step % devices.length;
    // Meters stamp their readings to the millisecond.
    const time = which === 0 ? t : round(t + Math.floor(random() * 1000) / 1000, 3);
    for (const [name, unit, value] of devices[which].read(time, batches[which]++)) {
      if (out.length === count) break;
      const record: Resolved = { n: devices[which].urn + name, t: time, u: unit };
      if (typeof value === 'boolean') record.vb = value;
      else record.v = value;
      out.push(record);
    }
    if (which !== 0) t = time; // keep the pack in chronological order
  }
  return out;
}

/** How much of a compacted pack relies on base fields: records setting bn, bt, bu, bv. */
export function baseFieldCounts(
  pack: readonly Record<string, unknown>[],
): Record<'bn' | 'bt' | 'bu' | 'bv', number> {
  const counts = { bn: 0, bt: 0, bu: 0, bv: 0 };
  for (const record of pack)
    for (const key of ['bn', 'bt', 'bu', 'bv'] as const)
      if (record[key] !== undefined) counts[key]++;
  return counts;
}
