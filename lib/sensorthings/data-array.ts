/**
 * Observations written with the DataArray extension (STA 1.1 §14.3, `POST
 * CreateObservations`): many rows in one request, one answer row per row sent.
 *
 * FROST answers 201 even when rows fail: each answer row is the URL of the new
 * Observation or an `"error …"` string (also for a Datastream that does not exist), so
 * every row's outcome is read and given back; nothing is taken as stored unless its row
 * says so.
 *
 * Rows go in one DataArray item per Datastream and set of components, in the order
 * given; the components are `phenomenonTime`, `result`, and `parameters` and
 * `FeatureOfInterest/id` only for the rows that have them (FROST refuses a null
 * `parameters`). An Observation of a Thing without a Location needs a FeatureOfInterest
 * id (EntityResolver.featureOfInterestFor makes one per Thing); with a Location FROST
 * makes one from it.
 *
 * `findObservations` tells, before a resend whose outcome was unclear (a timeout after
 * the request went out), which rows the server stored already, so that a retry never
 * stores an Observation twice.
 */
import { sentence, type Sentence } from '../errors';
import { STA_CLIENT_MESSAGES, SensorThingsServerError } from './client-messages';
import { entityPath, idFromUrl, queryString, type SensorThingsClient } from './http';
import type { EntityId } from './model';

export interface ObservationRow {
  datastreamId: EntityId;
  /** An ISO 8601 instant with `Z` or a `+hh:mm` offset (`+hhmm` is rewritten so: FROST refuses it). */
  phenomenonTime: string;
  result: unknown;
  parameters?: Record<string, unknown>;
  /** Needed when the Datastream's Thing has no Location. */
  featureOfInterestId?: EntityId;
}

export type RowOutcome =
  { ok: true; id: EntityId; url: string } | { ok: false; error: Sentence; serverMessage: string };

interface Group {
  datastreamId: EntityId;
  components: string[];
  rows: number[];
}

/**
 * Stores the rows in one `CreateObservations` request; resolves with each row's
 * outcome, in the order given. Rejects (SensorThingsServerError) only when the request as a
 * whole failed: then no row is known to be stored, unless `outcomeUnknown` says the
 * request went out, when findObservations tells.
 */
export async function createObservations(
  client: SensorThingsClient,
  rows: readonly ObservationRow[],
): Promise<RowOutcome[]> {
  if (rows.length === 0) return [];
  const groups = new Map<string, Group>();
  rows.forEach((row, index) => {
    const withParameters = row.parameters !== undefined;
    const withFeature = row.featureOfInterestId !== undefined;
    const key = `${typeof row.datastreamId}:${row.datastreamId}|${withParameters}|${withFeature}`;
    let group = groups.get(key);
    if (group === undefined) {
      const components = ['phenomenonTime', 'result'];
      if (withParameters) components.push('parameters');
      if (withFeature) components.push('FeatureOfInterest/id');
      group = { datastreamId: row.datastreamId, components, rows: [] };
      groups.set(key, group);
    }
    group.rows.push(index);
  });

  const body = [...groups.values()].map((group) => ({
    Datastream: { '@iot.id': group.datastreamId },
    components: group.components,
    dataArray: group.rows.map((index) => {
      const row = rows[index];
      const values: unknown[] = [offsetWithColon(row.phenomenonTime), row.result];
      if (row.parameters !== undefined) values.push(row.parameters);
      if (row.featureOfInterestId !== undefined) values.push(row.featureOfInterestId);
      return values;
    }),
  }));
  const order = [...groups.values()].flatMap((group) => group.rows);

  const answer = await client.post('CreateObservations', body);
  const answered = answer.body;
  if (!Array.isArray(answered))
    throw new SensorThingsServerError(
      'STA_ANSWER',
      { method: 'POST', entity: 'CreateObservations', reason: 'not a list of rows' },
      { entity: 'CreateObservations', url: answer.url, status: answer.status },
    );
  if (answered.length !== rows.length)
    throw new SensorThingsServerError(
      'STA_ROWS',
      { got: answered.length, sent: rows.length },
      { entity: 'CreateObservations', url: answer.url, status: answer.status },
    );

  const outcomes: RowOutcome[] = new Array<RowOutcome>(rows.length);
  answered.forEach((value: unknown, position) => {
    const index = order[position];
    const row = rows[index];
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const id = typeof value === 'string' && !/^error\b/i.test(value) ? idFromUrl(value) : undefined;
    if (id !== undefined) {
      outcomes[index] = { ok: true, id, url: value as string };
      return;
    }
    const serverMessage = text.replace(/^error\s*/i, '').trim() || text;
    outcomes[index] = {
      ok: false,
      serverMessage,
      error: sentence('STA_ROW', STA_CLIENT_MESSAGES.STA_ROW, {
        phenomenonTime: row.phenomenonTime,
        datastream: String(row.datastreamId),
        serverMessage,
      }),
    };
  });
  return outcomes;
}

