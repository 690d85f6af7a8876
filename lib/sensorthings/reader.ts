/**
 * SensorThings Observations read back as resolved SenML packs: the inverse of
 * mapping.ts, and a poller that outputs the new Observations of chosen
 * Datastreams once each, across restarts.
 *
 * The mapping back (`observationsToPack`):
 *
 * - the name: the Thing's name followed by the ObservedProperty's (mapping.ts
 *   makes the Thing of the device part of the SenML name, separator included,
 *   and the ObservedProperty of the measurement part): `urn:dev:mac:…:` +
 *   `water_temperature`. A Thing named without a separator at its end (another
 *   writer's, or a `defaultThing`) gets "/" between the two, unless it is the
 *   `defaultThing` given here, whose records are named by their measurement
 *   alone, or the `baseName` given here, which is joined as it is;
 * - `t`: the phenomenonTime; of an interval (`start/end`), its start. FROST orders
 *   and compares an interval by its start (`phenomenonTime gt T` is "starts after
 *   T"), so the packs come out in the order of their `t`, and a value over a
 *   period is stamped at the period's start as Quoalise does, which the federation
 *   carries on;
 * - the value by observationType and result: OM_TruthObservation `vb`,
 *   OM_Measurement `v` (or `s` for a sum Datastream of mapping.ts: unit definition
 *   RFC 8428 §4.2 or a name ending in ` sum` / ` sum (unit)`), OM_CategoryObservation
 *   `vs`, OM_Observation by its result: `{data, encoding: "base64url"}` `vd`, a text
 *   `vs`, a number `v`, a boolean `vb`, other JSON as text in `vs`;
 * - `u`: the SenML unit of the Datastream's unitOfMeasurement (units.ts the other
 *   way). Where several SenML units share one (`/` and `%` are both UCUM `1`, a
 *   ratio), the unit the Datastream's name ends with in parentheses decides, as
 *   mapping.ts names them; then the SenML unit written as the UCUM symbol; a symbol
 *   that no SenML unit has is kept as the unit. No `u` for null units, booleans,
 *   texts and data.
 *
 * The poller (`ObservationPoller`) keeps, per Datastream, the position of the last
 * Observation it handed on, (phenomenonTime start, end, id), in a small JSON file
 * (0600, replaced atomically). It asks for what comes after it, in the order FROST
 * keeps (`$orderby=phenomenonTime asc,id asc`, which FROST 2.4.2 orders by start,
 * then end, then id), a page of `pageSize` at a time, each page asked again from the
 * position reached. It does not follow `@iot.nextLink`: after a page ending with an
 * interval, FROST 2.4.2's link carries `$skipFilter=(phenomenonTime gt start/end)`,
 * which passes over the next intervals that start at the same time.
 * A page is handed on as one pack, and the position moves past it only once the
 * callback has resolved and the file is written: a restart resumes after the last
 * pack handed on, with no repeat and no gap (a crash between the two may output
 * that one pack again: at least once, never lost).
 *
 * The filter: `phenomenonTime ge S and (not (phenomenonTime eq S) or id gt L)`, S and
 * L the last start and id. FROST 2.4.2 takes `phenomenonTime gt S or (phenomenonTime
 * eq S and id gt L)` too, but an interval is never `eq` an instant and is `gt` only
 * when it starts after it, so that form skips the intervals that start at S. This
 * one is exact for instants and fetches again the few intervals starting at S,
 * which the poller drops by their position.
 *
 * Observations whose phenomenonTime is older than the position when they are
 * stored (a late upload) sort before it and are not output: the order is time.
 *
 * An Observation's `parameters` (what `sensorthings out` wrote from msg.meta) are
 * handed on as the pack's `meta`: a page is cut into packs of consecutive
 * Observations with the same parameters, so that each pack carries its own.
 *
 * `poll(ids)` reads some Datastreams now: the MQTT subscriber (mqtt-subscriber.ts)
 * calls it when the server tells of a new Observation, so that live Observations are
 * read from the same position, once each, as the polls read them.
 */
