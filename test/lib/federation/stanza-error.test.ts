/**
 * The one reader of stanza errors (RFC 6120 §8.3) that the PubSub, ad-hoc
 * command and Quoalise readers build on: each reads the same type, condition and
 * text, and finds its own application-specific condition the same way.
 */
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { parse } from 'ltx';
import { parseCommandError } from '../../../lib/federation/adhoc';
import { pubsubErrorCondition } from '../../../lib/federation/pubsub';
import { parseUpstreamError } from '../../../lib/federation/quoalise';
import { readProtocolError, readStanzaError } from '../../../lib/federation/stanza-error';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
const COMMANDS = 'http://jabber.org/protocol/commands';
const QUOALISE = 'urn:quoalise:0';

/** A tree built by hand, as plain objects: no element knows its parent. */
function bare(name: string, attrs: Record<string, string>, children: object[] = []): Element {
  return { name, attrs, children } as unknown as Element;
}

describe('stanza errors: one reader for every protocol', () => {
  const everything = parse(`<iq type="error" id="1"><error type="modify" by="pubsub.sen1.test">
      <bad-request xmlns="${STANZAS}"/>
      <text xmlns="${STANZAS}" xml:lang="fr">refusé</text>
      <text xmlns="${STANZAS}">second text, ignored</text>
      <unsupported xmlns="${PUBSUB_ERRORS}" feature="publish"/>
      <malformed-action xmlns="${COMMANDS}"/>
      <upstream-error xmlns="${QUOALISE}" issuer="hub" code="E1"/>
    </error></iq>`);

  it('gives every protocol the same type, condition and text, and each its own condition', () => {
    const common = { type: 'modify', condition: 'bad-request', text: 'refusé' };
    assert.deepEqual(readProtocolError(everything)?.summary, common);
    assert.deepEqual(pubsubErrorCondition(everything), {
      ...common,
      pubsubCondition: 'unsupported',
      feature: 'publish',
    });
    assert.deepEqual(parseCommandError(everything), {
      ...common,
      commandCondition: 'malformed-action',
      upstream: { issuer: 'hub', code: 'E1' },
    });
    assert.deepEqual(parseUpstreamError(everything), { issuer: 'hub', code: 'E1' });
    const info = readStanzaError(everything)!;
    assert.equal(info.by, 'pubsub.sen1.test');
    assert.equal(info.lang, 'fr');
    assert.deepEqual(
      info.application.map((el) => el.name),
      ['unsupported', 'malformed-action', 'upstream-error'],
    );
  });

  it('a condition must be of the protocol and, where the protocol lists them, one it knows', () => {
    const error = readProtocolError(everything)!;
    assert.equal(error.condition('urn:other'), undefined);
    assert.equal(
      error.condition(COMMANDS, (name) => name === 'bad-payload'),
      undefined,
    );
    // An unknown command condition before a known one: the known one is read.
    const two = parse(
      `<iq type="error" id="1"><error type="modify"><bad-request xmlns="${STANZAS}"/><exploded xmlns="${COMMANDS}"/><bad-payload xmlns="${COMMANDS}"/></error></iq>`,
    );
    assert.equal(parseCommandError(two)?.commandCondition, 'bad-payload');
    assert.equal(readProtocolError(parse('<iq type="result" id="1"/>')), undefined);
  });

  it('finds a prefixed condition declared on the <error> of a hand-built tree whose elements know no parent', () => {
    const error = bare(
      'error',
      { type: 'cancel', 'xmlns:ps': PUBSUB_ERRORS, 'xmlns:cmd': COMMANDS, 'xmlns:q': QUOALISE },
      [
        bare('conflict', { xmlns: STANZAS }),
        bare('ps:node-full', {}),
        bare('cmd:bad-sessionid', {}),
        bare('q:upstream-error', { issuer: 'hub', code: 'E2' }),
      ],
    );
    assert.deepEqual(pubsubErrorCondition(error), {
      type: 'cancel',
      condition: 'conflict',
      pubsubCondition: 'node-full',
    });
    assert.deepEqual(parseCommandError(error), {
      type: 'cancel',
      condition: 'conflict',
      commandCondition: 'bad-sessionid',
      upstream: { issuer: 'hub', code: 'E2' },
    });
    // The same prefixes undeclared: nothing of theirs is read.
    const undeclared = bare('error', { type: 'cancel' }, [
      bare('conflict', { xmlns: STANZAS }),
      bare('ps:node-full', {}),
      bare('cmd:bad-sessionid', {}),
    ]);
    assert.deepEqual(pubsubErrorCondition(undeclared), { type: 'cancel', condition: 'conflict' });
    assert.deepEqual(parseCommandError(undeclared), { type: 'cancel', condition: 'conflict' });
  });
});
