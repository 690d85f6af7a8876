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
    // base64url (RFC 4648 §5) with padding omitted; a length of 4k+1 cannot occur
    vd: { type: 'string', pattern: '^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$' },
    s: { type: 'number' },
    t: { type: 'number' },
    ut: { type: 'number', minimum: 0 },
  },
  // RFC 8428 §4.4: a label ending in '_' must be understood; we understand none.
  patternProperties: { '_$': false },
  // §11: other values are text, numbers or booleans.
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;