import { promises as fsp } from 'node:fs';
import { Backoff, type BackoffOptions } from '../backoff';
import { canonicalJson } from '../canonical-json';
import { sentence, type Sentence } from '../errors';
import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import { isMissing, replaceFile, setAside } from '../store/files';
import { STA_CLIENT_MESSAGES, SensorThingsServerError } from './client-messages';
import { compareIds } from './find-or-create';
import { entityPath, type SensorThingsClient } from './http';
import { OM_CATEGORY, OM_MEASUREMENT, OM_OBSERVATION, OM_TRUTH } from './mapping';
import type { EntityId, UnitOfMeasurement } from './model';
import { percentEncode, quoteString } from './odata';
import { MAPPED_UNITS, SUM_DEFINITION, sumUnitOfMeasurement, unitOfMeasurement } from './units';

/** What the mapping back needs of a Datastream. */
export interface DatastreamInfo {
  id: EntityId;
  name: string;
  /** The name of its Thing: the device part of the SenML names. */
  thing: string;
  /** The name of its ObservedProperty: the measurement part. */
  observedProperty: string;
  unitOfMeasurement: UnitOfMeasurement;
  observationType: string;
}

/** An Observation as the server gives it (`@iot.id`, phenomenonTime, result). */
export interface ObservationRead {
  '@iot.id': EntityId;
  phenomenonTime: string;
  result: unknown;
  [property: string]: unknown;
}

export interface ReaderOptions {
  /** The Thing whose records mapping.ts named by their measurement alone. */
  defaultThing?: string;
  /** The base name mapping.ts split the names after. */
  baseName?: string;
  /** Said of each Observation skipped (a result or time that SenML cannot carry). */
  onSkip?: (note: Sentence, observation: unknown) => void;
}

/** The SenML name of a Datastream's records. */
export function senmlName(
  thing: string,
  measurement: string,
  options: Pick<ReaderOptions, 'defaultThing' | 'baseName'> = {},
): string {
  if (options.defaultThing !== undefined && thing === options.defaultThing) return measurement;
  if (options.baseName !== undefined && thing === options.baseName) return thing + measurement;
  return /[:/_]$/.test(thing) ? thing + measurement : `${thing}/${measurement}`;
}

/** The start and end of a phenomenonTime (an instant, or an ISO 8601 interval `start/end`), in ms. */
export function timeSpan(phenomenonTime: unknown): { start: number; end: number } | undefined {
  if (typeof phenomenonTime !== 'string') return undefined;
  const [first, second, ...rest] = phenomenonTime.split('/');
  if (rest.length > 0) return undefined;
  const start = Date.parse(first);
  const end = second === undefined ? start : Date.parse(second);
  if (!Number.isFinite(start) || !Number.isFinite(end)) return undefined;
  return { start, end };
}

function sameUnit(a: UnitOfMeasurement, b: UnitOfMeasurement): boolean {
  return a.name === b.name && a.symbol === b.symbol && a.definition === b.definition;
}

function isSumDatastream(ds: DatastreamInfo): boolean {
  return ds.unitOfMeasurement?.definition === SUM_DEFINITION || / sum( \([^()]*\))?$/.test(ds.name);
}

/** The SenML unit of a Datastream (see the top of this file), or undefined for none. */
export function senmlUnit(ds: DatastreamInfo, sum = false): string | undefined {
  const uom = ds.unitOfMeasurement;
  if (!uom || (uom.name === null && uom.symbol === null && uom.definition === null))
    return undefined;
  const candidates = MAPPED_UNITS.filter((u) => {
    const mapped = unitOfMeasurement(u)!;
    return sameUnit(sum ? sumUnitOfMeasurement(mapped) : mapped, uom);
  });
  const named = /\(([^()]*)\)$/.exec(ds.name)?.[1];
  if (named !== undefined && candidates.includes(named)) return named;
  if (candidates.length > 0) return candidates.find((u) => u === uom.symbol) ?? candidates[0];
  // Not a unit mapping.ts writes: a kept unknown unit, or another writer's UCUM symbol.
  if (typeof uom.symbol === 'string' && uom.symbol !== '') {
    if (!sum) return uom.symbol;
    return uom.symbol.endsWith('.s') ? uom.symbol.slice(0, -2) : uom.symbol;
  }
  return undefined;
}

/**
 * Observations of one Datastream as a resolved pack, sorted by time (and id
 * within a time). Observations whose time or result SenML cannot carry are left
 * out and said through `onSkip`.
 */
