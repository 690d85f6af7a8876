import assert from 'node:assert/strict';
import { parse } from 'ltx';
import {
  COMMAND_LIST_NODE,
  commandListIq,
  discoInfoIq,
  discoInfoResultIq,
  discoItemsIq,
  discoItemsResultIq,
  hasFeature,
  parseCommandList,
  parseDiscoInfo,
  parseDiscoItems,
  parseDiscoRequest,
} from '../../../lib/federation/discovery';
import { FederationError } from '../../../lib/federation/errors';
import { assertSafe, canonical, genericNasties, mutations, reparse } from './xml-helpers';

// XEP-0030 version 2.5.0 and XEP-0050 version 1.3.0 examples, written out by hand.
const XEP30_EXAMPLE_1 = `<iq type='get'
    from='romeo@montague.net/orchard'
    to='plays.shakespeare.lit'
    id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'/>
</iq>`;

const XEP30_EXAMPLE_2 = `<iq type='result'
    from='plays.shakespeare.lit'
    to='romeo@montague.net/orchard'
    id='info1'>
  <query xmlns='http://jabber.org/protocol/disco#info'>
    <identity
        category='conference'
        type='text'
        name='Play-Specific Chatrooms'/>
    <identity
        category='directory'
        type='chatroom'
        name='Play-Specific Chatrooms'/>
    <feature var='http://jabber.org/protocol/disco#info'/>
    <feature var='http://jabber.org/protocol/disco#items'/>
    <feature var='http://jabber.org/protocol/muc'/>
    <feature var='jabber:iq:register'/>
    <feature var='jabber:iq:search'/>
    <feature var='jabber:iq:time'/>
    <feature var='jabber:iq:version'/>
  </query>
</iq>`;

const XEP30_EXAMPLE_11 = `<iq type='get'
    from='romeo@montague.net/orchard'
    to='shakespeare.lit'
    id='items1'>
  <query xmlns='http://jabber.org/protocol/disco#items'/>
</iq>`;

const XEP30_EXAMPLE_12 = `<iq type='result'
    from='shakespeare.lit'
    to='romeo@montague.net/orchard'
    id='items1'>
  <query xmlns='http://jabber.org/protocol/disco#items'>
    <item jid='people.shakespeare.lit'
          name='Directory of Characters'/>
    <item jid='plays.shakespeare.lit'
          name='Play-Specific Chatrooms'/>
    <item jid='mim.shakespeare.lit'
          name='Gateway to Marlowe IM'/>
  </query>
</iq>`;

const XEP50_EXAMPLE_3 = `<iq type='get'
    from='requester@domain'
    to='responder@domain'>
  <query xmlns='http://jabber.org/protocol/disco#items'
         node='http://jabber.org/protocol/commands'/>
</iq>`;

const XEP50_EXAMPLE_4 = `<iq type='result'
    to='requester@domain'
    from='responder@domain'>
  <query xmlns='http://jabber.org/protocol/disco#items'
         node='http://jabber.org/protocol/commands'>
    <item jid='responder@domain'
          node='list'
          name='List Service Configurations'/>
    <item jid='responder@domain'
          node='config'
          name='Configure Service'/>
    <item jid='responder@domain'
          node='reset'
          name='Reset Service Configuration'/>
  </query>
</iq>`;