/** The id of an Observation of that Datastream with that time and result, if the server has one. */
export async function findObservation(
  client: SensorThingsClient,
  datastreamId: EntityId,
  phenomenonTime: string,
  result: unknown,
): Promise<EntityId | undefined> {
  return (await findObservations(client, [{ datastreamId, phenomenonTime, result }]))[0];
}

/**
 * For each row, the id of an Observation already stored with the same Datastream,
 * phenomenonTime (to the millisecond) and result, or undefined: one query per
 * Datastream over the rows' time span. Two equal rows need two stored Observations.
 */
export async function findObservations(
  client: SensorThingsClient,
  rows: readonly Pick<ObservationRow, 'datastreamId' | 'phenomenonTime' | 'result'>[],
): Promise<(EntityId | undefined)[]> {
  const found: (EntityId | undefined)[] = Array.from({ length: rows.length }, () => undefined);
  const byDatastream = new Map<string, { id: EntityId; rows: number[] }>();
  rows.forEach((row, index) => {
    const key = `${typeof row.datastreamId}:${row.datastreamId}`;
    const entry = byDatastream.get(key) ?? { id: row.datastreamId, rows: [] };
    entry.rows.push(index);
    byDatastream.set(key, entry);
  });

  for (const { id, rows: indexes } of byDatastream.values()) {
    const times = indexes.map((i) => instant(rows[i].phenomenonTime));
    const from = Math.min(...times.filter(Number.isFinite));
    const to = Math.max(...times.filter(Number.isFinite));
    if (!Number.isFinite(from)) continue;
    let stored: Record<string, unknown>[];
    try {
      stored = await client.getAll(
        `${entityPath('Datastreams', id)}/Observations${queryString({
          $filter: `phenomenonTime ge ${new Date(from).toISOString()} and phenomenonTime lt ${new Date(to + 1).toISOString()}`,
          $select: 'id,phenomenonTime,result',
          $orderby: 'id asc',
          $top: 1000,
        })}`,
        { entity: `Observations of Datastream ${id}` },
      );
    } catch (err) {
      // A Datastream that is not there holds none of them.
      if (err instanceof SensorThingsServerError && err.status === 404) continue;
      throw err;
    }
    const claimed = new Set<EntityId>();
    indexes.forEach((index, k) => {
      const match = stored.find(
        (obs) =>
          !claimed.has(obs['@iot.id'] as EntityId) &&
          instant(String(obs.phenomenonTime)) === times[k] &&
          sameValue(obs.result, rows[index].result),
      );
      if (match !== undefined) {
        claimed.add(match['@iot.id'] as EntityId);
        found[index] = match['@iot.id'] as EntityId;
      }
    });
  }
  return found;
}

/** `2024-03-01T12:00:00+0100` → `…+01:00`; anything else as given. */
export function offsetWithColon(time: string): string {
  return time.replace(/([+-])(\d{2})(\d{2})$/, (whole, sign: string, h: string, m: string) =>
    /T\d/.test(time) ? `${sign}${h}:${m}` : whole,
  );
}

/** The instant (ms) of an ISO time, the start of an interval `start/end`. */
function instant(time: string): number {
  return Date.parse(offsetWithColon(time.split('/')[0]));
}

/** JSON equality, keys in any order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter(
    (k) => (a as Record<string, unknown>)[k] !== undefined,
  );
  const kb = Object.keys(b as object).filter(
    (k) => (b as Record<string, unknown>)[k] !== undefined,
  );
  if (ka.length !== kb.length) return false;
  return ka.every((k) =>
    sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