export function observationsToPack(
  datastream: DatastreamInfo,
  observations: readonly ObservationRead[],
  options: ReaderOptions = {},
): ResolvedPack {
  const name = senmlName(datastream.thing, datastream.observedProperty, options);
  const records: { record: ResolvedRecord; start: number; end: number; id: EntityId }[] = [];
  const sum = datastream.observationType === OM_MEASUREMENT && isSumDatastream(datastream);
  const unit = senmlUnit(datastream, sum);
  const skip = (observation: ObservationRead, field: string, got: unknown) =>
    options.onSkip?.(
      sentence('STA_OBSERVATION_SKIPPED', STA_CLIENT_MESSAGES.STA_OBSERVATION_SKIPPED, {
        id: String(observation?.['@iot.id']),
        datastream: String(datastream.id),
        field,
        got: shortJson(got),
      }),
      observation,
    );
  for (const observation of observations) {
    const span = timeSpan(observation?.phenomenonTime);
    if (span === undefined) {
      skip(observation, 'phenomenonTime', observation?.phenomenonTime);
      continue;
    }
    const value = valueOf(datastream.observationType, observation.result, sum);
    if (value === undefined) {
      skip(observation, 'result', observation.result);
      continue;
    }
    const record: ResolvedRecord = { n: name, t: span.start / 1000, ...value };
    if (unit !== undefined && ('v' in value || 's' in value)) record.u = unit;
    records.push({ record, ...span, id: observation['@iot.id'] });
  }
  records.sort((a, b) => comparePositions(a, b));
  return records.map(({ record }) => record);
}

type Value = Pick<ResolvedRecord, 'v' | 'vb' | 'vs' | 'vd' | 's'>;

function valueOf(observationType: string, result: unknown, sum: boolean): Value | undefined {
  if (result === null || result === undefined) return undefined;
  const number = (): Value | undefined => {
    const n = typeof result === 'string' && result.trim() !== '' ? Number(result) : result;
    if (typeof n !== 'number' || !Number.isFinite(n)) return undefined;
    return sum ? { s: n } : { v: n };
  };
  switch (observationType) {
    case OM_MEASUREMENT:
      return number();
    case OM_TRUTH:
      if (typeof result === 'boolean') return { vb: result };
      if (result === 'true' || result === 'false') return { vb: result === 'true' };
      return undefined;
    case OM_CATEGORY:
      return typeof result === 'string' ? { vs: result } : { vs: JSON.stringify(result) };
    case OM_OBSERVATION:
    default: {
      if (typeof result === 'number') return Number.isFinite(result) ? { v: result } : undefined;
      if (typeof result === 'boolean') return { vb: result };
      if (typeof result === 'string') return { vs: result };
      const data = result as { data?: unknown; encoding?: unknown };
      if (
        typeof data === 'object' &&
        data.encoding === 'base64url' &&
        typeof data.data === 'string' &&
        Object.keys(data).length === 2
      )
        return { vd: data.data };
      return { vs: JSON.stringify(result) };
    }
  }
}

