import { strict as assert } from 'node:assert';
import { compileNamePatterns, validateNamePattern } from '../../../lib/consent/patterns';
import { ENERGY, METER, POWER } from './fixtures';

describe('SenML name patterns of a consent', () => {
  it('a pattern without * is a prefix of the resolved name', () => {
    const covers = compileNamePatterns([METER]);
    assert.equal(covers(POWER), true);
    assert.equal(covers(ENERGY), true);
    assert.equal(covers('urn:dev:mac:0024befffe804ff2:power'), false);
    assert.equal(covers('urn:dev:mac:0024befffe804ff1'), false);
  });

  it('a pattern with * is a glob over the whole name, * matching any run, colons included', () => {
    const covers = compileNamePatterns(['urn:dev:mac:*:power']);
    assert.equal(covers(POWER), true);
    assert.equal(covers('urn:dev:mac:0024befffe804ff2:power'), true);
    assert.equal(covers('urn:dev:mac:a:b:power'), true);
    assert.equal(covers(ENERGY), false);
    assert.equal(covers(`${POWER}:l1`), false, 'anchored at the end');
    assert.equal(compileNamePatterns(['*energy'])(ENERGY), true);
    assert.equal(
      compileNamePatterns(['urn:dev:mac:*'])('urn:dev:mac:'),
      true,
      '* may match nothing',
    );
  });

  it('regular-expression characters in a pattern are taken literally', () => {
    const covers = compileNamePatterns(['urn:dev:ow:10e2073a01080063.t*']);
    assert.equal(covers('urn:dev:ow:10e2073a01080063.temp'), true);
    assert.equal(covers('urn:dev:ow:10e2073a01080063xtemp'), false);
    assert.equal(compileNamePatterns(['a+b'])('a+b:1'), true);
    assert.equal(compileNamePatterns(['(x)*'])('(x)y'), true);
  });

  it('a list covers a name when any pattern does; an empty list covers nothing', () => {
    const covers = compileNamePatterns(['urn:dev:mac:*:power', `${METER}energy`]);
    assert.equal(covers(POWER), true);
    assert.equal(covers(ENERGY), true);
    assert.equal(covers(`${METER}voltage`), false);
    assert.equal(compileNamePatterns([])(POWER), false);
  });

  it('an empty or non-text pattern is an error', () => {
    assert.equal(validateNamePattern(METER), METER);
    for (const bad of ['', 12, null, undefined]) {
      assert.throws(() => validateNamePattern(bad), { code: 'CONSENT_PATTERN' });
    }
    assert.throws(() => compileNamePatterns([METER, '']), { code: 'CONSENT_PATTERN' });
  });
});
