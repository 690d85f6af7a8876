/**
 * Find-or-create of the entities an Observation needs (Thing, Location, Datastream,
 * Sensor, ObservedProperty; a FeatureOfInterest for a Thing without a Location), so
 * that many messages at once, and several Node-RED instances writing to one server,
 * end up with one Thing per name and one Datastream per name within a Thing.
 *
 * STA has no unique names and no lock, so:
 *
 * - Looked up by name (`$filter=name eq '…'`, lowest id first): a Thing by its name, a
 *   Datastream by its Thing and name, a Sensor and an ObservedProperty by name, so
 *   that Things share them.
 * - Created when missing, in one deep insert (a Thing with its Location and its
 *   Datastream, the Datastream's Sensor and ObservedProperty inside it or linked by
 *   `@iot.id`), or a Datastream linked to its existing Thing; the new id is taken from
 *   the `Location` header (FROST answers 201 with no body).
 * - Within the process, creation is serialised per Thing name (and per Sensor and
 *   ObservedProperty name while one of those is being created): concurrent calls wait
 *   for the one creation.
 * - Across processes: after a create, wait `settleMs` (another writer's create may be
 *   committing) and look up again. The lowest id wins, for every writer alike. A writer
 *   whose own new entity lost deletes it, unless Observations are already in it: a
 *   third writer found it by name in the moment before the winner was visible and
 *   wrote to it. Deleting a Thing or Datastream deletes its Observations with it, so
 *   such a copy is kept and reported in `warnings` for a person to merge: losing
 *   observations is worse than a duplicate. A writer that had cached a deleted copy
 *   meets a 404 (or FROST's "No such entity") and resolves again (`check`).
 * - Ids are cached in memory and in a JSON file of `directory` (0600, replaced
 *   atomically): a restart looks nothing up again.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { sentence, type Sentence } from '../errors';
import { isMissing, replaceFile, setAside } from '../store/files';
import { STA_CLIENT_MESSAGES, SensorThingsServerError } from './client-messages';
import {
  entityPath,
  idFromUrl,
  odataString,
  queryString,
  type SensorThingsClient,
  type StaAnswer,
} from './http';
import type {
  DatastreamSpec,
  EntityId,
  ObservedPropertySpec,
  SensorSpec,
  ThingSpec,
} from './model';

export const ID_CACHE_FORMAT = 'senfed-sensorthings-ids/1';
const DEFAULT_SETTLE_MS = 300;

/** Promise chains by key: `run` calls for one key run one after the other. */
export class CreationLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.catch(() => undefined).then(fn);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}

/** The locks of every resolver of this process that names none: keys carry the service root. */
const PROCESS_LOCKS = new CreationLocks();

export interface EntityResolverOptions {
  client: SensorThingsClient;
  /** The folder of the durable id cache; without one, ids are kept in memory only. */
  directory?: string;
  /** Wait after a create before looking up again for another writer's copy, in ms. Default 300. */
  settleMs?: number;
  /** Creation locks; default those of the whole process, so that two resolvers of one server in one process never race. */
  locks?: CreationLocks;
}

export interface ResolveOptions {
  /**
   * Ask the server whether a cached id is still there (after a write to it failed):
   * a gone id is dropped and the entity resolved again.
   */
  check?: boolean;
}

/** What the resolver did, for status and tests. */
export interface ResolverCounts {
  lookups: number;
  created: { things: number; datastreams: number; featuresOfInterest: number };
  /** Copies another writer's race made, that this resolver deleted. */
  duplicatesDeleted: number;
}

interface CachedThing {
  /** Unknown when only the Thing's FeatureOfInterest is known, or its Datastream was dropped. */
  id?: EntityId;
  datastreams: Map<string, EntityId>;
  featureOfInterest?: EntityId;
}

type Link = { '@iot.id': EntityId };