function shortJson(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

// ---- positions ----

/** Where a Datastream was read up to: the last Observation handed on. */
export interface Position {
  /** Its phenomenonTime's start as the server wrote it (used as the $filter literal). */
  time: string;
  start: number;
  end: number;
  id: EntityId;
}

function comparePositions(
  a: { start: number; end: number; id: EntityId },
  b: { start: number; end: number; id: EntityId },
): number {
  return a.start - b.start || a.end - b.end || compareIds(a.id, b.id);
}

function positionOf(observation: ObservationRead): Position | undefined {
  const span = timeSpan(observation?.phenomenonTime);
  const id = observation?.['@iot.id'];
  if (span === undefined || !(typeof id === 'number' || typeof id === 'string')) return undefined;
  return { time: observation.phenomenonTime.split('/')[0], ...span, id };
}

/** The $filter of what comes after a position (see the top of this file). */
export function filterAfterPosition(position: Position): string {
  const t = position.time;
  const id = typeof position.id === 'number' ? String(position.id) : quoteString(position.id);
  return `phenomenonTime ge ${t} and (not (phenomenonTime eq ${t}) or id gt ${id})`;
}

export const CURSOR_FORMAT = 'senfed-sensorthings-cursor/1';

/**
 * The positions of the Datastreams of one poller, in one file:
 * `{"format":…,"serviceRoot":…,"datastreams":{"12":{"time":…,"start":…,"end":…,"id":…}}}`;
 * a Datastream read with "start from now" while it had no Observation holds `null`
 * (read from its first one). Keys are the ids as JSON.
 */
export class PositionFile {
  readonly file: string;
  readonly serviceRoot: string;
  readonly warnings: Sentence[] = [];
  readonly #positions = new Map<string, Position | null>();
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, serviceRoot: string) {
    this.file = file;
    this.serviceRoot = serviceRoot;
  }

  static async open(file: string, serviceRoot: string): Promise<PositionFile> {
    const positions = new PositionFile(file, serviceRoot);
    let text: string | undefined;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (err) {
      if (!isMissing(err))
        throw new SensorThingsServerError(
          'STA_CURSOR_READ',
          { file, cause: err instanceof Error ? err.message : String(err) },
          {},
          { cause: err },
        );
    }
    if (text === undefined) return positions;
    const read = readPositions(text);
    if (read === undefined) {
      const copy = await setAside(file);
      positions.warnings.push(
        sentence('STA_CURSOR_SET_ASIDE', STA_CLIENT_MESSAGES.STA_CURSOR_SET_ASIDE, { file, copy }),
      );
    } else if (read.serviceRoot === serviceRoot) {
      for (const [key, position] of read.datastreams) positions.#positions.set(key, position);
    }
    // Positions of another server mean nothing here: they are forgotten at the next write.
    return positions;
  }

  /** The position of a Datastream; undefined when it was never read, null when read from its start. */
  get(id: EntityId): Position | null | undefined {
    const position = this.#positions.get(JSON.stringify(id));
    return position === null ? null : position && { ...position };
  }

  /** Sets a position and writes the file; resolves once it is on disk. */
  set(id: EntityId, position: Position | null): Promise<void> {
    this.#positions.set(JSON.stringify(id), position === null ? null : { ...position });
    const data = JSON.stringify({
      format: CURSOR_FORMAT,
      serviceRoot: this.serviceRoot,
      datastreams: Object.fromEntries(this.#positions),
    });
    const write = this.#writing.catch(() => undefined).then(() => replaceFile(this.file, data));
    this.#writing = write;
    return write.catch((err: unknown) => {
      throw new SensorThingsServerError(
        'STA_CURSOR_WRITE',
        { file: this.file, cause: err instanceof Error ? err.message : String(err) },
        {},
        { cause: err },
      );
    });
  }

  async close(): Promise<void> {
    await this.#writing.catch(() => undefined);
  }
}

function readPositions(
  text: string,
): { serviceRoot: unknown; datastreams: Map<string, Position | null> } | undefined {
  let parsed: { format?: unknown; serviceRoot?: unknown; datastreams?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed?.format !== CURSOR_FORMAT) return undefined;
  if (typeof parsed.datastreams !== 'object' || parsed.datastreams === null) return undefined;
  const datastreams = new Map<string, Position | null>();
  for (const [key, value] of Object.entries(parsed.datastreams as Record<string, unknown>)) {
    if (value === null) {
      datastreams.set(key, null);
      continue;
    }
    const p = value as Partial<Position>;
    if (
      typeof p.time !== 'string' ||
      !Number.isFinite(p.start) ||
      !Number.isFinite(p.end) ||
      !(typeof p.id === 'number' || typeof p.id === 'string')
    )
      return undefined;
    datastreams.set(key, { time: p.time, start: p.start!, end: p.end!, id: p.id });
  }
  return { serviceRoot: parsed.serviceRoot, datastreams };
}

// ---- reading the server ----

const DATASTREAM_QUERY =
  '$select=id,name,unitOfMeasurement,observationType' +
  '&$expand=Thing($select=name),ObservedProperty($select=name)';

function datastreamInfo(entity: Record<string, unknown>): DatastreamInfo {
  const uom = (entity.unitOfMeasurement ?? {}) as Partial<UnitOfMeasurement>;
  return {
    id: entity['@iot.id'] as EntityId,
    name: String(entity.name ?? ''),
    thing: String((entity.Thing as { name?: unknown } | undefined)?.name ?? ''),
    observedProperty: String(
      (entity.ObservedProperty as { name?: unknown } | undefined)?.name ?? '',
    ),
    unitOfMeasurement: {
      name: uom.name ?? null,
      symbol: uom.symbol ?? null,
      definition: uom.definition ?? null,
    },
    observationType: String(entity.observationType ?? ''),
  };
}

/** One Datastream's description; a SensorThingsServerError STA_DATASTREAM_MISSING when it is not there. */
export async function readDatastream(
  client: SensorThingsClient,
  id: EntityId,
): Promise<DatastreamInfo> {
  const path = `${entityPath('Datastreams', id)}?${DATASTREAM_QUERY}`;
  try {
    const answer = await client.get(path, { entity: `Datastreams(${String(id)})` });
    return datastreamInfo(answer.body as Record<string, unknown>);
  } catch (err) {
    throw missing(client, id, err);
  }
}

function missing(client: SensorThingsClient, id: EntityId, err: unknown): unknown {
  if (err instanceof SensorThingsServerError && err.gone)
    return new SensorThingsServerError(
      'STA_DATASTREAM_MISSING',
      { datastream: String(id), url: client.serviceRoot },
      { status: err.status, entity: `Datastreams(${String(id)})`, url: err.url, retryable: false },
      { cause: err },
    );
  return err;
}

/** What a dialog lists: every Datastream of the server, by id. */
export interface DatastreamListing {
  id: EntityId;
  name: string;
  thing: string;
  observedProperty: string;
  /** The UCUM symbol, or null. */
  unit: string | null;
  observationType: string;
}

export async function listDatastreams(client: SensorThingsClient): Promise<DatastreamListing[]> {
  const all = await client.getAll(`Datastreams?${DATASTREAM_QUERY}&$orderby=id%20asc`, {
    entity: 'Datastreams',
  });
  return all.map((entity) => {
    const info = datastreamInfo(entity);
    return {
      id: info.id,
      name: info.name,
      thing: info.thing,
      observedProperty: info.observedProperty,
      unit: info.unitOfMeasurement.symbol,
      observationType: info.observationType,
    };
  });
}

/**
 * Datastream ids as a person types them: apart by commas or spaces, a whole number
 * as a number, a text in single quotes (`'abc'`, a quote doubled) as a text.
 */
export function parseDatastreamIds(text: string): EntityId[] {
  const ids: EntityId[] = [];
  const pattern = /\s*('(?:[^']|'')*'|[^\s,']+)\s*,?/y;
  let at = 0;
  while (text.slice(at).trim() !== '') {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null)
      throw new SensorThingsServerError('STA_DATASTREAM_ID', { got: text.slice(at).trim() });
    at = pattern.lastIndex;
    const word = match[1];
    if (/^\d+$/.test(word) && Number.isSafeInteger(Number(word))) ids.push(Number(word));
    else if (/^'.*'$/.test(word)) ids.push(word.slice(1, -1).replace(/''/g, "'"));
    else throw new SensorThingsServerError('STA_DATASTREAM_ID', { got: word });
  }
  return ids;
}

