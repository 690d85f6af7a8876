import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { Element, parse } from 'ltx';
import { senml } from '../../../lib';
import { FederationError } from '../../../lib/federation/errors';
import {
  PUBSUB_EVENT_NS,
  affiliationNotice,
  createNodeIq,
  deleteNodeIq,
  itemsIq,
  ownerAffiliationsIq,
  ownerSubscriptionsIq,
  parseAffiliationNotice,
  parseAffiliations,
  parseEventMessage,
  parseItemsResult,
  parsePublishResult,
  parseSubscribeResult,
  parseSubscriptions,
  publishIq,
  pubsubErrorCondition,
  retractIq,
  revokeAccessIqs,
  setAffiliationsIq,
  setSubscriptionsIq,
  stableItemId,
  subscribeIq,
  subscriptionsIq,
  unsubscribeIq,
} from '../../../lib/federation/pubsub';
import { assertSafe, canonical, genericNasties, mutations, reparse } from './xml-helpers';

// Examples of XEP-0060 version 1.30.0, written out by hand.
const ATOM_ENTRY = `<entry xmlns='http://www.w3.org/2005/Atom'>
          <title>Soliloquy</title>
          <summary>
To be, or not to be: that is the question:
Whether 'tis nobler in the mind to suffer
The slings and arrows of outrageous fortune,
Or to take arms against a sea of troubles,
And by opposing end them?
          </summary>
          <link rel='alternate' type='text/html'
                href='http://denmark.lit/2003/12/13/atom03'/>
          <id>tag:denmark.lit,2003:entry-32397</id>
          <published>2003-12-13T18:30:02Z</published>
          <updated>2003-12-13T18:30:02Z</updated>
        </entry>`;

const EXAMPLE_96 = `<iq type='set'
    from='hamlet@denmark.lit/blogbot'
    to='pubsub.shakespeare.lit'
    id='publish1'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='princely_musings'>
      <item id='bnd81g37d61f49fgn581'>
        ${ATOM_ENTRY}
      </item>
    </publish>
  </pubsub>
</iq>`;

const EXAMPLE_114 = `<iq type='set'
    from='hamlet@denmark.lit/blogbot'
    to='pubsub.shakespeare.lit'
    id='pub1'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <publish node='princely_musings'>
      <item id='ae890ac52d0df67ed7cfdf51b644e901'>
        ${ATOM_ENTRY}
      </item>
    </publish>
    <publish-options>
      <x xmlns='jabber:x:data' type='submit'>
        <field var='FORM_TYPE' type='hidden'>
          <value>http://jabber.org/protocol/pubsub#publish-options</value>
        </field>
        <field var='pubsub#access_model'>
          <value>presence</value>
        </field>
      </x>
    </publish-options>
  </pubsub>
</iq>`;

const EXAMPLE_100 = `<message from='pubsub.shakespeare.lit' to='francisco@denmark.lit' id='foo'>
  <event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='princely_musings'>
      <item id='ae890ac52d0df67ed7cfdf51b644e901'>
        ${ATOM_ENTRY}
      </item>
    </items>
  </event>
</message>`;

const EXAMPLE_46 = `<message from='pubsub.shakespeare.lit' to='francisco@denmark.lit'>
  <event xmlns='http://jabber.org/protocol/pubsub#event'>
    <items node='princely_musings'>
      <item id='ae890ac52d0df67ed7cfdf51b644e901'>
        ${ATOM_ENTRY}
      </item>
    </items>
  </event>
  <delay xmlns='urn:xmpp:delay' stamp='2003-12-13T23:58:37Z'/>
</message>`;

const EXAMPLE_75 = `<iq type='result'
    from='pubsub.shakespeare.lit'
    to='francisco@denmark.lit/barracks'
    id='items1'>
  <pubsub xmlns='http://jabber.org/protocol/pubsub'>
    <items node='princely_musings'>
      <item id='368866411b877c30064a5f62b917cffe'>
        <entry xmlns='http://www.w3.org/2005/Atom'>
          <title>The Uses of This World</title>
          <id>tag:denmark.lit,2003:entry-32396</id>
        </entry>
      </item>
      <item id='3300659945416e274474e469a1f0154c'>
        <entry xmlns='http://www.w3.org/2005/Atom'>
          <title>Ghostly Encounters</title>
          <id>tag:denmark.lit,2003:entry-32396</id>
        </entry>
      </item>
    </items>
  </pubsub>
</iq>`;

const NOW = (): number => 1_700_000_000;
const PACK = senml.decode(
  '[{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1700000000,"n":"temperature","u":"Cel","v":18.5},{"n":"humidity","u":"%RH","v":71},{"n":"temperature","u":"Cel","v":18.6,"t":60}]',
  { now: NOW },
);