export class EntityResolver {
  readonly client: SensorThingsClient;
  /** The cache file, when there is a directory. */
  readonly file: string | undefined;
  readonly settleMs: number;
  /** Duplicates kept, a cache set aside: said once, for the node to show. */
  readonly warnings: Sentence[] = [];
  readonly counts: ResolverCounts = {
    lookups: 0,
    created: { things: 0, datastreams: 0, featuresOfInterest: 0 },
    duplicatesDeleted: 0,
  };
  readonly #locks: CreationLocks;
  readonly #things = new Map<string, CachedThing>();
  #writing: Promise<void> = Promise.resolve();
  #pending: Promise<void> | undefined;
  #writeFailed = false;

  private constructor(options: EntityResolverOptions) {
    this.client = options.client;
    this.settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
    this.#locks = options.locks ?? PROCESS_LOCKS;
    this.file =
      options.directory === undefined
        ? undefined
        : path.join(
            options.directory,
            `sensorthings-ids-${createHash('sha256').update(this.client.serviceRoot).digest('hex').slice(0, 16)}.json`,
          );
  }

  /** A resolver, with the ids its cache file holds for this service root. */
  static async open(options: EntityResolverOptions): Promise<EntityResolver> {
    const resolver = new EntityResolver(options);
    await resolver.#load();
    return resolver;
  }

