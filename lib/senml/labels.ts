/** SenML labels: RFC 8428 Table 1 (§4.3) and the CBOR integer labels of §6, Table 4. */

export const BASE_LABELS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver'] as const;
export const REGULAR_LABELS = ['n', 'u', 'v', 'vs', 'vb', 'vd', 's', 't', 'ut'] as const;
export type KnownLabel = (typeof BASE_LABELS)[number] | (typeof REGULAR_LABELS)[number];

export const VALUE_LABELS = ['v', 'vs', 'vb', 'vd'] as const;

/** Label → CBOR integer key (RFC 8428 §6, Table 4; conclusive, no more will be defined). */
export const CBOR_KEY: Readonly<Record<KnownLabel, number>> = {
  bver: -1,
  bn: -2,
  bt: -3,
  bu: -4,
  bv: -5,
  bs: -6,
  n: 0,
  u: 1,
  v: 2,
  vs: 3,
  vb: 4,
  s: 5,
  t: 6,
  ut: 7,
  vd: 8,
};

/** CBOR integer key → label; index is key + 6. */
export const CBOR_LABEL_BY_KEY: readonly KnownLabel[] = (() => {
  const table: KnownLabel[] = [];
  for (const [label, key] of Object.entries(CBOR_KEY)) table[key + 6] = label as KnownLabel;
  return table;
})();

/** XML attribute types of RFC 8428 §7, Table 5. */
export type XmlType = 'string' | 'double' | 'int' | 'boolean';
export const XML_TYPE: Readonly<Record<KnownLabel, XmlType>> = {
  bn: 'string',
  bt: 'double',
  bu: 'string',
  bv: 'double',
  bs: 'double',
  bver: 'int',
  n: 'string',
  u: 'string',
  v: 'double',
  vs: 'string',
  vb: 'boolean',
  vd: 'string',
  s: 'double',
  t: 'double',
  ut: 'double',
};

const KNOWN = new Set<string>([...BASE_LABELS, ...REGULAR_LABELS]);
export function isKnownLabel(label: string): label is KnownLabel {
  return KNOWN.has(label);
}