function throwsCode(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof FederationError && err.code === code && pattern.test(err.message),
  );
}

describe('federation: PubSub (XEP-0060)', () => {
  it('an affiliation notice (§8.9.4) reads back as built, and other messages are not one', () => {
    const built = reparse(
      affiliationNotice('bob@sen2.test', 'pubsub.sen1.test', 'meter', 'member'),
    );
    built.attrs.from = 'admin@sen1.test/node-red';
    assert.deepEqual(parseAffiliationNotice(built), {
      from: 'admin@sen1.test/node-red',
      node: 'meter',
      service: 'pubsub.sen1.test',
      affiliation: 'member',
    });
    assert.equal(parseAffiliationNotice(parse('<message><body>hi</body></message>')), undefined);
    assert.equal(
      parseAffiliationNotice(
        parse(
          "<message><pubsub xmlns='http://jabber.org/protocol/pubsub'><affiliations/></pubsub></message>",
        ),
      ),
      undefined,
    );
  });

  describe('builders, against the specification examples', () => {
    it('publishes an item with an ItemID as Example 96 does', () => {
      const ours = publishIq(
        'pubsub.shakespeare.lit',
        'princely_musings',
        'bnd81g37d61f49fgn581',
        parse(ATOM_ENTRY) as Element,
      );
      assert.equal(canonical(ours), canonical(EXAMPLE_96, ['from', 'id']));
      assert.equal(ours.attrs.id, undefined, 'the id is left to the iqCaller');
    });

    it('publishes with publish-options as Example 114 does', () => {
      const ours = publishIq(
        'pubsub.shakespeare.lit',
        'princely_musings',
        'ae890ac52d0df67ed7cfdf51b644e901',
        parse(ATOM_ENTRY) as Element,
        {
          publishOptions: { 'pubsub#access_model': 'presence' },
        },
      );
      assert.equal(canonical(ours), canonical(EXAMPLE_114, ['from', 'id']));
    });

    it('writes a SenML publication exactly', () => {
      const payload = senml.toXmlElement([
        { bn: 'urn:dev:mac:0024befffe804ff1:', n: 'temperature', u: 'Cel', v: 18.5, t: 1700000000 },
      ]);
      assert.equal(
        publishIq('pubsub.sen1.test', 'buoy7', 'abc', payload).toString(),
        '<iq type="set" to="pubsub.sen1.test"><pubsub xmlns="http://jabber.org/protocol/pubsub"><publish node="buoy7"><item id="abc">' +
          '<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml bn="urn:dev:mac:0024befffe804ff1:" n="temperature" u="Cel" v="18.5" t="1700000000"/></sensml>' +
          '</item></publish></pubsub></iq>',
      );
    });

    it('publishes without an item id (Example 97) and reads the id the service gave (Example 99)', () => {
      const ours = publishIq(
        'pubsub.shakespeare.lit',
        'princely_musings',
        undefined,
        parse(ATOM_ENTRY) as Element,
      );
      assert.equal(
        ours.getChild('pubsub')!.getChild('publish')!.getChild('item')!.attrs.id,
        undefined,
      );
      const result =
        parse(`<iq type='result' from='pubsub.shakespeare.lit' to='hamlet@denmark.lit/blogbot' id='publish2'>
        <pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='princely_musings'><item id='ae890ac52d0df67ed7cfdf51b644e901'/></publish></pubsub></iq>`);
      assert.deepEqual(parsePublishResult(result), {
        node: 'princely_musings',
        itemId: 'ae890ac52d0df67ed7cfdf51b644e901',
      });
      assert.deepEqual(parsePublishResult(parse("<iq type='result' id='publish1'/>")), {
        node: undefined,
        itemId: undefined,
      });
    });

    it('creates and configures a node in one request (§8.1.3)', () => {
      const ours = createNodeIq('pubsub.sen1.test', 'buoy7', {
        accessModel: 'whitelist',
        persistItems: true,
        maxItems: 'max',
        title: 'Buoy 7',
        notifyRetract: false,
      });
      assert.equal(
        ours.toString(),
        '<iq type="set" to="pubsub.sen1.test"><pubsub xmlns="http://jabber.org/protocol/pubsub"><create node="buoy7"/><configure>' +
          '<x xmlns="jabber:x:data" type="submit">' +
          '<field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/pubsub#node_config</value></field>' +
          '<field var="pubsub#access_model"><value>whitelist</value></field>' +
          '<field var="pubsub#persist_items"><value>1</value></field>' +
          '<field var="pubsub#max_items"><value>max</value></field>' +
          '<field var="pubsub#title"><value>Buoy 7</value></field>' +
          '<field var="pubsub#deliver_payloads"><value>1</value></field>' +
          '<field var="pubsub#notify_retract"><value>0</value></field>' +
          '<field var="pubsub#notify_delete"><value>1</value></field>' +
          '</x></configure></pubsub></iq>',
      );
      // Example 137's shape: <create/> first, then <configure> without a node attribute.
      const ps = ours.getChild('pubsub')!;
      assert.deepEqual(
        ps.getChildElements().map((c) => c.name),
        ['create', 'configure'],
      );
      assert.equal(ps.getChild('configure')!.attrs.node, undefined);
      throwsCode(
        () => createNodeIq('s', 'n', { accessModel: 'presence' as 'open', persistItems: true }),
        'FEDERATION_INPUT',
        /accessModel/,
      );
      throwsCode(
        () => createNodeIq('s', 'n', { accessModel: 'open', persistItems: true, maxItems: 0 }),
        'FEDERATION_INPUT',
        /maxItems/,
      );
    });

    it('subscribes and unsubscribes as Examples 28 and 47 do', () => {
      assert.equal(
        canonical(
          subscribeIq('pubsub.shakespeare.lit', 'princely_musings', 'francisco@denmark.lit'),
        ),
        canonical(
          `<iq type='set' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='sub1'>
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscribe node='princely_musings' jid='francisco@denmark.lit'/></pubsub></iq>`,
          ['from', 'id'],
        ),
      );
      assert.equal(
        unsubscribeIq(
          'pubsub.shakespeare.lit',
          'princely_musings',
          'francisco@denmark.lit',
        ).toString(),
        '<iq type="set" to="pubsub.shakespeare.lit"><pubsub xmlns="http://jabber.org/protocol/pubsub"><unsubscribe node="princely_musings" jid="francisco@denmark.lit"/></pubsub></iq>',
      );
    });

    it('retrieves items as Examples 74, 80 and 83 do', () => {
      const ex = (items: string): string =>
        canonical(
          `<iq type='get' from='francisco@denmark.lit/barracks' to='pubsub.shakespeare.lit' id='items1'><pubsub xmlns='http://jabber.org/protocol/pubsub'>${items}</pubsub></iq>`,
          ['from', 'id'],
        );
      assert.equal(
        canonical(itemsIq('pubsub.shakespeare.lit', 'princely_musings')),
        ex("<items node='princely_musings'/>"),
      );
      assert.equal(
        canonical(itemsIq('pubsub.shakespeare.lit', 'princely_musings', { maxItems: 2 })),
        ex("<items node='princely_musings' max_items='2'/>"),
      );
      assert.equal(
        canonical(
          itemsIq('pubsub.shakespeare.lit', 'princely_musings', {
            itemIds: ['ae890ac52d0df67ed7cfdf51b644e901'],
          }),
        ),
        ex("<items node='princely_musings'><item id='ae890ac52d0df67ed7cfdf51b644e901'/></items>"),
      );
      throwsCode(
        () => itemsIq('s', 'n', { maxItems: 2, itemIds: ['a'] }),
        'FEDERATION_INPUT',
        /not both/,
      );
      throwsCode(() => itemsIq('s', 'n', { maxItems: -1 }), 'FEDERATION_INPUT', /maxItems/);
    });

    it('asks for subscriptions (Examples 16, 20, 184) and affiliations (Example 197)', () => {
      const ex = (ns: string, body: string): string =>
        canonical(
          `<iq type='get' from='x@y/z' to='pubsub.shakespeare.lit' id='s1'><pubsub xmlns='http://jabber.org/protocol/pubsub${ns}'>${body}</pubsub></iq>`,
          ['from', 'id'],
        );
      assert.equal(
        canonical(subscriptionsIq('pubsub.shakespeare.lit')),
        ex('', '<subscriptions/>'),
      );
      assert.equal(
        canonical(subscriptionsIq('pubsub.shakespeare.lit', 'princely_musings')),
        ex('', "<subscriptions node='princely_musings'/>"),
      );
      assert.equal(
        canonical(ownerSubscriptionsIq('pubsub.shakespeare.lit', 'princely_musings')),
        ex('#owner', "<subscriptions node='princely_musings'/>"),
      );
      assert.equal(
        canonical(ownerAffiliationsIq('pubsub.shakespeare.lit', 'princely_musings')),
        ex('#owner', "<affiliations node='princely_musings'/>"),
      );
    });

    it('modifies subscriptions and affiliations as Examples 189 and 202 do', () => {
      assert.equal(
        canonical(
          setSubscriptionsIq('pubsub.shakespeare.lit', 'princely_musings', [
            { jid: 'bard@shakespeare.lit', subscription: 'subscribed' },
          ]),
        ),
        canonical(
          `<iq type='set' from='hamlet@denmark.lit/elsinore' to='pubsub.shakespeare.lit' id='subman2'>
            <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><subscriptions node='princely_musings'>
              <subscription jid='bard@shakespeare.lit' subscription='subscribed'/></subscriptions></pubsub></iq>`,
          ['from', 'id'],
        ),
      );
      assert.equal(
        canonical(
          setAffiliationsIq('pubsub.shakespeare.lit', 'princely_musings', [
            { jid: 'bard@shakespeare.lit', affiliation: 'publisher' },
          ]),
        ),
        canonical(
          `<iq type='set' from='hamlet@denmark.lit/elsinore' to='pubsub.shakespeare.lit' id='ent2'>
            <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='princely_musings'>
              <affiliation jid='bard@shakespeare.lit' affiliation='publisher'/></affiliations></pubsub></iq>`,
          ['from', 'id'],
        ),
      );
      throwsCode(
        () => setAffiliationsIq('s', 'n', [{ jid: 'a@b', affiliation: 'admin' as 'owner' }]),
        'FEDERATION_INPUT',
        /affiliation change 0/,
      );
      throwsCode(() => setSubscriptionsIq('s', 'n', []), 'FEDERATION_INPUT', /at least one/);
    });

    it('revokes access in two steps: subscription none, then affiliation none (Prosody 0.12)', () => {
      const [first, second] = revokeAccessIqs('pubsub.sen1.test', 'buoy7', 'bob@sen2.test');
      assert.equal(
        first.toString(),
        '<iq type="set" to="pubsub.sen1.test"><pubsub xmlns="http://jabber.org/protocol/pubsub#owner"><subscriptions node="buoy7"><subscription jid="bob@sen2.test" subscription="none"/></subscriptions></pubsub></iq>',
      );
      assert.equal(
        second.toString(),
        '<iq type="set" to="pubsub.sen1.test"><pubsub xmlns="http://jabber.org/protocol/pubsub#owner"><affiliations node="buoy7"><affiliation jid="bob@sen2.test" affiliation="none"/></affiliations></pubsub></iq>',
      );
    });

    it('retracts an item (§7.2.1) and deletes a node (§8.4.1)', () => {
      assert.equal(
        canonical(
          retractIq(
            'pubsub.shakespeare.lit',
            'princely_musings',
            'ae890ac52d0df67ed7cfdf51b644e901',
            false,
          ),
        ),
        canonical(
          `<iq type='set' from='hamlet@denmark.lit/elsinore' to='pubsub.shakespeare.lit' id='retract1'>
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><retract node='princely_musings'><item id='ae890ac52d0df67ed7cfdf51b644e901'/></retract></pubsub></iq>`,
          ['from', 'id'],
        ),
      );
      assert.equal(
        retractIq('s', 'n', 'i').getChild('pubsub')!.getChild('retract')!.attrs.notify,
        'true',
      );
      assert.equal(
        deleteNodeIq('pubsub.shakespeare.lit', 'princely_musings').toString(),
        '<iq type="set" to="pubsub.shakespeare.lit"><pubsub xmlns="http://jabber.org/protocol/pubsub#owner"><delete node="princely_musings"/></pubsub></iq>',
      );
    });

    it('refuses unusable arguments with FEDERATION_INPUT', () => {
      throwsCode(
        () => publishIq('s', '', 'i', senml.toXmlElement([{ n: 'x', v: 1 }])),
        'FEDERATION_INPUT',
        /node name must not be empty/,
      );
      throwsCode(
        () => publishIq('s', 'n', 'i', new Element('entry')),
        'FEDERATION_INPUT',
        /must declare its namespace/,
      );
      throwsCode(
        () => publishIq('s', 'n', 'i', 'payload' as unknown as Element),
        'FEDERATION_INPUT',
        /must be an XML element/,
      );
      throwsCode(
        () => subscribeIq('s', 'n\u0001', 'a@b'),
        'FEDERATION_INPUT',
        /character that XML cannot carry/,
      );
      throwsCode(
        () => subscribeIq(undefined as unknown as string, 'n', 'a@b'),
        'FEDERATION_INPUT',
        /must be text/,
      );
    });
  });

  describe('parsers, against the specification examples', () => {
    it('reads an event with payload (Example 100)', () => {
      const event = parseEventMessage(parse(EXAMPLE_100))!;
      assert.equal(event.service, 'pubsub.shakespeare.lit');
      assert.equal(event.node, 'princely_musings');
      assert.equal(event.kind, 'items');
      assert.equal(event.items.length, 1);
      assert.equal(event.items[0].id, 'ae890ac52d0df67ed7cfdf51b644e901');
      assert.equal(event.items[0].payload!.getChildText('title'), 'Soliloquy');
      assert.equal(event.items[0].payload!.getNS(), 'http://www.w3.org/2005/Atom');
      assert.deepEqual(event.retracts, []);
      assert.equal(event.delay, undefined);
    });

    it('reports delayed delivery of the last published item (Example 46)', () => {
      const event = parseEventMessage(parse(EXAMPLE_46))!;
      assert.deepEqual(event.delay, { stamp: '2003-12-13T23:58:37Z' });
      assert.equal(event.items[0].id, 'ae890ac52d0df67ed7cfdf51b644e901');
    });

    it('reads the publisher (Example 102), notifications without payload and SubIDs (Example 104)', () => {
      const withPublisher = parseEventMessage(
        parse(`<message from='pubsub.shakespeare.lit' to='francisco@denmark.lit' id='foo'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='princely_musings'>
            <item id='ae890ac52d0df67ed7cfdf51b644e901' publisher='hamlet@denmark.lit'>${ATOM_ENTRY}</item></items></event></message>`),
      )!;
      assert.equal(withPublisher.items[0].publisher, 'hamlet@denmark.lit');
      const notated = parseEventMessage(
        parse(`<message from='pubsub.shakespeare.lit' to='francisco@denmark.lit' id='foo'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='princely_musings'><item id='ae890ac52d0df67ed7cfdf51b644e901'/></items></event>
          <headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>123-abc</header><header name='SubID'>004-yyy</header></headers></message>`),
      )!;
      assert.deepEqual(notated.items, [
        { id: 'ae890ac52d0df67ed7cfdf51b644e901', payload: undefined },
      ]);
      assert.deepEqual(notated.subids, ['123-abc', '004-yyy']);
    });

    it('reads retractions (Example 117), purge, delete and subscription events (§8.4, §8.5, Example 196)', () => {
      const retract = parseEventMessage(
        parse(`<message from='pubsub.shakespeare.lit' to='francisco@denmark.lit' id='foo'>
          <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='princely_musings'><retract id='ae890ac52d0df67ed7cfdf51b644e901'/></items></event></message>`),
      )!;
      assert.deepEqual(retract.retracts, ['ae890ac52d0df67ed7cfdf51b644e901']);
      assert.deepEqual(retract.items, []);
      const purge = parseEventMessage(
        parse(
          `<message from='pubsub.shakespeare.lit'><event xmlns='${PUBSUB_EVENT_NS}'><purge node='princely_musings'/></event></message>`,
        ),
      )!;
      assert.equal(purge.kind, 'purge');
      assert.equal(purge.node, 'princely_musings');
      const deleted = parseEventMessage(
        parse(
          `<message from='pubsub.shakespeare.lit'><event xmlns='${PUBSUB_EVENT_NS}'><delete node='princely_musings'><redirect uri='xmpp:hamlet@denmark.lit?;node=blog'/></delete></event></message>`,
        ),
      )!;
      assert.equal(deleted.kind, 'delete');
      assert.equal(deleted.redirect, 'xmpp:hamlet@denmark.lit?;node=blog');
      const sub = parseEventMessage(
        parse(
          `<message from='pubsub.shakespeare.lit' to='polonius@denmark.lit'><event xmlns='${PUBSUB_EVENT_NS}'><subscription node='princely_musings' jid='polonius@denmark.lit' subscription='none'/></event></message>`,
        ),
      )!;
      assert.deepEqual(sub.subscription, { jid: 'polonius@denmark.lit', state: 'none' });
    });

    it('reads items in document order (Example 75) and an empty node (Example 82)', () => {
      const result = parseItemsResult(parse(EXAMPLE_75))!;
      assert.equal(result.node, 'princely_musings');
      assert.deepEqual(
        result.items.map((i) => [i.id, i.payload?.getChildText('title')]),
        [
          ['368866411b877c30064a5f62b917cffe', 'The Uses of This World'],
          ['3300659945416e274474e469a1f0154c', 'Ghostly Encounters'],
        ],
      );
      assert.deepEqual(
        parseItemsResult(
          parse(
            "<iq type='result' from='pubsub.shakespeare.lit' id='items2'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='princely_musings'/></pubsub></iq>",
          ),
        ),
        { node: 'princely_musings', items: [] },
      );
    });

    it('reads subscription answers (§6.1.2, §6.2.2) and lists (Examples 17, 185)', () => {
      assert.deepEqual(
        parseSubscribeResult(
          parse(`<iq type='result' from='pubsub.shakespeare.lit' to='francisco@denmark.lit/barracks' id='sub1'>
            <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscription node='princely_musings' jid='francisco@denmark.lit'
              subid='ba49252aaa4f5d320c24d3766f0bdcade78c78d3' subscription='subscribed'/></pubsub></iq>`),
        ),
        {
          node: 'princely_musings',
          jid: 'francisco@denmark.lit',
          state: 'subscribed',
          subid: 'ba49252aaa4f5d320c24d3766f0bdcade78c78d3',
        },
      );
      assert.equal(
        parseSubscribeResult(parse("<iq type='result' id='unsub1'/>"), 'unsubscribe')!.state,
        'none',
      );
      assert.equal(
        parseSubscribeResult(parse("<iq type='result' id='sub1'/>"))!.state,
        'subscribed',
      );
      const list = parseSubscriptions(
        parse(`<iq type='result' from='pubsub.shakespeare.lit' to='francisco@denmark.lit' id='subscriptions1'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub'><subscriptions>
            <subscription node='node1' jid='francisco@denmark.lit' subscription='subscribed'/>
            <subscription node='node5' jid='francisco@denmark.lit' subscription='unconfigured'/>
            <subscription node='node6' jid='francisco@denmark.lit' subscription='subscribed' subid='123-abc'/>
          </subscriptions></pubsub></iq>`),
      )!;
      assert.deepEqual(
        list.map((s) => [s.node, s.state, s.subid]),
        [
          ['node1', 'subscribed', undefined],
          ['node5', 'unconfigured', undefined],
          ['node6', 'subscribed', '123-abc'],
        ],
      );
      const owner = parseSubscriptions(
        parse(`<iq type='result' from='pubsub.shakespeare.lit' to='hamlet@denmark.lit/elsinore' id='subman1'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><subscriptions node='princely_musings'>
            <subscription jid='hamlet@denmark.lit' subscription='subscribed'/>
            <subscription jid='polonius@denmark.lit' subscription='unconfigured'/>
            <subscription jid='bernardo@denmark.lit' subscription='subscribed' subid='123-abc'/>
          </subscriptions></pubsub></iq>`),
      )!;
      assert.deepEqual(
        owner.map((s) => [s.node, s.jid, s.state]),
        [
          ['princely_musings', 'hamlet@denmark.lit', 'subscribed'],
          ['princely_musings', 'polonius@denmark.lit', 'unconfigured'],
          ['princely_musings', 'bernardo@denmark.lit', 'subscribed'],
        ],
      );
    });

    it('reads an affiliations list (Example 198)', () => {
      const list = parseAffiliations(
        parse(`<iq type='result' from='pubsub.shakespeare.lit' id='ent1'>
          <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><affiliations node='princely_musings'>
            <affiliation jid='hamlet@denmark.lit' affiliation='owner'/>
            <affiliation jid='polonius@denmark.lit' affiliation='outcast'/>
          </affiliations></pubsub></iq>`),
      );
      assert.deepEqual(list, [
        { jid: 'hamlet@denmark.lit', node: 'princely_musings', affiliation: 'owner' },
        { jid: 'polonius@denmark.lit', node: 'princely_musings', affiliation: 'outcast' },
      ]);
    });

    it('reads error conditions (Examples 105, 107, 108, 19), also from a StanzaError', () => {
      assert.deepEqual(
        pubsubErrorCondition(
          parse(
            "<iq type='error' from='pubsub.shakespeare.lit' id='publish1'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
          ),
        ),
        { type: 'auth', condition: 'forbidden' },
      );
      assert.deepEqual(
        pubsubErrorCondition(
          parse(
            "<iq type='error' from='pubsub.shakespeare.lit' to='hamlet@denmark.lit/elsinore' id='publish1'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
          ),
        ),
        { type: 'cancel', condition: 'item-not-found' },
      );
      const full =
        parse(`<iq type='error' from='pubsub.shakespeare.lit' to='hamlet@denmark.lit/elsinore' id='publish1'>
        <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><node-full xmlns='http://jabber.org/protocol/pubsub#errors'/></error></iq>`);
      assert.deepEqual(pubsubErrorCondition(full), {
        type: 'cancel',
        condition: 'conflict',
        pubsubCondition: 'node-full',
      });
      const unsupported =
        parse(`<iq type='error' from='pubsub.shakespeare.lit' to='francisco@denmark.lit/barracks' id='subscriptions1'>
        <error type='cancel'><feature-not-implemented xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
        <unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='retrieve-subscriptions'/>
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>not here</text></error></iq>`);
      assert.deepEqual(pubsubErrorCondition(unsupported), {
        type: 'cancel',
        condition: 'feature-not-implemented',
        pubsubCondition: 'unsupported',
        feature: 'retrieve-subscriptions',
        text: 'not here',
      });
      // @xmpp/client rejects iqCaller.request with a StanzaError whose `element` is the <error>.
      const stanzaError = Object.assign(new Error('conflict'), {
        condition: 'conflict',
        element: full.getChild('error'),
      });
      assert.equal(pubsubErrorCondition(stanzaError)!.pubsubCondition, 'node-full');
      assert.equal(pubsubErrorCondition(parse(EXAMPLE_100)), undefined);
    });
  });

  describe('round trip: build, serialise, parse again, read', () => {
    it('a SenML pack published, delivered as an event and as an items result, decodes to the same pack', () => {
      const id = stableItemId(PACK);
      const sent = reparse(
        publishIq('pubsub.sen1.test', 'buoy7', id, senml.toXmlElement(senml.compact(PACK))),
      );
      const item = sent.getChild('pubsub')!.getChild('publish')!.getChild('item')!;
      // What the service does with it: the same <item> inside an event and an items result.
      const event = reparse(
        parse(
          `<message from="pubsub.sen1.test" to="bob@sen2.test" id="e1"><event xmlns="${PUBSUB_EVENT_NS}"><items node="buoy7">${item.toString()}</items></event></message>`,
        ),
      );
      const parsed = parseEventMessage(event)!;
      assert.equal(parsed.items[0].id, id);
      assert.deepEqual(senml.decode(parsed.items[0].payload, { now: NOW }), PACK);
      const result = reparse(
        parse(
          `<iq type="result" from="pubsub.sen1.test" id="i1"><pubsub xmlns="http://jabber.org/protocol/pubsub"><items node="buoy7">${item.toString()}</items></pubsub></iq>`,
        ),
      );
      assert.deepEqual(
        senml.decode(parseItemsResult(result)!.items[0].payload, { now: NOW }),
        PACK,
      );
    });

    it('builders give stanzas that survive serialisation unchanged', () => {
      for (const stanza of [
        createNodeIq('pubsub.sen1.test', 'n', {
          accessModel: 'open',
          persistItems: true,
          maxItems: 10,
          title: 'Les bouées « 7 » & <8>',
        }),
        itemsIq('pubsub.sen1.test', 'n', { itemIds: ['a', 'b'] }),
        setSubscriptionsIq('pubsub.sen1.test', 'n', [
          { jid: 'a@b', subscription: 'none' },
          { jid: 'c@d', subscription: 'subscribed', subid: 'x' },
        ]),
      ]) {
        assert.equal(reparse(stanza).toString(), stanza.toString());
      }
    });
  });

  describe('stable item ids', () => {
    it('is the documented hash of the canonical JSON, so ids stay the same across versions', () => {
      // Keys sorted, no spaces, strings and numbers as JSON.stringify writes them: what the doc comment promises.
      const canonical =
        '[{"n":"urn:dev:ow:10e2073a01080063","t":1320067464,"u":"Cel","v":23.1},{"n":"b","vs":"été \\"x\\""}]';
      const expected = createHash('sha256')
        .update(canonical, 'utf8')
        .digest()
        .subarray(0, 16)
        .toString('base64url');
      const pack = [
        { v: 23.1, u: 'Cel', t: 1320067464, n: 'urn:dev:ow:10e2073a01080063' },
        { vs: 'été "x"', n: 'b' },
      ] as senml.ResolvedPack;
      assert.equal(stableItemId(pack), expected);
    });

    it('gives the same id for the same records, whatever the key order, and another for other records', () => {
      const id = stableItemId(PACK);
      assert.match(id, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(stableItemId(structuredClone(PACK)), id);
      const reordered = PACK.map((r) =>
        Object.fromEntries(Object.entries(r).reverse()),
      ) as typeof PACK;
      assert.equal(stableItemId(reordered), id);
      const changed = structuredClone(PACK);
      changed[1].v = 71.1;
      assert.notEqual(stableItemId(changed), id);
      assert.notEqual(
        stableItemId([PACK[1], PACK[0], PACK[2]]),
        id,
        'record order is part of the pack',
      );
      const withUndefined = structuredClone(PACK) as Record<string, unknown>[];
      withUndefined[0].vs = undefined;
      assert.equal(
        stableItemId(withUndefined as typeof PACK),
        id,
        'a field left undefined is no field',
      );
    });

    it('refuses what is not a pack', () => {
      throwsCode(
        () => stableItemId('x' as unknown as typeof PACK),
        'FEDERATION_INPUT',
        /list of records/,
      );
      throwsCode(
        () => stableItemId([null] as unknown as typeof PACK),
        'FEDERATION_INPUT',
        /record 0/,
      );
      throwsCode(() => stableItemId([{ n: 'a', t: 1, v: NaN }]), 'FEDERATION_INPUT', /NaN/);
    });
  });

  describe('hostile input: every parser returns undefined or throws FederationError', () => {
    const parsers: [string, (x: unknown) => unknown][] = [
      ['parseEventMessage', parseEventMessage],
      ['parseItemsResult', parseItemsResult],
      ['parseSubscribeResult', (x) => parseSubscribeResult(x)],
      ['parseSubscriptions', parseSubscriptions],
      ['parseAffiliations', parseAffiliations],
      ['parsePublishResult', parsePublishResult],
      ['pubsubErrorCondition', pubsubErrorCondition],
    ];

    it('on things that are not stanzas, or barely', () => {
      for (const [label, input] of genericNasties())
        for (const [name, fn] of parsers) assertSafe(`${name}(${label})`, () => fn(input));
    });

    it('on every single mutation of valid stanzas', () => {
      const valid = [
        EXAMPLE_46,
        EXAMPLE_75,
        `<message from='pubsub.shakespeare.lit'><event xmlns='${PUBSUB_EVENT_NS}'><items node='n'><retract id='a'/><item id='b' publisher='p@q'/></items></event>
          <headers xmlns='http://jabber.org/protocol/shim'><header name='SubID'>1</header></headers></message>`,
        `<iq type='result' id='s'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><subscriptions node='n'><subscription jid='a@b' subscription='subscribed' subid='1'/></subscriptions>
          <affiliations node='n'><affiliation jid='a@b' affiliation='owner'/></affiliations></pubsub></iq>`,
        `<iq type='error' id='e'><error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><unsupported xmlns='http://jabber.org/protocol/pubsub#errors' feature='x'/></error></iq>`,
      ];
      let count = 0;
      for (const xml of valid) {
        for (const [label, mutant] of mutations(xml)) {
          for (const [name, fn] of parsers) {
            assertSafe(`${name}: ${label}`, () => fn(mutant));
            count++;
          }
        }
      }
      assert.ok(count > 500, `only ${count} cases`);
    });

    it('with precise outcomes for the cases that matter', () => {
      const ev = (inner: string, attrs = "from='ps.example'"): Element =>
        parse(`<message ${attrs}>${inner}</message>`);
      // Not a pubsub event at all: undefined.
      assert.equal(
        parseEventMessage(ev("<event xmlns='urn:wrong'><items node='x'/></event>")),
        undefined,
      );
      assert.equal(parseEventMessage(ev("<items node='x'/>")), undefined);
      // An error bounce is not an event, whatever it carries.
      assert.equal(
        parseEventMessage(
          ev(
            `<event xmlns='${PUBSUB_EVENT_NS}'><items node='x'/></event>`,
            "from='ps.example' type='error'",
          ),
        ),
        undefined,
      );
      // A pubsub event that breaks the schema: FEDERATION_MALFORMED.
      throwsCode(
        () => parseEventMessage(ev(`<event xmlns='${PUBSUB_EVENT_NS}'><items/></event>`)),
        'FEDERATION_MALFORMED',
        /without a node/,
      );
      throwsCode(
        () =>
          parseEventMessage(ev(`<event xmlns='${PUBSUB_EVENT_NS}'><items node='x'/></event>`, '')),
        'FEDERATION_MALFORMED',
        /without a from/,
      );
      throwsCode(
        () => parseEventMessage(ev(`<event xmlns='${PUBSUB_EVENT_NS}'><nonsense/></event>`)),
        'FEDERATION_MALFORMED',
        /holds none of/,
      );
      throwsCode(
        () =>
          parseSubscribeResult(
            parse(
              "<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><subscription node='n' jid='a@b' subscription='maybe'/></pubsub></iq>",
            ),
          ),
        'FEDERATION_MALFORMED',
        /subscription state/,
      );
      // Retractions without id and items without payload are kept as far as they go.
      const partial = parseEventMessage(
        ev(
          `<event xmlns='${PUBSUB_EVENT_NS}'><items node='x'><retract/><item/><item id='a'><p xmlns='urn:p'/><q xmlns='urn:q'/></item></items></event>`,
        ),
      )!;
      assert.deepEqual(partial.retracts, []);
      assert.deepEqual(
        partial.items.map((i) => [i.id, i.payload?.name]),
        [
          [undefined, undefined],
          ['a', 'p'],
        ],
      );
      // A delay without a stamp is ignored (XEP-0203 §4: stamp is required).
      assert.equal(
        parseEventMessage(
          ev(
            `<event xmlns='${PUBSUB_EVENT_NS}'><items node='x'/></event><delay xmlns='urn:xmpp:delay'/>`,
          ),
        )!.delay,
        undefined,
      );
      // Prefixed namespaces are namespaces too.
      const prefixed = parseEventMessage(
        ev(
          `<ps:event xmlns:ps='${PUBSUB_EVENT_NS}'><ps:items node='x'><ps:item id='1'/></ps:items></ps:event>`,
        ),
      )!;
      assert.equal(prefixed.items[0].id, '1');
      // 100 000 items are read in order.
      const many = Array.from({ length: 100_000 }, (_, i) => `<item id='${i}'/>`).join('');
      const big = parseItemsResult(
        parse(
          `<iq type='result'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='n'>${many}</items></pubsub></iq>`,
        ),
      )!;
      assert.equal(big.items.length, 100_000);
      assert.equal(big.items[99_999].id, '99999');
    });
  });
});