  /** The id of the Datastream, found or created with whatever of its Thing is missing. */
  async datastreamFor(
    thing: ThingSpec,
    datastream: DatastreamSpec,
    options: ResolveOptions = {},
  ): Promise<EntityId> {
    const cached = this.#things.get(thing.name)?.datastreams.get(datastream.name);
    if (cached !== undefined) {
      if (!options.check || (await this.#exists(entityPath('Datastreams', cached)))) return cached;
      this.#forgetDatastream(thing.name, datastream.name, cached);
    }
    return this.#locks.run(this.#key('thing', thing.name), () =>
      this.#resolveDatastream(thing, datastream),
    );
  }

  /**
   * A FeatureOfInterest for the Observations of a Thing without a Location (FROST makes
   * one from the Location otherwise, and refuses an Observation with neither): one per
   * Thing, named as the Thing, its feature an empty GeometryCollection (no place known).
   * Undefined for a Thing with a Location.
   */
  async featureOfInterestFor(
    thing: ThingSpec,
    options: ResolveOptions = {},
  ): Promise<EntityId | undefined> {
    if (thing.location !== undefined) return undefined;
    const cached = this.#things.get(thing.name)?.featureOfInterest;
    if (cached !== undefined) {
      if (!options.check || (await this.#exists(entityPath('FeaturesOfInterest', cached))))
        return cached;
      const entry = this.#things.get(thing.name);
      if (entry?.featureOfInterest === cached) delete entry.featureOfInterest;
    }
    return this.#locks.run(this.#key('thing', thing.name), () => this.#resolveFeature(thing));
  }

  /** Drop a cached Datastream id (a write to it said it is gone); the next call resolves it again. */
  forgetDatastream(id: EntityId): void {
    for (const [name, entry] of this.#things)
      for (const [dsName, dsId] of entry.datastreams)
        if (dsId === id) this.#forgetDatastream(name, dsName, id);
  }

  /** Waits for the cache file to be written. */
  async close(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await this.#pending?.catch(() => undefined);
  }

  // ---- resolution, under the Thing's lock ----

  async #resolveDatastream(thing: ThingSpec, ds: DatastreamSpec, again = false): Promise<EntityId> {
    const entry = this.#things.get(thing.name);
    const known = entry?.datastreams.get(ds.name);
    if (known !== undefined) return known;

    const cachedThing = entry?.id;
    const thingId = cachedThing ?? (await this.#lookup('Things', thing.name, 'Thing'))[0];
    if (thingId === undefined) {
      const made = await this.#createThing(thing, ds);
      await this.#remember(thing.name, made.thingId, ds.name, made.datastreamId);
      return made.datastreamId;
    }
    let dsId: EntityId;
    try {
      dsId =
        (await this.#lookupDatastreams(thingId, ds.name))[0] ??
        (await this.#createDatastream(thingId, thing.name, ds));
    } catch (err) {
      // The cached Thing was deleted on the server (a 404, or FROST's 400 "No such
      // entity" for the link to it): find or create it anew, once.
      if (
        !again &&
        cachedThing !== undefined &&
        err instanceof SensorThingsServerError &&
        err.gone
      ) {
        if (entry !== undefined) delete entry.id;
        return this.#resolveDatastream(thing, ds, true);
      }
      throw err;
    }
    await this.#remember(thing.name, thingId, ds.name, dsId);
    return dsId;
  }

  async #createThing(
    thing: ThingSpec,
    ds: DatastreamSpec,
  ): Promise<{ thingId: EntityId; datastreamId: EntityId }> {
    const settled = await this.#withShared(
      ds.sensor,
      ds.observedProperty,
      async (sensorId, propertyId) => {
        const body: Record<string, unknown> = {
          name: thing.name,
          description: thing.description,
          ...(thing.properties !== undefined ? { properties: thing.properties } : {}),
          ...(thing.location !== undefined ? { Locations: [thing.location] } : {}),
          Datastreams: [datastreamBody(ds, sensorId, propertyId)],
        };
        const entity = `Thing "${thing.name}"`;
        const own = createdId(await this.client.post('Things', body, { entity }), entity);
        this.counts.created.things += 1;
        // The new Sensor and ObservedProperty, when they were made in this insert.
        const made = await this.#nestedOf(own, ds.name);
        await sleep(this.settleMs);

        const winner = await this.#winner('Things', thing.name, 'Thing', own);
        if (winner !== own) {
          await this.#discard(entityPath('Things', own), 'Thing', thing.name, winner, own);
          await this.#discardShared(made, sensorId, propertyId);
          return { thingId: winner, datastreamId: undefined };
        }
        if (made.datastream === undefined)
          throw new SensorThingsServerError(
            'STA_NOT_FOUND_AFTER_CREATE',
            { entity: 'Datastream', name: ds.name, id: String(own) },
            { entity: `Datastream "${ds.name}"` },
          );
        await this.#settleShared(made, sensorId, propertyId, ds);
        return { thingId: own, datastreamId: made.datastream };
      },
    );
    // Another writer's Thing won, or may have put the same Datastream in this one
    // meanwhile: the lowest id by name, created in the winner if missing. Outside the
    // Sensor and ObservedProperty locks, which a creation here takes again.
    const { thingId } = settled;
    const found = (await this.#lookupDatastreams(thingId, ds.name))[0] ?? settled.datastreamId;
    const datastreamId = found ?? (await this.#createDatastream(thingId, thing.name, ds));
    return { thingId, datastreamId };
  }

  async #createDatastream(thingId: EntityId, thingName: string, ds: DatastreamSpec) {
    return this.#withShared(ds.sensor, ds.observedProperty, async (sensorId, propertyId) => {
      const entity = `Datastream "${ds.name}" of Thing "${thingName}"`;
      const body = { ...datastreamBody(ds, sensorId, propertyId), Thing: link(thingId) };
      const own = createdId(await this.client.post('Datastreams', body, { entity }), entity);
      this.counts.created.datastreams += 1;
      const made: Nested = { datastream: own };
      if (sensorId === undefined) made.sensor = await this.#linkedId(own, 'Sensor');
      if (propertyId === undefined)
        made.observedProperty = await this.#linkedId(own, 'ObservedProperty');
      await sleep(this.settleMs);

      const ids = await this.#lookupDatastreams(thingId, ds.name);
      const winner = ids[0];
      if (winner === undefined)
        throw new SensorThingsServerError(
          'STA_NOT_FOUND_AFTER_CREATE',
          { entity: 'Datastream', name: ds.name, id: String(own) },
          { entity },
        );
      if (winner !== own) {
        await this.#discard(entityPath('Datastreams', own), 'Datastream', ds.name, winner, own);
        await this.#discardShared(made, sensorId, propertyId);
        return winner;
      }
      await this.#settleShared(made, sensorId, propertyId, ds);
      return own;
    });
  }

  async #resolveFeature(thing: ThingSpec): Promise<EntityId> {
    const known = this.#things.get(thing.name)?.featureOfInterest;
    if (known !== undefined) return known;
    const entity = `FeatureOfInterest "${thing.name}"`;
    let id = (await this.#lookup('FeaturesOfInterest', thing.name, 'FeatureOfInterest'))[0];
    if (id === undefined) {
      const body = {
        name: thing.name,
        description: thing.description,
        encodingType: 'application/geo+json',
        feature: { type: 'GeometryCollection', geometries: [] },
      };
      const own = createdId(await this.client.post('FeaturesOfInterest', body, { entity }), entity);
      this.counts.created.featuresOfInterest += 1;
      await sleep(this.settleMs);
      id = await this.#winner('FeaturesOfInterest', thing.name, 'FeatureOfInterest', own);
      if (id !== own)
        await this.#discard(
          entityPath('FeaturesOfInterest', own),
          'FeatureOfInterest',
          thing.name,
          id,
          own,
        );
    }
    const entry = this.#things.get(thing.name);
    if (entry !== undefined) {
      entry.featureOfInterest = id;
      await this.#save();
    } else {
      // The Thing itself is not known yet: keep the feature until it is.
      this.#things.set(thing.name, { datastreams: new Map(), featureOfInterest: id });
      await this.#save();
    }
    return id;
  }

  // ---- Sensors and ObservedProperties shared between Things ----

  /**
   * Runs `create` with the ids of the Sensor and ObservedProperty found by name, or
   * undefined for those to create: then under their name's lock, so that two Things
   * created at once in this process make one of each.
   */
  async #withShared<T>(
    sensor: SensorSpec,
    property: ObservedPropertySpec,
    create: (sensorId?: EntityId, propertyId?: EntityId) => Promise<T>,
  ): Promise<T> {
    const withProperty = async (sensorId: EntityId | undefined) => {
      const found = (
        await this.#lookup('ObservedProperties', property.name, 'ObservedProperty')
      )[0];
      if (found !== undefined) return create(sensorId, found);
      return this.#locks.run(this.#key('property', property.name), async () =>
        create(
          sensorId,
          (await this.#lookup('ObservedProperties', property.name, 'ObservedProperty'))[0],
        ),
      );
    };
    const found = (await this.#lookup('Sensors', sensor.name, 'Sensor'))[0];
    if (found !== undefined) return withProperty(found);
    return this.#locks.run(this.#key('sensor', sensor.name), async () =>
      withProperty((await this.#lookup('Sensors', sensor.name, 'Sensor'))[0]),
    );
  }

  /**
   * A Sensor or ObservedProperty this writer made and another writer made too at the
   * same time: the Datastream is linked to the lowest id, and this writer's copy is
   * deleted if no Datastream uses it (deleting one deletes its Datastreams).
   */
  async #settleShared(
    made: Nested,
    sensorId: EntityId | undefined,
    propertyId: EntityId | undefined,
    ds: DatastreamSpec,
  ): Promise<void> {
    const shared = [
      {
        set: 'Sensors',
        link: 'Sensor',
        own: sensorId === undefined ? made.sensor : undefined,
        name: ds.sensor.name,
      },
      {
        set: 'ObservedProperties',
        link: 'ObservedProperty',
        own: propertyId === undefined ? made.observedProperty : undefined,
        name: ds.observedProperty.name,
      },
    ];
    for (const { set, link: linkName, own, name } of shared) {
      if (own === undefined || made.datastream === undefined) continue;
      const winner = await this.#winner(set, name, linkName, own);
      if (winner === own) continue;
      await this.client.patch(
        entityPath('Datastreams', made.datastream),
        { [linkName]: link(winner) },
        { entity: `Datastream "${ds.name}"` },
      );
      await this.#deleteIfUnused(set, own);
    }
  }

  /** After this writer's Thing or Datastream was discarded: its new Sensor and ObservedProperty, if unused. */
  async #discardShared(
    made: Nested,
    sensorId: EntityId | undefined,
    propertyId: EntityId | undefined,
  ): Promise<void> {
    if (sensorId === undefined && made.sensor !== undefined)
      await this.#deleteIfUnused('Sensors', made.sensor);
    if (propertyId === undefined && made.observedProperty !== undefined)
      await this.#deleteIfUnused('ObservedProperties', made.observedProperty);
  }

  async #deleteIfUnused(set: string, id: EntityId): Promise<void> {
    const used = await this.client.get(
      `${entityPath(set, id)}/Datastreams${queryString({ $select: 'id', $top: 1 })}`,
    );
    if (valueOf(used).length > 0) return;
    await this.#deleteQuietly(entityPath(set, id));
  }