// ---- the poller ----

export interface PackHandedOn {
  pack: ResolvedPack;
  datastream: DatastreamInfo;
  /** The Observations the pack was made of, in its order. */
  observations: number;
  /** Their parameters (the same for all of them), when they have any: msg.meta as `sensorthings out` wrote it. */
  meta?: Record<string, unknown>;
}

export interface PollReport {
  at: Date;
  /** Records handed on during this poll. */
  records: number;
  /** Packs handed on during this poll. */
  packs: number;
  /** Datastreams whose poll failed. */
  failed: number;
}

export interface ObservationPollerOptions {
  client: SensorThingsClient;
  datastreams: readonly EntityId[];
  /** The position file (a JSON file of its own per poller). */
  file: string;
  /** Time between the end of one poll and the next, in ms. Default 60 000. */
  intervalMs?: number;
  /** Observations per page and pack at most. Default 500. */
  pageSize?: number;
  /** Where a Datastream never read starts: its Observations from now on (default), or all of them. */
  startFrom?: 'now' | 'everything';
  /** Hands a pack on; the position moves past it once this resolves. A rejection keeps the position: the pack comes again at the next poll. */
  onPack: (handed: PackHandedOn) => void | Promise<void>;
  /** Said of each failure (a poll of one Datastream, a position write); polling goes on. */
  onError?: (err: unknown, datastream?: EntityId) => void;
  /** Observations left out, positions set aside. */
  onWarning?: (note: Sentence) => void;
  /** After every poll. */
  onPoll?: (report: PollReport) => void;
  /** The waits after a poll the server failed (5xx, no connection), instead of intervalMs. */
  backoff?: BackoffOptions;
  reader?: Pick<ReaderOptions, 'defaultThing' | 'baseName'>;
}

