import assert from 'node:assert/strict';
import { SenderList } from '../../../lib/federation/senders';

describe('SenderList: who may push data to an account', () => {
  it('accepts bare JIDs and whole domains, whatever the resource or the case', () => {
    const list = SenderList.parse('provider@sen1.test, sen3.test\nOther@Sen4.test');
    assert.equal(list.accepts('provider@sen1.test/node-red'), true);
    assert.equal(list.accepts('provider@sen1.test'), true);
    assert.equal(
      list.accepts('alice@sen1.test/x'),
      false,
      'one account of sen1.test, not the domain',
    );
    assert.equal(list.accepts('anyone@sen3.test/r'), true);
    assert.equal(list.accepts('sen3.test'), true, 'the domain itself');
    assert.equal(list.accepts('other@sen4.test'), true);
    assert.equal(list.accepts('x@evil-sen3.test'), false);
    assert.equal(list.accepts(undefined), false);
  });

  it('empty accepts nobody; "*" anyone', () => {
    assert.equal(SenderList.parse('').accepts('a@b.test'), false);
    assert.equal(SenderList.parse('  ').isEmpty, true);
    assert.equal(SenderList.parse('*').accepts('a@b.test'), true);
    assert.equal(SenderList.nobody.accepts('a@b.test'), false);
  });

  it('refuses an entry that is neither a JID, a domain nor "*"', () => {
    assert.throws(() => SenderList.parse('bob@sen2.test/phone'), /neither a bare JID/);
    assert.throws(() => SenderList.parse('<script>'), /neither a bare JID/);
  });
});
