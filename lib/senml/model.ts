/**
 * The SenML data model as SenFed carries it inside flows.
 *
 * A *record* is one JSON-form SenML record (labels as in RFC 8428 §4.3), possibly
 * with base fields and relative times. A *resolved record* (§4.6) has its full
 * name, an absolute time, its unit when known, and exactly one value (or only a
 * sum). Data values (`vd`) are base64url strings without padding in both, as in
 * the JSON representation, so that a pack stays JSON-serialisable in a flow.
 */
export interface SenmlRecord {
  bn?: string;
  bt?: number;
  bu?: string;
  bv?: number;
  bs?: number;
  bver?: number;
  n?: string;
  u?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  s?: number;
  t?: number;
  ut?: number;
  /** Extension fields (RFC 8428 §4.4): kept, never interpreted. */
  [extension: string]: unknown;
}

export interface ResolvedRecord {
  n: string;
  t: number;
  u?: string;
  v?: number;
  vs?: string;
  vb?: boolean;
  vd?: string;
  s?: number;
  ut?: number;
  /** Present on every record when the pack's version is not 10 (§4.6). */
  bver?: number;
  [extension: string]: unknown;
}

export type SenmlPack = SenmlRecord[];
export type ResolvedPack = ResolvedRecord[];

/** Time values below 2^28 are relative to "now" (RFC 8428 §4.5.3). */
export const RELATIVE_TIME_LIMIT = 2 ** 28;