describe('federation: service discovery (XEP-0030)', () => {
  describe('requests', () => {
    it('asks for information as Example 1 does, and for items as Example 11 does', () => {
      assert.equal(
        canonical(discoInfoIq('plays.shakespeare.lit')),
        canonical(XEP30_EXAMPLE_1, ['from', 'id']),
      );
      assert.equal(
        canonical(discoItemsIq('shakespeare.lit')),
        canonical(XEP30_EXAMPLE_11, ['from', 'id']),
      );
    });

    it('writes node queries exactly', () => {
      assert.equal(
        discoInfoIq('responder@domain', 'config').toString(),
        '<iq type="get" to="responder@domain"><query xmlns="http://jabber.org/protocol/disco#info" node="config"/></iq>',
      );
    });

    it('asks for the command list as XEP-0050 Example 3 does', () => {
      assert.equal(
        canonical(commandListIq('responder@domain')),
        canonical(XEP50_EXAMPLE_3, ['from']),
      );
      assert.equal(
        commandListIq('proxy@sen2.test/quoalise').toString(),
        '<iq type="get" to="proxy@sen2.test/quoalise"><query xmlns="http://jabber.org/protocol/disco#items" node="http://jabber.org/protocol/commands"/></iq>',
      );
    });
  });

  describe('results', () => {
    it('reads identities and features (Example 2)', () => {
      const info = parseDiscoInfo(parse(XEP30_EXAMPLE_2))!;
      assert.deepEqual(info.identities, [
        { category: 'conference', type: 'text', name: 'Play-Specific Chatrooms' },
        { category: 'directory', type: 'chatroom', name: 'Play-Specific Chatrooms' },
      ]);
      assert.equal(info.features.length, 7);
      assert.ok(hasFeature(info, 'http://jabber.org/protocol/muc'));
      assert.ok(!hasFeature(info, 'http://jabber.org/protocol/commands'));
      assert.deepEqual(info.forms, []);
    });

    it('reads items (Example 12) and the command list (XEP-0050 Example 4)', () => {
      assert.deepEqual(parseDiscoItems(parse(XEP30_EXAMPLE_12)), [
        { jid: 'people.shakespeare.lit', name: 'Directory of Characters' },
        { jid: 'plays.shakespeare.lit', name: 'Play-Specific Chatrooms' },
        { jid: 'mim.shakespeare.lit', name: 'Gateway to Marlowe IM' },
      ]);
      assert.deepEqual(parseCommandList(parse(XEP50_EXAMPLE_4)), [
        { jid: 'responder@domain', node: 'list', name: 'List Service Configurations' },
        { jid: 'responder@domain', node: 'config', name: 'Configure Service' },
        { jid: 'responder@domain', node: 'reset', name: 'Reset Service Configuration' },
      ]);
      assert.deepEqual(
        parseDiscoItems(
          parse(
            "<iq type='result' from='shakespeare.lit' id='items1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>",
          ),
        ),
        [],
      );
    });

    it('reads extended information forms (XEP-0128) and skips broken ones', () => {
      const info = parseDiscoInfo(
        parse(`<iq type='result' id='i'><query xmlns='http://jabber.org/protocol/disco#info' node='get_history'>
          <identity category='automation' type='command-node' name='Get history'/><feature var='http://jabber.org/protocol/commands'/>
          <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:example:info</value></field><field var='k'><value>v</value></field></x>
          <x xmlns='jabber:x:data'><field var='broken'/></x></query></iq>`),
      )!;
      assert.equal(info.node, 'get_history');
      assert.equal(info.forms.length, 1);
      assert.equal(info.forms[0].formType, 'urn:example:info');
      assert.deepEqual(info.forms[0].fields, { k: 'v' });
    });
  });

  describe('a command provider announcing its commands (round trip)', () => {
    it('answers disco#items on the command node, which the requester reads back', () => {
      const incoming = reparse(commandListIq('proxy@sen2.test/q'));
      incoming.attrs.from = 'alice@sen1.test/nr';
      incoming.attrs.id = 'd1';
      const parsed = parseDiscoRequest(incoming)!;
      assert.deepEqual(parsed, {
        kind: 'items',
        from: 'alice@sen1.test/nr',
        id: 'd1',
        node: COMMAND_LIST_NODE,
      });
      const commands = [
        { jid: 'proxy@sen2.test/q', node: 'get_history', name: 'Get history' },
        { jid: 'proxy@sen2.test/q', node: 'subscribe', name: 'Subscribe' },
        { jid: 'proxy@sen2.test/q', node: 'unsubscribe', name: 'Unsubscribe' },
      ];
      const answer = discoItemsResultIq(parsed, commands);
      assert.equal(
        answer.toString(),
        '<iq type="result" to="alice@sen1.test/nr" id="d1"><query xmlns="http://jabber.org/protocol/disco#items" node="http://jabber.org/protocol/commands">' +
          '<item jid="proxy@sen2.test/q" node="get_history" name="Get history"/><item jid="proxy@sen2.test/q" node="subscribe" name="Subscribe"/>' +
          '<item jid="proxy@sen2.test/q" node="unsubscribe" name="Unsubscribe"/></query></iq>',
      );
      assert.deepEqual(parseCommandList(reparse(answer)), commands);
    });

    it('answers disco#info, which the requester reads back (XEP-0050 Example 6)', () => {
      const incoming = parse(
        "<iq type='get' from='requester@domain' to='responder@domain' id='c1'><query xmlns='http://jabber.org/protocol/disco#info' node='config'/></iq>",
      );
      const request = parseDiscoRequest(incoming)!;
      const answer = discoInfoResultIq(request, {
        identities: [{ name: 'Configure Service', category: 'automation', type: 'command-node' }],
        features: ['http://jabber.org/protocol/commands', 'jabber:x:data', 'jabber:x:data'],
      });
      assert.equal(
        canonical(answer),
        canonical(
          `<iq type='result' to='requester@domain' id='c1'><query xmlns='http://jabber.org/protocol/disco#info' node='config'>
            <identity name='Configure Service' category='automation' type='command-node'/>
            <feature var='http://jabber.org/protocol/commands'/><feature var='jabber:x:data'/></query></iq>`,
        ),
      );
      const info = parseDiscoInfo(reparse(answer))!;
      assert.deepEqual(info.identities, [
        { category: 'automation', type: 'command-node', name: 'Configure Service' },
      ]);
      assert.deepEqual(info.features, ['http://jabber.org/protocol/commands', 'jabber:x:data']);
      assert.throws(
        () => discoInfoResultIq(request, { identities: [], features: [] }),
        (err: unknown) =>
          err instanceof FederationError && /at least one identity/.test(err.message),
      );
    });
  });

  describe('hostile input: parsers return undefined or throw FederationError', () => {
    const parsers: [string, (x: unknown) => unknown][] = [
      ['parseDiscoInfo', parseDiscoInfo],
      ['parseDiscoItems', parseDiscoItems],
      ['parseCommandList', parseCommandList],
      ['parseDiscoRequest', parseDiscoRequest],
    ];

    it('on things that are not stanzas, or barely', () => {
      for (const [label, input] of genericNasties())
        for (const [name, fn] of parsers) assertSafe(`${name}(${label})`, () => fn(input));
    });

    it('on every single mutation of valid stanzas', () => {
      let count = 0;
      for (const xml of [
        XEP30_EXAMPLE_2,
        XEP30_EXAMPLE_12,
        XEP50_EXAMPLE_4,
        "<iq type='get' from='a@b' id='1'><query xmlns='http://jabber.org/protocol/disco#info' node='n'/></iq>",
      ]) {
        for (const [label, mutant] of mutations(xml)) {
          for (const [name, fn] of parsers) {
            assertSafe(`${name}: ${label}`, () => fn(mutant));
            count++;
          }
        }
      }
      assert.ok(count > 300, `only ${count} cases`);
    });

    it('skips items and identities that lack what they must have', () => {
      const items = parseDiscoItems(
        parse(
          "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#items'><item name='no jid'/><item jid=''/><item jid='ok@x' node=''/><foo jid='x'/></query></iq>",
        ),
      );
      assert.deepEqual(items, [{ jid: 'ok@x' }]);
      const info = parseDiscoInfo(
        parse(
          "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'><identity type='t'/><identity category='c' type='t'/><feature/><feature var='f'/><feature var='f'/></query></iq>",
        ),
      );
      assert.deepEqual(info, {
        identities: [{ category: 'c', type: 't' }],
        features: ['f'],
        forms: [],
      });
      assert.equal(
        parseDiscoInfo(
          parse("<iq type='error'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"),
        ),
        undefined,
      );
      assert.equal(
        parseDiscoRequest(
          parse("<iq type='get'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"),
        ),
        undefined,
        'no id: cannot be answered',
      );
    });
  });
});
