/**
 * JSON Schema of a SenML pack in its JSON form (RFC 8428 §5, and the CDDL of §11),
 * compiled once by ajv. CBOR and XML packs are checked with it too, once mapped to
 * the JSON form.
 */
export const SENML_PACK_SCHEMA = {
  $id: 'urn:senfed:senml-pack',
  type: 'array',
  minItems: 1,
  items: { $ref: 'urn:senfed:senml-record' },
} as const;

export const SENML_RECORD_SCHEMA = {
  $id: 'urn:senfed:senml-record',
  type: 'object',
  properties: {
    bn: { type: 'string' },
    bt: { type: 'number' },
    bu: { type: 'string' },
    bv: { type: 'number' },
    bs: { type: 'number' },
    bver: { type: 'integer', minimum: 1, maximum: 9007199254740991 },
    n: { type: 'string' },
    u: { type: 'string' },
    v: { type: 'number' },
    vs: { type: 'string' },
    vb: { type: 'boolean' },
    // base64url (RFC 4648 §5) with padding omitted (a length of 4k+1 cannot occur): the
    // format "senml-base64url", registered by validate.ts. A pattern saying the same,
    // ^(?:[A-Za-z0-9_-]{4})*..., overflows the regular expression engine's stack on long data.
    vd: { type: 'string', format: 'senml-base64url' },
    s: { type: 'number' },
    t: { type: 'number' },
    ut: { type: 'number', minimum: 0 },
    // Labels registered since (IANA "SenML Labels", as of 2026-02-02): RFC 9193's Base
    // Content-Format and Content-Format, and OMA LwM2M 1.1's Object Link (§7.4.5), all text.
    bct: { type: 'string' },
    ct: { type: 'string' },
    vlo: { type: 'string' },
  },
  // RFC 8428 §4.4: a label ending in '_' must be understood; we understand none.
  patternProperties: { _$: false },
  // §4.4: any other field is not recognised, and is ignored rather than refused. Resolution
  // keeps texts, numbers and booleans (§11) and drops what a SenML field cannot hold.
  additionalProperties: true,
} as const;
