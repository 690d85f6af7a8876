/**
 * OData literals and $filter queries: names with quotes, spaces, Unicode and the
 * characters that mean something in a URL reach the server exactly as written.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  entityPath,
  filterAfter,
  filterByName,
  filterByParameter,
  filterThingDatastream,
  idLiteral,
  percentEncode,
  queryString,
  quoteString,
} from '../../../lib/sensorthings/odata';
import { SensorThingsError } from '../../../lib/sensorthings/messages';

/** The value of one query option as a server (WHATWG URL, as Tomcat does) decodes it. */
function decoded(query: string, option: string): string | null {
  return new URL(`http://sta.test/v1.1/Things${query}`).searchParams.get(option);
}

/** Reads a quoted OData string literal back: the inverse of quoteString. */
function unquote(literal: string): string {
  assert.match(literal, /^'(?:[^']|'')*'$/);
  return literal.slice(1, -1).replace(/''/g, "'");
}

describe('sensorthings OData literals and filters', () => {
  it('doubles single quotes in string literals', () => {
    assert.equal(quoteString("O'Brien"), "'O''Brien'");
    assert.equal(quoteString("''"), "''''''");
    assert.equal(quoteString(''), "''");
    assert.equal(filterByName("l'eau"), "name eq 'l''eau'");
  });

  it('writes ids as numbers or quoted strings, and refuses others', () => {
    assert.equal(idLiteral(42), '42');
    assert.equal(idLiteral("a'b"), "'a''b'");
    assert.equal(entityPath('Things', 42), 'Things(42)');
    assert.equal(entityPath('Things', 'a b'), 'Things(%27a%20b%27)');
    assert.throws(() => idLiteral(1.5), SensorThingsError);
    assert.throws(() => idLiteral(null as unknown as number), SensorThingsError);
  });

  it('finds a Datastream by its Thing and name', () => {
    assert.equal(
      filterThingDatastream(7, "buoy's water (Cel)"),
      "Thing/@iot.id eq 7 and name eq 'buoy''s water (Cel)'",
    );
  });

  it('finds an Observation by a parameter, and refuses a parameter name that is not one', () => {
    assert.equal(
      filterByParameter(3, 'key', 'ab12'),
      "Datastream/@iot.id eq 3 and parameters/key eq 'ab12'",
    );
    assert.throws(() => filterByParameter(3, 'key eq 1 or x', 'a'), {
      messageId: 'STA_ODATA_PROPERTY',
    });
  });

  it('resumes after a time and id', () => {
    assert.equal(
      filterAfter('2020-02-12T15:15:45.787Z', 12),
      'phenomenonTime gt 2020-02-12T15:15:45.787Z or (phenomenonTime eq 2020-02-12T15:15:45.787Z and @iot.id gt 12)',
    );
  });

  it('percent-encodes quotes, spaces, %, &, #, + and Unicode in the query', () => {
    const name = "O'Brien & Co #1 + 100% « mer » 海水 🌊";
    const query = queryString({ $filter: filterByName(name), $top: 1, $select: undefined });
    assert.match(query, /^\?\$filter=[A-Za-z0-9%._~-]+&\$top=1$/);
    for (const c of ["'", ' ', '&', '#', '+', '«', '海'])
      assert.ok(!query.slice(1).split('&')[0].includes(c), `${c} left in ${query}`);
    assert.equal(decoded(query, '$filter'), `name eq 'O''Brien & Co #1 + 100% « mer » 海水 🌊'`);
    assert.equal(decoded(query, '$top'), '1');
  });

  it('encodes with RFC 3986 unreserved characters only', () => {
    assert.equal(percentEncode("a'b(c)*!~"), 'a%27b%28c%29%2A%21~');
    assert.equal(percentEncode('é'), '%C3%A9');
    assert.equal(queryString({}), '');
  });

  it('property: any name survives quoting and encoding', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        const filter = filterByName(name);
        assert.equal(unquote(filter.slice('name eq '.length)), name);
        assert.equal(decoded(queryString({ $filter: filter }), '$filter'), filter);
      }),
    );
  });
});
