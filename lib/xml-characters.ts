/**
 * Characters XML 1.0 cannot carry at all (§2.2, Char), even escaped: the C0
 * controls but tab, line feed and carriage return, U+FFFE and U+FFFF, and a
 * surrogate that is not half of a pair. SenML XML and XMPP stanzas share it.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex -- these control characters are exactly what is refused
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` holds a character that XML cannot carry. */
export function holdsNonXmlCharacter(text: string): boolean {
  return NOT_XML_CHAR.test(text);
}
