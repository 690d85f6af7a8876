/**
 * The consent record, shaped on ISO/IEC TS 27560 (consent record information
 * structure) as the W3C DPV guide maps its fields: one record per data subject
 * (the PII principal: a household, a meter, a person), recipient and purpose,
 * with an append-only list of events. The state of a consent is always read from
 * its events (the last one decides), never stored beside them.
 *
 * Times are ISO 8601 instants in UTC (`2026-12-03T10:00:00.000Z`); durations are
 * ISO 8601 durations (`P1Y`, `P30D`, `PT1H`).
 */

/** What happened to a consent (27560 "consent status" values as DPV names them). */
export type ConsentEventType = 'given' | 'withdrawn' | 'expired' | 'refused' | 'requested';

export const CONSENT_EVENT_TYPES: readonly ConsentEventType[] = [
  'given',
  'withdrawn',
  'expired',
  'refused',
  'requested',
];

/** How a consent event was collected (27560 "evidence" / DPV "ConsentNotice" + method). */
export type EvidenceMethod =
  | 'web-form'
  | 'signed-paper'
  | 'dashboard'
  | 'federation-request'
  | 'import'
  | 'automatic'
  | 'other';

export interface Evidence {
  method: EvidenceMethod;
  /** Who collected it or acted: a person, a JID, "system". */
  by: string;
  /** A reference to the proof kept elsewhere: a form id, a scan's file name, a message id. */
  reference?: string;
}

export interface ConsentEvent {
  type: ConsentEventType;
  /** When it happened, ISO 8601 UTC. */
  time: string;
  /** For `given`: how long the consent is valid from `time`, an ISO 8601 duration. None: until withdrawn. */
  validity?: string;
  evidence?: Evidence;
}

/**
 * How fine the data may be. `raw`: the records as measured; otherwise one record
 * per name and window, windows aligned on UTC (15 min, hour, day).
 */
export type Granularity = 'raw' | 'PT15M' | 'PT1H' | 'P1D';

export const GRANULARITIES: readonly Granularity[] = ['raw', 'PT15M', 'PT1H', 'P1D'];

/**
 * How a window of records becomes one: `mean`, `sum`, `min`, `max`, `last`, or
 * `difference` (a counter: its increase over the window, e.g. `Wh`).
 */
export type Aggregation = 'mean' | 'sum' | 'min' | 'max' | 'last' | 'difference';

export const AGGREGATIONS: readonly Aggregation[] = [
  'mean',
  'sum',
  'min',
  'max',
  'last',
  'difference',
];

/** What data a consent covers. */
export interface DataScope {
  /**
   * SenML name patterns over the resolved `n`: a pattern holding `*` is a glob
   * (`*` matches any run of characters, `:` included); otherwise it is a prefix.
   * An empty list covers nothing.
   */
  names: string[];
  /** The period of data covered, by each record's own time `t` (ISO 8601 UTC, both ends inclusive). */
  period?: { start?: string; end?: string };
  granularity: Granularity;
  /**
   * The aggregation per SenML unit when the granularity is not `raw` (`W` → mean,
   * `Wh` → difference). A unit not named takes the default for its kind (see aggregate.ts).
   */
  aggregation?: Record<string, Aggregation>;
}

export interface ConsentRecord {
  /** Stable identifier (a UUID). */
  id: string;
  /** The data subject (PII principal): a household, a meter, a person. */
  subject: string;
  /** Who may receive the data: a bare JID (`advisor@sen2.test`) or a whole domain (`sen2.test`). */
  recipient: string;
  /** A W3C DPV purpose IRI (`https://w3id.org/dpv#ServiceProvision`), never free text. */
  purpose: string;
  /** The controller that collected the consent (an organisation or its JID). */
  controller?: string;
  scope: DataScope;
  /** How long the recipient may keep the data, an ISO 8601 duration (`P30D`). */
  retention: string;
  /** Oldest first; only ever appended to. */
  events: ConsentEvent[];
}

/** Where a consent stands at a moment, from its events. `none`: no event yet. */
export type ConsentState = ConsentEventType | 'active' | 'lapsed' | 'none';

/** An injectable clock: milliseconds since the epoch, read at every call. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * What the audit log holds, one entry per line (see audit/). `consent` entries
 * record every event of a consent; `share` entries every time data left under one.
 */
export type AuditEntry = ConsentAuditEntry | ShareAuditEntry;

export interface ConsentAuditEntry {
  kind: 'consent';
  /** When the entry was written, ISO 8601 UTC. */
  time: string;
  consent: string;
  subject: string;
  recipient: string;
  purpose: string;
  event: ConsentEvent;
}

/** How data left: a PubSub item, a Quoalise message, a history answer, a consent filter's output. */
export type ShareChannel = 'pubsub' | 'message' | 'history' | 'flow';

export interface ShareAuditEntry {
  kind: 'share';
  time: string;
  /** The consents the shared records were allowed under (ids). */
  consents: string[];
  subjects: string[];
  recipient: string;
  purpose: string;
  channel: ShareChannel;
  /** How many records were sent. */
  records: number;
  /** The distinct names sent, sorted. */
  names: string[];
  /** The time span of what was sent (record times, seconds since the epoch); null for nothing. */
  span: { start: number; end: number } | null;
  /** `sha-256:` + hex of the canonical JSON of exactly the pack sent (see digest.ts). */
  digest: string;
  /** How long the recipient may keep it (the shortest retention of the consents), ISO 8601. */
  retention: string;
  /**
   * A PubSub item (channel `pubsub`, recipient the node's XMPP URI): the bare
   * JIDs that were members of the node when it was published, each under one of
   * `consents`. Every member gets the item.
   */
  members?: string[];
}