export class ObservationPoller {
  readonly client: SensorThingsClient;
  readonly datastreams: readonly EntityId[];
  readonly intervalMs: number;
  readonly pageSize: number;
  readonly startFrom: 'now' | 'everything';
  readonly #options: ObservationPollerOptions;
  readonly #infos = new Map<string, DatastreamInfo>();
  readonly #backoff: Backoff;
  #positions: PositionFile | undefined;
  #opening: Promise<PositionFile> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PollReport> | undefined;
  #closed = false;
  #started = false;
  /** The last poll met a server failure (5xx, no connection): the next waits a backoff's delay. */
  #serverFailed = false;

  constructor(options: ObservationPollerOptions) {
    this.client = options.client;
    this.datastreams = [...options.datastreams];
    this.intervalMs = options.intervalMs ?? 60_000;
    this.pageSize = options.pageSize ?? 500;
    this.startFrom = options.startFrom ?? 'now';
    this.#options = options;
    this.#backoff = new Backoff(options.backoff ?? { initialMs: 5_000, maxMs: 300_000 });
  }

  /** Polls now, then again `intervalMs` after each poll ends (a backoff's wait after a server failure). */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#schedule(0);
  }

  /** One poll of every Datastream (or of those given), now (after the one under way, if any). */
  poll(datastreams: readonly EntityId[] = this.datastreams): Promise<PollReport> {
    const run = (this.#running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.#pollAll(datastreams));
    this.#running = run;
    return run;
  }

  /** Stops polling; resolves once the poll under way and the position file are done. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    await (this.#positions ?? (await this.#opening?.catch(() => undefined)))?.close();
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.poll().then(
        (report) => {
          const retry = report.failed > 0 && this.#serverFailed;
          if (!retry) this.#backoff.reset();
          this.#schedule(retry ? this.#backoff.next() : this.intervalMs);
        },
        () => this.#schedule(this.#backoff.next()),
      );
    }, ms);
  }

  async #open(): Promise<PositionFile> {
    if (this.#positions) return this.#positions;
    this.#opening ??= PositionFile.open(this.#options.file, this.client.serviceRoot);
    try {
      this.#positions = await this.#opening;
    } catch (err) {
      this.#opening = undefined;
      throw err;
    }
    for (const note of this.#positions.warnings) this.#options.onWarning?.(note);
    return this.#positions;
  }

  async #pollAll(datastreams: readonly EntityId[]): Promise<PollReport> {
    const report: PollReport = { at: new Date(), records: 0, packs: 0, failed: 0 };
    this.#serverFailed = false;
    let positions: PositionFile;
    try {
      positions = await this.#open();
    } catch (err) {
      report.failed = datastreams.length;
      this.#options.onError?.(err);
      this.#options.onPoll?.(report);
      return report;
    }
    for (const id of datastreams) {
      if (this.#closed) break;
      try {
        await this.#pollOne(id, positions, report);
      } catch (err) {
        report.failed++;
        if (isRetryable(err)) this.#serverFailed = true;
        this.#options.onError?.(err, id);
      }
    }
    this.#options.onPoll?.(report);
    return report;
  }

  async #info(id: EntityId): Promise<DatastreamInfo> {
    const key = JSON.stringify(id);
    const known = this.#infos.get(key);
    if (known) return known;
    const info = await readDatastream(this.client, id);
    this.#infos.set(key, info);
    return info;
  }

  async #pollOne(id: EntityId, positions: PositionFile, report: PollReport): Promise<void> {
    const datastream = await this.#info(id);
    const observations = `${entityPath('Datastreams', id)}/Observations`;
    let position = positions.get(id);
    if (position === undefined) {
      if (this.startFrom === 'now') {
        // The newest Observation now is where reading starts: nothing before it is output.
        const newest = await this.#get(
          id,
          `${observations}?${query({
            $orderby: 'phenomenonTime desc,id desc',
            $top: 1,
            $select: 'id,phenomenonTime',
          })}`,
        );
        const latest = newest.value[0] && positionOf(newest.value[0]);
        position = latest ?? null;
        await positions.set(id, position);
        return;
      }
      position = null;
    }
    // Each page is asked from the position reached (not by @iot.nextLink: see the top of
    // this file); $skip passes over what a page held of Observations read already.
    let skip = 0;
    while (!this.#closed) {
      const page = await this.#get(
        id,
        `${observations}?${query({
          ...(position ? { $filter: filterAfterPosition(position) } : {}),
          $orderby: 'phenomenonTime asc,id asc',
          $top: this.pageSize,
          ...(skip > 0 ? { $skip: skip } : {}),
          $select: 'id,phenomenonTime,result,parameters',
        })}`,
      );
      const fresh: ObservationRead[] = [];
      let last: Position | null = position;
      let old = 0;
      for (const observation of page.value) {
        const at = positionOf(observation);
        if (at === undefined) {
          old++;
          observationsToPack(datastream, [observation], { onSkip: this.#skipped }); // says why
        } else if (position && comparePositions(at, position) <= 0) {
          old++; // an interval starting at the position, read already
        } else {
          fresh.push(observation);
          if (!last || comparePositions(at, last) > 0) last = at;
        }
      }
      // Closing: nothing more is handed on (a flow being stopped would drop it), nor passed.
      if (this.#closed) return;
      if (fresh.length > 0) {
        for (const run of runsOfParameters(fresh)) {
          if (this.#closed) return;
          const pack = observationsToPack(datastream, run.observations, {
            ...this.#options.reader,
            onSkip: this.#skipped,
          });
          if (pack.length > 0) {
            const handed: PackHandedOn = {
              pack,
              datastream,
              observations: run.observations.length,
            };
            if (run.meta !== undefined) handed.meta = run.meta;
            await this.#options.onPack(handed);
            report.records += pack.length;
            report.packs++;
          }
          const end = lastPosition(run.observations, position);
          await positions.set(id, end);
          position = end;
        }
        position = last;
        skip = 0;
      } else skip += old;
      if (page.value.length < this.pageSize) return;
    }
  }

  readonly #skipped = (note: Sentence): void => this.#options.onWarning?.(note);

  async #get(id: EntityId, path: string): Promise<{ value: ObservationRead[] }> {
    let body: { value?: unknown };
    try {
      body = (await this.client.get(path, { entity: `Datastreams(${String(id)})/Observations` }))
        .body as typeof body;
    } catch (err) {
      throw missing(this.client, id, err);
    }
    if (!body || !Array.isArray(body.value))
      throw new SensorThingsServerError('STA_ANSWER', {
        method: 'GET',
        entity: `Datastreams(${String(id)})/Observations`,
        reason: 'no "value" list',
      });
    return { value: body.value as ObservationRead[] };
  }
}

/**
 * Consecutive Observations with the same parameters, in their order. The pages come
 * in position order, so each run ends at its own last position.
 */
function runsOfParameters(
  observations: readonly ObservationRead[],
): { observations: ObservationRead[]; meta?: Record<string, unknown> }[] {
  const runs: { key: string; observations: ObservationRead[]; meta?: Record<string, unknown> }[] =
    [];
  for (const observation of observations) {
    const parameters = metaOf(observation.parameters);
    const key =
      parameters === undefined
        ? ''
        : canonicalJson(parameters, () => {
            throw new SensorThingsServerError('STA_ANSWER', {
              method: 'GET',
              entity: `Observations(${String(observation['@iot.id'])})`,
              reason: 'parameters that are not JSON',
            });
          });
    const current = runs[runs.length - 1];
    if (current !== undefined && current.key === key) current.observations.push(observation);
    else
      runs.push({
        key,
        observations: [observation],
        ...(parameters === undefined ? {} : { meta: parameters }),
      });
  }
  return runs;
}

/** Parameters that are an object with members, as msg.meta; nothing otherwise. */
function metaOf(parameters: unknown): Record<string, unknown> | undefined {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    return undefined;
  return Object.keys(parameters).length === 0 ? undefined : (parameters as Record<string, unknown>);
}

function lastPosition(
  observations: readonly ObservationRead[],
  from: Position | null,
): Position | null {
  let last = from;
  for (const observation of observations) {
    const at = positionOf(observation);
    if (at !== undefined && (!last || comparePositions(at, last) > 0)) last = at;
  }
  return last;
}

function isRetryable(err: unknown): boolean {
  return err instanceof SensorThingsServerError && err.retryable;
}

function query(options: Record<string, string | number>): string {
  return Object.entries(options)
    .map(([name, value]) => `${name}=${percentEncode(String(value))}`)
    .join('&');
}