  // ---- duplicates ----

  /** The lowest id by that name, this writer's own included (it may not be visible yet in a slow store). */
  async #winner(set: string, name: string, kind: string, own: EntityId): Promise<EntityId> {
    const ids = await this.#lookup(set, name, kind);
    return [...ids, own].sort(compareIds)[0];
  }

  /**
   * This writer's copy lost the race: deleted, unless Observations are in it already
   * (someone found it before the winner was visible and wrote to it).
   */
  async #discard(
    entityUrl: string,
    kind: string,
    name: string,
    kept: EntityId,
    duplicate: EntityId,
  ): Promise<void> {
    const observations =
      kind === 'Thing'
        ? `${entityUrl}/Datastreams${queryString({ $select: 'id', $expand: 'Observations($select=id;$top=1)' })}`
        : `${entityUrl}/Observations${queryString({ $select: 'id', $top: 1 })}`;
    const answer = await this.client.get(observations);
    const used =
      kind === 'Thing'
        ? valueOf(answer).some(
            (ds) => Array.isArray(ds.Observations) && (ds.Observations as unknown[]).length > 0,
          )
        : valueOf(answer).length > 0;
    if (used) {
      this.warnings.push(
        sentence('STA_DUPLICATE_KEPT', STA_CLIENT_MESSAGES.STA_DUPLICATE_KEPT, {
          entity: kind,
          name,
          kept: String(kept),
          duplicate: String(duplicate),
        }),
      );
      return;
    }
    if (await this.#deleteQuietly(entityUrl)) this.counts.duplicatesDeleted += 1;
  }

  /** DELETE; a copy already gone is no error. */
  async #deleteQuietly(entityUrl: string): Promise<boolean> {
    try {
      await this.client.delete(entityUrl);
      return true;
    } catch (err) {
      if (err instanceof SensorThingsServerError && err.status === 404) return false;
      throw err;
    }
  }

  // ---- lookups ----

  /** The ids of the entities of a set with that name, lowest first. */
  async #lookup(set: string, name: string, kind: string): Promise<EntityId[]> {
    this.counts.lookups += 1;
    const answer = await this.client.get(
      `${set}${queryString({
        $filter: `name eq ${odataString(name)}`,
        $orderby: 'id asc',
        $select: 'id',
        $top: 100,
      })}`,
      { entity: `${kind} "${name}"` },
    );
    return idsOf(answer);
  }

  async #lookupDatastreams(thingId: EntityId, name: string): Promise<EntityId[]> {
    this.counts.lookups += 1;
    const answer = await this.client.get(
      `${entityPath('Things', thingId)}/Datastreams${queryString({
        $filter: `name eq ${odataString(name)}`,
        $orderby: 'id asc',
        $select: 'id',
        $top: 100,
      })}`,
      { entity: `Datastream "${name}"` },
    );
    return idsOf(answer);
  }

  /** The Datastream of a new Thing, and the Sensor and ObservedProperty it links to. */
  async #nestedOf(thingId: EntityId, dsName: string): Promise<Nested> {
    const answer = await this.client.get(
      `${entityPath('Things', thingId)}/Datastreams${queryString({
        $filter: `name eq ${odataString(dsName)}`,
        $select: 'id',
        $expand: 'Sensor($select=id),ObservedProperty($select=id)',
      })}`,
    );
    const ds = valueOf(answer)[0];
    if (ds === undefined) return {};
    return {
      datastream: ds['@iot.id'] as EntityId,
      sensor: (ds.Sensor as { '@iot.id'?: EntityId } | undefined)?.['@iot.id'],
      observedProperty: (ds.ObservedProperty as { '@iot.id'?: EntityId } | undefined)?.['@iot.id'],
    };
  }

  async #linkedId(datastreamId: EntityId, linkName: string): Promise<EntityId | undefined> {
    const answer = await this.client.get(
      `${entityPath('Datastreams', datastreamId)}/${linkName}${queryString({ $select: 'id' })}`,
    );
    return (answer.body as { '@iot.id'?: EntityId } | undefined)?.['@iot.id'];
  }

  async #exists(entityUrl: string): Promise<boolean> {
    try {
      await this.client.get(`${entityUrl}${queryString({ $select: 'id' })}`);
      return true;
    } catch (err) {
      if (err instanceof SensorThingsServerError && err.gone) return false;
      throw err;
    }
  }

  #key(kind: string, name: string): string {
    return `${this.client.serviceRoot}\u0000${kind}\u0000${name}`;
  }

  // ---- the cache ----

  #forgetDatastream(thingName: string, dsName: string, id: EntityId): void {
    const entry = this.#things.get(thingName);
    if (entry?.datastreams.get(dsName) !== id) return;
    entry.datastreams.delete(dsName);
    // The Datastream may have gone with its Thing: look the Thing up again too.
    if (entry.datastreams.size === 0 && entry.featureOfInterest === undefined)
      this.#things.delete(thingName);
    else delete entry.id;
    void this.#save();
  }

  async #remember(
    thingName: string,
    thingId: EntityId,
    dsName: string,
    dsId: EntityId,
  ): Promise<void> {
    let entry = this.#things.get(thingName);
    if (entry === undefined) {
      entry = { id: thingId, datastreams: new Map() };
      this.#things.set(thingName, entry);
    }
    entry.id = thingId;
    entry.datastreams.set(dsName, dsId);
    await this.#save();
  }

  /**
   * The cache written; a failure is said once in `warnings` and not thrown: the ids
   * are right all the same, and the server gives them again after a restart.
   */
  async #save(): Promise<void> {
    try {
      await this.#write();
      this.#writeFailed = false;
    } catch (err) {
      if (this.#writeFailed) return;
      this.#writeFailed = true;
      this.warnings.push(
        sentence('STA_CACHE_WRITE', STA_CLIENT_MESSAGES.STA_CACHE_WRITE, {
          file: this.file ?? '',
          cause: err instanceof Error ? err.message : String(err),
        }),
      );
    }
  }

  async #load(): Promise<void> {
    if (this.file === undefined) return;
    let text: string | undefined;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (err) {
      if (isMissing(err)) return;
      throw new SensorThingsServerError(
        'STA_CACHE_READ',
        { file: this.file, cause: err instanceof Error ? err.message : String(err) },
        {},
        { cause: err },
      );
    }
    const things = readCache(text, this.client.serviceRoot);
    if (things === undefined) {
      // Only ids the server can give again: start empty, keep the file for a person to look at.
      const copy = await setAside(this.file);
      this.warnings.push(
        sentence('STA_CACHE_SET_ASIDE', STA_CLIENT_MESSAGES.STA_CACHE_SET_ASIDE, {
          file: this.file,
          copy,
        }),
      );
      return;
    }
    for (const [name, entry] of things) this.#things.set(name, entry);
  }

  /** One write after the one under way, for every change made until it starts. */
  #write(): Promise<void> {
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    if (this.#pending !== undefined) return this.#pending;
    const pending = this.#writing
      .catch(() => undefined)
      .then(() => {
        this.#pending = undefined;
        const things: Record<string, unknown> = {};
        for (const [name, entry] of this.#things) {
          if (entry.id === undefined && entry.featureOfInterest === undefined) continue;
          things[name] = {
            ...(entry.id !== undefined ? { id: entry.id } : {}),
            datastreams: Object.fromEntries(entry.datastreams),
            ...(entry.featureOfInterest !== undefined
              ? { featureOfInterest: entry.featureOfInterest }
              : {}),
          };
        }
        return replaceFile(
          file,
          JSON.stringify({ format: ID_CACHE_FORMAT, serviceRoot: this.client.serviceRoot, things }),
        );
      });
    this.#pending = pending;
    this.#writing = pending;
    return pending;
  }
}

