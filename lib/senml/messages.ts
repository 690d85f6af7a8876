import type { MessageTable } from '../errors';
import type { SenmlErrorCode } from './errors';
import type { SenmlNoteCode } from './notes';

/**
 * The code of the words that name a value inside another sentence ("a list",
 * "CBOR undefined"): they are translated with it, and are never an error's code.
 */
export type SenmlDescriptionCode = 'SENML_DESCRIPTION';

interface SenmlMessageSpec {
  readonly code: SenmlErrorCode | SenmlNoteCode | SenmlDescriptionCode;
  readonly en: string;
}

const BEYOND_DOUBLES =
  'is beyond the largest number SenML can carry (about ±1.8e308): values must be finite (see README, "Numbers")';
const NOT_XML = 'not well-formed XML:';
const AT_LINE = '(line {line}, column {column})';
const NOT_CBOR = 'not valid CBOR:';
const AT_BYTE = '(at byte {byte})';

/**
 * The sentences of lib/senml, by messageId: family code and English template.
 * `{got}` is what arrived: a literal ("21.5", null, NaN) or one of the
 * SENML_DESCRIPTION words, translated with the sentence. `{record}` is never a
 * param of a template: the place in the pack is framed around it (AT_RECORD).
 */
export const SENML_MESSAGES = {
  // The pack and its records
  SENML_PACK_NOT_LIST: { code: 'SENML_SHAPE', en: 'a SenML pack is a list of records, got {got}' },
  SENML_PACK_EMPTY: {
    code: 'SENML_SHAPE',
    en: 'a SenML pack holds at least one record, this one is empty',
  },
  SENML_PACK_SINGLE_JSON_OBJECT: {
    code: 'SENML_SHAPE',
    en: 'a SenML pack is a list of records in [ ], got a single JSON object',
  },
  SENML_PACK_SINGLE_OBJECT: {
    code: 'SENML_SHAPE',
    en: 'a SenML pack is a list of records in [ ], got a single object',
  },
  SENML_RECORD_NOT_OBJECT: {
    code: 'SENML_SHAPE',
    en: 'a record must be an object with SenML fields, got {got}',
  },
  SENML_MUST_UNDERSTAND_FIELD: {
    code: 'SENML_MUST_UNDERSTAND',
    en: 'the pack uses "{field}", a must-understand extension (its label ends in "_") that is not supported, so the pack cannot be used (RFC 8428 §4.4)',
  },

  // The type of a field
  SENML_TYPE_NUMBER: { code: 'SENML_TYPE', en: 'must be a number, got {got}' },
  SENML_TYPE_INTEGER: { code: 'SENML_TYPE', en: 'must be a whole number, got {got}' },
  SENML_TYPE_TEXT: { code: 'SENML_TYPE', en: 'must be a text, got {got}' },
  SENML_TYPE_BOOLEAN: { code: 'SENML_TYPE', en: 'must be true or false, got {got}' },
  SENML_TYPE_BASE64URL: {
    code: 'SENML_TYPE',
    en: 'must be base64url data without padding (RFC 4648 §5), got {got}',
  },
  SENML_TYPE_XSD_DOUBLE: { code: 'SENML_TYPE', en: 'must be a number (xsd:double), got {got}' },
  SENML_SCHEMA_RULE: {
    code: 'SENML_TYPE',
    en: 'breaks the rule "{rule}" of the SenML schema, got {got}',
  },

  // Numbers
  SENML_NUMBER_NOT_FINITE: {
    code: 'SENML_NUMBER',
    en: '{value} is not a number SenML can carry: values must be finite (see README, "Numbers")',
  },
  SENML_NUMBER_BELOW_MINIMUM: { code: 'SENML_NUMBER', en: 'must be at least {limit}, got {got}' },
  SENML_NUMBER_ABOVE_MAXIMUM: { code: 'SENML_NUMBER', en: 'must be at most {limit}, got {got}' },
  SENML_SUM_OVERFLOW: {
    code: 'SENML_NUMBER',
    en: `the sum bs + s = {base} + {value} ${BEYOND_DOUBLES}`,
  },
  SENML_TIME_OVERFLOW: {
    code: 'SENML_NUMBER',
    en: `the time bt + t = {base} + {value} ${BEYOND_DOUBLES}`,
  },
  SENML_VALUE_OVERFLOW: {
    code: 'SENML_NUMBER',
    en: `the value bv + v = {base} + {value} ${BEYOND_DOUBLES}`,
  },
  SENML_CONVERSION_OVERFLOW: {
    code: 'SENML_NUMBER',
    en: `{value} {unit} converted to {primary} ${BEYOND_DOUBLES}`,
  },
  SENML_TIME_BEFORE_1978: {
    code: 'SENML_NUMBER',
    en: 'this relative time puts the reading at {time} s ({date}), before 2^28 s (1978-07-04), which SenML cannot carry as an absolute time: it would be read as relative again (RFC 8428 §4.5.3)',
  },

  // Values
  SENML_VALUE_TWO: {
    code: 'SENML_VALUE',
    en: 'a record holds exactly one value, this one has {first} and {second} (RFC 8428 §4.2)',
  },
  SENML_VALUE_MANY: {
    code: 'SENML_VALUE',
    en: 'a record holds exactly one value, this one has {number}: {values} (RFC 8428 §4.2)',
  },
  SENML_VALUE_MISSING: {
    code: 'SENML_VALUE',
    en: 'record for {name} has no value: give it one of v, vs, vb, vd, or a sum s (RFC 8428 §4.2)',
  },

  // Names (RFC 8428 §4.5.1)
  SENML_NAME_MISSING: {
    code: 'SENML_NAME',
    en: 'the record has no name: give it "n", or a base name "bn" before it (RFC 8428 §4.5.1)',
  },
  SENML_NAME_START: {
    code: 'SENML_NAME',
    en: 'name {name} must start with a letter or a digit (RFC 8428 §4.5.1)',
  },
  SENML_NAME_CHARACTER: {
    code: 'SENML_NAME',
    en: 'name {name} contains {character}; only letters, digits and - : . / _ are allowed (RFC 8428 §4.5.1)',
  },

  // Versions (RFC 8428 §4.4, RFC 9100)
  SENML_VERSION_NOT_WHOLE: {
    code: 'SENML_VERSION',
    en: 'version must be a positive whole number below 2^53, got {version}',
  },
  SENML_VERSION_BELOW_MINIMUM: { code: 'SENML_VERSION', en: 'must be at least {limit}, got {got}' },
  SENML_VERSION_ABOVE_MAXIMUM: { code: 'SENML_VERSION', en: 'must be at most {limit}, got {got}' },
  SENML_VERSION_RESERVED_BITS: {
    code: 'SENML_VERSION',
    en: 'version {version} sets the reserved feature bits 0-3 to {bits}, not 1010 (RFC 9100 §3); this pack cannot be used',
  },
  SENML_VERSION_UNKNOWN_FEATURE: {
    code: 'SENML_VERSION',
    en: 'version {version} needs SenML feature {features}, which this implementation does not know (it knows: {known}); RFC 8428 §4.4 forbids using the pack',
  },
  SENML_VERSION_UNKNOWN_FEATURES: {
    code: 'SENML_VERSION',
    en: 'version {version} needs SenML features {features}, which this implementation does not know (it knows: {known}); RFC 8428 §4.4 forbids using the pack',
  },
  SENML_VERSION_MIXED: {
    code: 'SENML_VERSION',
    en: 'all records of a pack must have the same version (RFC 8428 §4.4): {version} here, {previous} before',
  },

  // Units (RFC 8428 §12.1, RFC 8798)
  SENML_UNIT_SECONDARY: {
    code: 'SENML_UNIT',
    en: '"{unit}" is a secondary unit (RFC 8798), allowed only in packs of version 26 (bver with the Secondary Units feature, RFC 9100 §4); decode leniently to accept it',
  },
  SENML_UNIT_UNREGISTERED: {
    code: 'SENML_UNIT',
    en: 'unit "{unit}" is not in the SenML units registry (decode leniently to accept it)',
  },
  SENML_UNIT_UNREGISTERED_SUGGESTION: {
    code: 'SENML_UNIT',
    en: 'unit "{unit}" is not in the SenML units registry; did you mean "{suggestion}"? (decode leniently to accept it)',
  },
  SENML_UNIT_SUM_OFFSET: {
    code: 'SENML_UNIT',
    en: 'a sum in "{unit}" cannot be converted to "{primary}": the unit has an offset',
  },

  // Input and formats
  SENML_INPUT_EMPTY: { code: 'SENML_FORMAT', en: 'the input is empty' },
  SENML_FORMAT_UNDETECTABLE: {
    code: 'SENML_FORMAT',
    en: 'cannot tell the format: not a JSON list, an XML document or a CBOR array; choose the format',
  },
  SENML_FORMAT_UNKNOWN: {
    code: 'SENML_FORMAT',
    en: 'unknown format {format}; use json, cbor or xml',
  },
  SENML_CBOR_GIVEN_TEXT: { code: 'SENML_INPUT', en: 'CBOR is binary: give a Buffer, not a text' },
  SENML_INPUT_MISSING: { code: 'SENML_INPUT', en: 'there is no input: the payload is empty' },
  SENML_INPUT_TYPE: {
    code: 'SENML_INPUT',
    en: 'cannot decode a {type}: give JSON or XML text, a Buffer, or a list of records',
  },
  SENML_JSON_INVALID: { code: 'SENML_SYNTAX', en: 'not valid JSON: {cause}' },
  SENML_UTF8_INVALID: {
    code: 'SENML_SYNTAX',
    en: 'the {format} data is not valid UTF-8, the only encoding SenML allows',
  },
  SENML_READING_TYPE: {
    code: 'SENML_INPUT',
    en: 'reading "{key}" is {got}; readings are numbers, texts, booleans or bytes',
  },
  SENML_READINGS_NONE: { code: 'SENML_INPUT', en: 'the object holds no readings' },

  // CBOR (RFC 8428 §6, RFC 8949): well-formedness
  SENML_CBOR_TRAILING_BYTES: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} {bytes} byte(s) after the end of the pack ${AT_BYTE}`,
  },
  SENML_CBOR_TOO_DEEP: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} items nested more than {depth} deep ${AT_BYTE}`,
  },
  SENML_CBOR_INDEFINITE_STRING: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} an indefinite-length string: SenML CBOR strings have a definite length (RFC 8428 §6) ${AT_BYTE}`,
  },
  SENML_CBOR_TEXT_PAST_END: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} a text string runs past the end of the data ${AT_BYTE}`,
  },
  SENML_CBOR_TEXT_NOT_UTF8: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} a text string is not valid UTF-8 (RFC 8949 §3.1) ${AT_BYTE}`,
  },
  SENML_CBOR_STRING_PAST_END: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} a string runs past the end of the data ${AT_BYTE}`,
  },
  SENML_CBOR_COUNT_PAST_END: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} an array or a map holds more items than the data has bytes ${AT_BYTE}`,
  },
  SENML_CBOR_ENDS_IN_INDEFINITE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} the data ends inside an indefinite-length item ${AT_BYTE}`,
  },
  SENML_CBOR_ENDS_BEFORE_ITEM: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} the data ends before an item ${AT_BYTE}`,
  },
  SENML_CBOR_ENDS_IN_ITEM: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} the data ends inside an item ${AT_BYTE}`,
  },
  SENML_CBOR_NO_ARGUMENT: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} an integer or a tag with no argument (not well-formed, RFC 8949 §3.2.4) ${AT_BYTE}`,
  },
  SENML_CBOR_STRAY_BREAK: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} a "break" outside an indefinite-length item ${AT_BYTE}`,
  },
  SENML_CBOR_RESERVED_INFO: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} reserved additional information {info} (not well-formed, RFC 8949 §3) ${AT_BYTE}`,
  },
  SENML_CBOR_SHORT_SIMPLE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_CBOR} a simple value in two bytes below 32 (not well-formed, RFC 8949 §3.3) ${AT_BYTE}`,
  },

  // CBOR: what SenML asks of it
  SENML_CBOR_PACK_NOT_ARRAY: {
    code: 'SENML_SHAPE',
    en: 'a SenML pack is a CBOR array of maps, got {got}',
  },
  SENML_CBOR_TEXT_LABEL: {
    code: 'SENML_SHAPE',
    en: 'SenML CBOR uses the integer label {key} for "{label}", not text (RFC 8428 §6)',
  },
  SENML_CBOR_FLOAT_KEY: {
    code: 'SENML_SHAPE',
    en: 'a map key is the floating-point number {key}: SenML CBOR labels are integers (RFC 8428 §6, Table 4) and extensions use text keys',
  },
  SENML_CBOR_KEY_TYPE: {
    code: 'SENML_SHAPE',
    en: 'a map key is {got}: SenML CBOR labels are integers (RFC 8428 §6, Table 4) and extensions use text keys',
  },
  SENML_CBOR_VERSION_NOT_UNSIGNED: {
    code: 'SENML_VERSION',
    en: 'must be an unsigned integer in CBOR (RFC 8428 §6), got {got}',
  },
  SENML_CBOR_VERSION_FLOAT: {
    code: 'SENML_VERSION',
    en: 'must be an unsigned integer in CBOR (RFC 8428 §6), got {got} (a floating-point number)',
  },
  SENML_CBOR_UNEXPECTED_BYTES: {
    code: 'SENML_TYPE',
    en: 'must not be a byte string, got binary data',
  },
  SENML_CBOR_DATA_NOT_BYTES: {
    code: 'SENML_TYPE',
    en: 'must be a byte string (CBOR major type 2), got {got}',
  },
  SENML_CBOR_FIELD_INDEFINITE_STRING: {
    code: 'SENML_TYPE',
    en: 'must not be an indefinite-length string: SenML CBOR strings have a definite length (RFC 8428 §6)',
  },

  // XML 1.0 and Namespaces in XML: well-formedness
  SENML_XML_NO_ROOT: { code: 'SENML_SYNTAX', en: `${NOT_XML} there is no root element ${AT_LINE}` },
  SENML_XML_AFTER_ROOT: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a second root element, or text, after the end of the root element ${AT_LINE}`,
  },
  SENML_XML_DECLARATION_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the XML declaration is not closed ${AT_LINE}`,
  },
  SENML_XML_DECLARATION_MALFORMED: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a malformed XML declaration ${AT_LINE}`,
  },
  SENML_XML_DECLARATION_LATE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} an XML declaration that is not at the very start of the document ${AT_LINE}`,
  },
  SENML_XML_FORBIDDEN_CHARACTER: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a character that XML forbids ({character}) ${AT_LINE}`,
  },
  SENML_XML_BANG_OUTSIDE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "<!" that opens neither a comment nor a document type declaration ${AT_LINE}`,
  },
  SENML_XML_BANG_INSIDE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "<!" that opens neither a comment nor a CDATA section ${AT_LINE}`,
  },
  SENML_XML_COMMENT_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a comment is not closed ${AT_LINE}`,
  },
  SENML_XML_COMMENT_DASHES: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "--" inside a comment ${AT_LINE}`,
  },
  SENML_XML_CDATA_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a CDATA section is not closed ${AT_LINE}`,
  },
  SENML_XML_PI_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a processing instruction is not closed ${AT_LINE}`,
  },
  SENML_XML_PI_TARGET: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a processing instruction target {target} that is not an XML name ${AT_LINE}`,
  },
  SENML_XML_ENDS_BEFORE_ELEMENT_NAME: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the document ends where an element name was expected ${AT_LINE}`,
  },
  SENML_XML_ENDS_BEFORE_ATTRIBUTE_NAME: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the document ends where an attribute name was expected ${AT_LINE}`,
  },
  SENML_XML_ENDS_BEFORE_END_TAG_NAME: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the document ends where an end tag name was expected ${AT_LINE}`,
  },
  SENML_XML_ELEMENT_NAME_START: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} an element name cannot start with {character} (XML 1.0 §2.3) ${AT_LINE}`,
  },
  SENML_XML_ATTRIBUTE_NAME_START: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} an attribute name cannot start with {character} (XML 1.0 §2.3) ${AT_LINE}`,
  },
  SENML_XML_END_TAG_NAME_START: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} an end tag name cannot start with {character} (XML 1.0 §2.3) ${AT_LINE}`,
  },
  SENML_XML_ENDS_IN_TAG: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the document ends inside the tag <{element}> ${AT_LINE}`,
  },
  SENML_XML_ENDS_IN_ELEMENT: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the document ends inside <{element}> ${AT_LINE}`,
  },
  SENML_XML_SLASH: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "/" not followed by ">" in a tag ${AT_LINE}`,
  },
  SENML_XML_ATTRIBUTE_NO_SPACE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} no white space before the attribute in <{element}> ${AT_LINE}`,
  },
  SENML_XML_ATTRIBUTE_NO_VALUE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} attribute {attribute} has no "=" and value ${AT_LINE}`,
  },
  SENML_XML_ATTRIBUTE_TWICE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} attribute {attribute} appears twice in <{element}> (XML 1.0 §3.1, Unique Att Spec) ${AT_LINE}`,
  },
  SENML_XML_EXPANDED_ATTRIBUTE_TWICE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} two attributes of <{element}> are {local} in {namespace} (Namespaces in XML §6.3) ${AT_LINE}`,
  },
  SENML_XML_END_TAG_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the end tag </{element}> is not closed ${AT_LINE}`,
  },
  SENML_XML_END_TAG_MISMATCH: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} </{end}> closes <{element}> (XML 1.0 §3, Element Type Match) ${AT_LINE}`,
  },
  SENML_XML_VALUE_UNQUOTED: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the value of attribute {attribute} is not quoted ${AT_LINE}`,
  },
  SENML_XML_VALUE_OPEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the value of attribute {attribute} is not closed ${AT_LINE}`,
  },
  SENML_XML_VALUE_LESS_THAN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "<" in the value of attribute {attribute} (XML 1.0 §3.1, No < in Attribute Values) ${AT_LINE}`,
  },
  SENML_XML_VALUE_AMPERSAND: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} "&" that starts no reference in the value of attribute {attribute} ${AT_LINE}`,
  },
  SENML_XML_VALUE_FORBIDDEN_CHARACTER: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} a character that XML forbids ({character}) in the value of attribute {attribute} ${AT_LINE}`,
  },
  SENML_XML_REFERENCE_MALFORMED: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the character reference {reference} is malformed ${AT_LINE}`,
  },
  SENML_XML_REFERENCE_FORBIDDEN: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the character reference {reference} names a character that XML forbids (XML 1.0 §4.1, Legal Character) ${AT_LINE}`,
  },
  SENML_XML_ENTITY_UNDEFINED: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the entity {reference} is not defined (no DTD is read; only &lt; &gt; &amp; &apos; &quot; exist) ${AT_LINE}`,
  },
  SENML_XML_RESERVED_BINDING: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} attribute {attribute} binds a reserved prefix or namespace (Namespaces in XML §3) ${AT_LINE}`,
  },
  SENML_XML_PREFIX_UNDECLARING: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} attribute {attribute} undeclares a prefix, which Namespaces in XML 1.0 does not allow ${AT_LINE}`,
  },
  SENML_XML_NOT_QNAME: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} {name} is not a qualified name: a prefix, one colon, a local name (Namespaces in XML §3) ${AT_LINE}`,
  },
  SENML_XML_XMLNS_ELEMENT: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the prefix xmlns cannot name an element (Namespaces in XML §3) ${AT_LINE}`,
  },
  SENML_XML_XMLNS_ATTRIBUTE: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the prefix xmlns cannot name an attribute (Namespaces in XML §3) ${AT_LINE}`,
  },
  SENML_XML_PREFIX_UNDECLARED: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} the prefix {prefix} of {name} is not declared (Namespaces in XML §5) ${AT_LINE}`,
  },
  SENML_XML_ATTRIBUTE_NAME: {
    code: 'SENML_SYNTAX',
    en: `${NOT_XML} {name} is not an attribute name (XML 1.0 §2.3)`,
  },
  SENML_XML_DTD: {
    code: 'SENML_SYNTAX',
    en: 'not accepted XML: document type declarations (DTDs) are refused, as XMPP does (RFC 6120 §11.1)',
  },
  SENML_XML_ENCODING: {
    code: 'SENML_SYNTAX',
    en: 'the XML declares the encoding {encoding}; SenML XML is read as UTF-8 only',
  },

  // XML: what SenML asks of it (RFC 8428 §7)
  SENML_XML_TEXT_BEFORE_ROOT: {
    code: 'SENML_SHAPE',
    en: 'unexpected text {text} before the root element: SenML XML carries its data in attributes',
  },
  SENML_XML_TEXT_AFTER_ROOT: {
    code: 'SENML_SHAPE',
    en: 'unexpected text {text} after the root element: SenML XML carries its data in attributes',
  },
  SENML_XML_TEXT_INSIDE: {
    code: 'SENML_SHAPE',
    en: 'unexpected text {text} inside <{element}>: SenML XML carries its data in attributes',
  },
  SENML_XML_TEXT_IN_SENSML: { code: 'SENML_SHAPE', en: 'unexpected text {text} inside <sensml>' },
  SENML_XML_ROOT_ELEMENT: {
    code: 'SENML_SHAPE',
    en: 'the root element must be <sensml> in namespace {expected} (RFC 8428 §7), got <{element}> in {namespace}',
  },
  SENML_XML_ROOT_ELEMENT_NO_NAMESPACE: {
    code: 'SENML_SHAPE',
    en: 'the root element must be <sensml> in namespace {expected} (RFC 8428 §7), got <{element}> without namespace',
  },
  SENML_XML_RECORD_ELEMENT: {
    code: 'SENML_SHAPE',
    en: 'element {index} must be <senml> in namespace {expected} (RFC 8428 §7), got <{element}> in {namespace}',
  },
  SENML_XML_RECORD_ELEMENT_NO_NAMESPACE: {
    code: 'SENML_SHAPE',
    en: 'element {index} must be <senml> in namespace {expected} (RFC 8428 §7), got <{element}> without namespace',
  },
  SENML_XML_RECORD_NOT_EMPTY: {
    code: 'SENML_SHAPE',
    en: '<senml> (record {index}) must be empty: SenML fields are attributes (RFC 8428 §7), got <{element}> inside it',
  },
  SENML_XML_NOT_SENSML: {
    code: 'SENML_SHAPE',
    en: 'expected <sensml xmlns="{expected}">, got <{element}>',
  },
  SENML_XML_CHILD_NOT_SENML: {
    code: 'SENML_SHAPE',
    en: 'element {index} must be <senml> in namespace {expected}, got <{element}>',
  },

  // XML: writing a pack
  SENML_XML_FIELD_NAME: { code: 'SENML_INPUT', en: 'field name {name} cannot be an XML attribute' },
  SENML_XML_CHARACTER_NOT_CARRIED: {
    code: 'SENML_INPUT',
    en: 'holds a character that XML cannot carry',
  },

  // Notes: what was set aside from a pack that was used
  SENML_FIELD_IGNORED: {
    code: 'SENML_IGNORED_FIELD',
    en: 'holds {got}, which a SenML field cannot carry; it is ignored (RFC 8428 §4.4)',
  },
  SENML_CBOR_LABEL_IGNORED: {
    code: 'SENML_IGNORED_FIELD',
    en: 'the CBOR label {label} is not a SenML label (RFC 8428 §6, Table 4 is conclusive); the field is ignored (§4.4)',
  },
  SENML_SECONDARY_UNIT_ACCEPTED: {
    code: 'SENML_UNDECLARED_SECONDARY_UNIT',
    en: '"{unit}" is a secondary unit (RFC 8798) in a pack that does not declare the Secondary Units feature (bver 26, RFC 9100 §4): accepted',
  },
  SENML_SECONDARY_UNIT_DECLARED: {
    code: 'SENML_UNDECLARED_SECONDARY_UNIT',
    en: '"{unit}" is a secondary unit (RFC 8798) in a pack that does not declare the Secondary Units feature (bver 26, RFC 9100 §4): accepted, and the pack is given version 26',
  },

  // Words for what arrived, in {got}
  SENML_KIND_NOTHING: { code: 'SENML_DESCRIPTION', en: 'nothing' },
  SENML_KIND_LIST: { code: 'SENML_DESCRIPTION', en: 'a list' },
  SENML_KIND_OBJECT: { code: 'SENML_DESCRIPTION', en: 'an object' },
  SENML_KIND_BINARY: { code: 'SENML_DESCRIPTION', en: 'binary data' },
  SENML_KIND_MAP: { code: 'SENML_DESCRIPTION', en: 'a Map' },
  SENML_KIND_SET: { code: 'SENML_DESCRIPTION', en: 'a Set' },
  SENML_KIND_DATE: { code: 'SENML_DESCRIPTION', en: 'a Date' },
  SENML_KIND_CBOR_UNDEFINED: { code: 'SENML_DESCRIPTION', en: 'CBOR undefined' },
  SENML_KIND_CBOR_SIMPLE_VALUE: { code: 'SENML_DESCRIPTION', en: 'the CBOR simple value {value}' },
  SENML_KIND_CBOR_ARRAY: { code: 'SENML_DESCRIPTION', en: 'a CBOR array' },
  SENML_KIND_CBOR_MAP: { code: 'SENML_DESCRIPTION', en: 'a CBOR map' },
  SENML_KIND_CBOR_TAG: { code: 'SENML_DESCRIPTION', en: 'CBOR tag {tag}' },
  SENML_KIND_CBOR_TAG_AROUND: { code: 'SENML_DESCRIPTION', en: 'CBOR tag {tag} around {got}' },
  SENML_KIND_CBOR_TAGGED_RECORD: {
    code: 'SENML_DESCRIPTION',
    en: 'a record under CBOR tag {tag}, which does not carry a map of SenML fields',
  },
  SENML_KIND_CBOR_NOT_FRACTION: {
    code: 'SENML_DESCRIPTION',
    en: 'CBOR tag {tag} that does not hold [exponent, mantissa]',
  },
  // The major type of a CBOR item (RFC 8949 §3.1), as its head tells
  SENML_KIND_CBOR_INTEGER: { code: 'SENML_DESCRIPTION', en: 'an integer' },
  SENML_KIND_CBOR_BYTE_STRING: { code: 'SENML_DESCRIPTION', en: 'a byte string' },
  SENML_KIND_CBOR_TEXT_STRING: { code: 'SENML_DESCRIPTION', en: 'a text string' },
  SENML_KIND_CBOR_ARRAY_HEAD: { code: 'SENML_DESCRIPTION', en: 'an array' },
  SENML_KIND_CBOR_MAP_HEAD: { code: 'SENML_DESCRIPTION', en: 'a map' },
  SENML_KIND_CBOR_FLOAT: { code: 'SENML_DESCRIPTION', en: 'a floating-point number' },
  SENML_KIND_CBOR_SIMPLE: { code: 'SENML_DESCRIPTION', en: 'a simple value' },
} as const satisfies Readonly<Record<string, SenmlMessageSpec>> & MessageTable;

type SenmlMessages = typeof SENML_MESSAGES;
export type SenmlMessageId = keyof SenmlMessages;
type IdsOfCode<Code> = {
  [Id in SenmlMessageId]: SenmlMessages[Id]['code'] extends Code ? Id : never;
}[SenmlMessageId];
/** The sentences a SenmlError can say. */
export type SenmlErrorMessageId = IdsOfCode<SenmlErrorCode>;
/** The sentences a SenmlNote can say. */
export type SenmlNoteMessageId = IdsOfCode<SenmlNoteCode>;
/** The words that name a value inside another sentence. */
export type SenmlDescriptionId = IdsOfCode<SenmlDescriptionCode>;