interface Nested {
  datastream?: EntityId;
  sensor?: EntityId;
  observedProperty?: EntityId;
}

function link(id: EntityId): Link {
  return { '@iot.id': id };
}

function datastreamBody(
  ds: DatastreamSpec,
  sensorId: EntityId | undefined,
  propertyId: EntityId | undefined,
): Record<string, unknown> {
  return {
    name: ds.name,
    description: ds.description,
    observationType: ds.observationType,
    unitOfMeasurement: ds.unitOfMeasurement,
    Sensor: sensorId !== undefined ? link(sensorId) : ds.sensor,
    ObservedProperty: propertyId !== undefined ? link(propertyId) : ds.observedProperty,
  };
}

/** The id of a created entity, from the Location header of the 201 answer. */
function createdId(answer: StaAnswer, entity: string): EntityId {
  const id = answer.location !== undefined ? idFromUrl(answer.location) : undefined;
  if (id === undefined)
    throw new SensorThingsServerError(
      'STA_NO_LOCATION',
      { entity, status: answer.status },
      { entity, url: answer.url, status: answer.status },
    );
  return id;
}

function valueOf(answer: StaAnswer): Record<string, unknown>[] {
  const value = (answer.body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

function idsOf(answer: StaAnswer): EntityId[] {
  return valueOf(answer)
    .map((entity) => entity['@iot.id'])
    .filter((id): id is EntityId => typeof id === 'number' || typeof id === 'string')
    .sort(compareIds);
}

/** Numbers by value, strings by code unit, numbers first: the order every writer agrees on. */
export function compareIds(a: EntityId, b: EntityId): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function isId(value: unknown): value is EntityId {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
}

/** The Things of a cache file for this service root, or undefined when it is not a whole cache file. */
function readCache(text: string, serviceRoot: string): Map<string, CachedThing> | undefined {
  let parsed: { format?: unknown; serviceRoot?: unknown; things?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed?.format !== ID_CACHE_FORMAT || parsed.serviceRoot !== serviceRoot) return undefined;
  if (typeof parsed.things !== 'object' || parsed.things === null) return undefined;
  const things = new Map<string, CachedThing>();
  for (const [name, value] of Object.entries(parsed.things as Record<string, unknown>)) {
    const v = value as { id?: unknown; datastreams?: unknown; featureOfInterest?: unknown } | null;
    if (typeof v !== 'object' || v === null) return undefined;
    if (v.id !== undefined && !isId(v.id)) return undefined;
    if (typeof v.datastreams !== 'object' || v.datastreams === null) return undefined;
    const datastreams = new Map<string, EntityId>();
    for (const [dsName, dsId] of Object.entries(v.datastreams as Record<string, unknown>)) {
      if (!isId(dsId)) return undefined;
      datastreams.set(dsName, dsId);
    }
    const entry: CachedThing = { datastreams };
    if (v.id !== undefined) entry.id = v.id as EntityId;
    if (v.featureOfInterest !== undefined) {
      if (!isId(v.featureOfInterest)) return undefined;
      entry.featureOfInterest = v.featureOfInterest;
    }
    things.set(name, entry);
  }
  return things;
}
