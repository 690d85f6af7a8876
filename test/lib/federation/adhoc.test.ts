import assert from 'node:assert/strict';
import { Element, parse } from 'ltx';
import { senml } from '../../../lib';
import {
  commandErrorIq,
  commandIq,
  commandResultIq,
  getHistoryIq,
  historyRequest,
  identifierRequest,
  isoTimeWithOffset,
  parseCommandError,
  parseCommandRequest,
  parseCommandResult,
  subscribeCommandIq,
  unsubscribeCommandIq,
} from '../../../lib/federation/adhoc';
import { FederationError } from '../../../lib/federation/errors';
import { quoaliseDataElement } from '../../../lib/federation/quoalise';
import { assertSafe, canonical, genericNasties, mutations, reparse } from './xml-helpers';

// Examples of XEP-0050 version 1.3.0, written out by hand.
const EXAMPLE_8 = `<iq type='set' to='responder@domain' id='exec1'>
  <command xmlns='http://jabber.org/protocol/commands'
           node='list'
           action='execute'/>
</iq>`;

const EXAMPLE_9_FORM = `<x xmlns='jabber:x:data' type='result'>
      <title>Available Services</title>
      <reported>
        <field var='service' label='Service'/>
        <field var='runlevel-1' label='Single-User mode'/>
        <field var='runlevel-2' label='Non-Networked Multi-User mode'/>
        <field var='runlevel-3' label='Full Multi-User mode'/>
        <field var='runlevel-5' label='X-Window mode'/>
      </reported>
      <item>
        <field var='service'><value>httpd</value></field>
        <field var='runlevel-1'><value>off</value></field>
        <field var='runlevel-2'><value>off</value></field>
        <field var='runlevel-3'><value>on</value></field>
        <field var='runlevel-5'><value>on</value></field>
      </item>
      <item>
        <field var='service'><value>postgresql</value></field>
        <field var='runlevel-1'><value>off</value></field>
        <field var='runlevel-2'><value>off</value></field>
        <field var='runlevel-3'><value>on</value></field>
        <field var='runlevel-5'><value>on</value></field>
      </item>
      <item>
        <field var='service'><value>jabberd</value></field>
        <field var='runlevel-1'><value>off</value></field>
        <field var='runlevel-2'><value>off</value></field>
        <field var='runlevel-3'><value>on</value></field>
        <field var='runlevel-5'><value>on</value></field>
      </item>
    </x>`;

const EXAMPLE_9 = `<iq type='result' from='responder@domain' to='requester@domain' id='exec1'>
  <command xmlns='http://jabber.org/protocol/commands'
           sessionid='list:20020923T213616Z-700'
           node='list'
           status='completed'>
    ${EXAMPLE_9_FORM}
  </command>
</iq>`;

const EXAMPLE_12 = `<iq type='set' to='responder@domain' id='exec2'>
  <command xmlns='http://jabber.org/protocol/commands'
           sessionid='config:20020923T213616Z-700'
           node='config'>
    <x xmlns='jabber:x:data' type='submit'>
      <field var='service'>
        <value>httpd</value>
      </field>
    </x>
  </command>
</iq>`;

const EXAMPLE_15 = `<iq type='result' from='responder@domain' to='requester@domain' id='exec3'>
  <command xmlns='http://jabber.org/protocol/commands'
           sessionid='config:20020923T213616Z-700'
           node='config'
           status='completed'>
    <note type='info'>Service 'httpd' has been configured.</note>
  </command>
</iq>`;

const EXAMPLE_23 = `<iq type='error' from='responder@domain' to='requester@domain/resource' id='exec1'>
  <command xmlns='http://jabber.org/protocol/commands'
           node='list'
           action='execute'
           xml:lang='fr-ca'/>
  <error type='modify' code='400'>
    <bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>
    <bad-locale xmlns='http://jabber.org/protocol/commands'/>
  </error>
</iq>`;

// Quoalise's own error example (its protocol decision record, "Expose application specific errors").
const QUOALISE_ERROR = `<iq xml:lang="en" to="requester@sen1.test/nr" type="error" id="q1">
  <error type="cancel">
    <undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-stanzas" />
    <text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">The requested period cannot be anterior to the meter&apos;s last activation date</text>
    <upstream-error xmlns="urn:quoalise:0" issuer="enedis-data-connect" code="ADAM-ERR0123" />
  </error>
</iq>`;

const NOW = (): number => 1_700_000_000;
const IDENTIFIER = 'urn:dev:prm:30001610071843_consumption/active_power/raw';
const PACK = senml.decode(
  `[{"bn":"${IDENTIFIER}","bt":1638313200,"bu":"W","v":1234},{"t":1800,"v":1500},{"t":3600,"v":1410}]`,
  { now: NOW },
);

function throwsCode(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) =>
      err instanceof FederationError && err.code === code && pattern.test(err.message),
  );
}

/** What the requester's server does on delivery: stamp the sender and the id. */
function delivered(iq: Element, from: string, id: string): Element {
  const copy = reparse(iq);
  copy.attrs.from = from;
  copy.attrs.id = id;
  return reparse(copy);
}

describe('federation: ad-hoc commands (XEP-0050) as Quoalise uses them', () => {
  describe('requests', () => {
    it('executes a command as Example 8 does', () => {
      assert.equal(canonical(commandIq('responder@domain', 'list')), canonical(EXAMPLE_8, ['id']));
    });

    it('writes get_history exactly, with a submit form', () => {
      assert.equal(
        getHistoryIq(
          'proxy@sen2.test/quoalise',
          IDENTIFIER,
          '2021-12-01T00:00+01:00',
          '2021-12-05T00:00:00+01:00',
        ).toString(),
        '<iq type="set" to="proxy@sen2.test/quoalise"><command xmlns="http://jabber.org/protocol/commands" node="get_history" action="execute">' +
          '<x xmlns="jabber:x:data" type="submit">' +
          `<field var="identifier"><value>${IDENTIFIER}</value></field>` +
          '<field var="start_time"><value>2021-12-01T00:00+01:00</value></field>' +
          '<field var="end_time"><value>2021-12-05T00:00:00+01:00</value></field>' +
          '</x></command></iq>',
      );
    });

    it('writes subscribe and unsubscribe with the identifier', () => {
      const form = (node: string): string =>
        `<iq type="set" to="p@sen2.test"><command xmlns="http://jabber.org/protocol/commands" node="${node}" action="execute"><x xmlns="jabber:x:data" type="submit"><field var="identifier"><value>urn:dev:x</value></field></x></command></iq>`;
      assert.equal(subscribeCommandIq('p@sen2.test', 'urn:dev:x').toString(), form('subscribe'));
      assert.equal(
        unsubscribeCommandIq('p@sen2.test', 'urn:dev:x').toString(),
        form('unsubscribe'),
      );
    });

    it('accepts ISO 8601 times with an offset only', () => {
      assert.equal(isoTimeWithOffset('2021-12-01T00:00:00Z'), '2021-12-01T00:00:00+00:00');
      assert.equal(
        isoTimeWithOffset('2021-12-01T00:00:00.123456-05:30'),
        '2021-12-01T00:00:00.123456-05:30',
      );
      assert.equal(
        isoTimeWithOffset(new Date(Date.UTC(2021, 11, 1, 6))),
        '2021-12-01T06:00:00.000+00:00',
      );
      for (const bad of [
        '2021-12-01T00:00:00',
        '2021-12-01',
        '2021-12-01 00:00+01:00',
        '2021-12-01T00:00+0100',
        '2021-02-30T00:00Z',
        '2021-12-01T24:00Z',
        'yesterday',
        '2021-12-01T00:00:00.1Z',
      ]) {
        throwsCode(
          () => getHistoryIq('p@q', 'x', bad, '2021-12-05T00:00Z'),
          'FEDERATION_INPUT',
          /start_time/,
        );
      }
      throwsCode(
        () => isoTimeWithOffset('2021-12-01T00:00:00'),
        'FEDERATION_INPUT',
        /no UTC offset/,
      );
      throwsCode(() => isoTimeWithOffset(new Date(NaN)), 'FEDERATION_INPUT', /invalid Date/);
      throwsCode(
        () => getHistoryIq('p@q', 'x', '2021-12-05T00:00Z', '2021-12-01T00:00Z'),
        'FEDERATION_INPUT',
        /after end_time/,
      );
      throwsCode(
        () => getHistoryIq('p@q', '', '2021-12-01T00:00Z', '2021-12-05T00:00Z'),
        'FEDERATION_INPUT',
        /identifier/,
      );
    });
  });

  describe('the provider reading requests', () => {
    it('reads a get_history request as it arrives, and checks its fields', () => {
      const sent = getHistoryIq(
        'proxy@sen2.test/q',
        IDENTIFIER,
        '2021-12-01T00:00+01:00',
        '2021-12-05T00:00+01:00',
      );
      const request = parseCommandRequest(delivered(sent, 'alice@sen1.test/node-red', 'h1'))!;
      assert.deepEqual(request.fields, {
        identifier: IDENTIFIER,
        start_time: '2021-12-01T00:00+01:00',
        end_time: '2021-12-05T00:00+01:00',
      });
      assert.equal(request.from, 'alice@sen1.test/node-red');
      assert.equal(request.id, 'h1');
      assert.equal(request.node, 'get_history');
      assert.equal(request.action, 'execute');
      assert.deepEqual(historyRequest(request), {
        identifier: IDENTIFIER,
        startTime: '2021-12-01T00:00+01:00',
        endTime: '2021-12-05T00:00+01:00',
      });
      const sub = parseCommandRequest(
        delivered(subscribeCommandIq('p@q', 'urn:dev:x'), 'a@b/c', 's1'),
      )!;
      assert.deepEqual(identifierRequest(sub), { identifier: 'urn:dev:x' });
    });

    it('reads a later stage without action as execute, with its sessionid (Example 12)', () => {
      const request = parseCommandRequest(parse(EXAMPLE_12))!;
      assert.deepEqual(
        {
          node: request.node,
          action: request.action,
          sessionid: request.sessionid,
          fields: request.fields,
          from: request.from,
        },
        {
          node: 'config',
          action: 'execute',
          sessionid: 'config:20020923T213616Z-700',
          fields: { service: 'httpd' },
          from: undefined,
        },
      );
    });

    it('refuses bad get_history fields with FEDERATION_MALFORMED, to answer bad-request', () => {
      const request = (fields: string): Element =>
        parse(
          `<iq type="set" from="a@b/c" id="1"><command xmlns="http://jabber.org/protocol/commands" node="get_history"><x xmlns="jabber:x:data" type="submit">${fields}</x></command></iq>`,
        );
      const f = (v: string, value: string): string =>
        `<field var="${v}"><value>${value}</value></field>`;
      throwsCode(
        () =>
          historyRequest(
            parseCommandRequest(
              request(f('identifier', 'x') + f('start_time', '2021-12-01T00:00')),
            )!,
          ),
        'FEDERATION_MALFORMED',
        /start_time.*no UTC offset/,
      );
      throwsCode(
        () => historyRequest(parseCommandRequest(request(f('start_time', '2021-12-01T00:00Z')))!),
        'FEDERATION_MALFORMED',
        /"identifier" is required/,
      );
      throwsCode(
        () =>
          historyRequest(
            parseCommandRequest(
              request(
                f('identifier', 'x') +
                  f('start_time', '2021-12-02T00:00Z') +
                  f('end_time', '2021-12-01T00:00Z'),
              ),
            )!,
          ),
        'FEDERATION_MALFORMED',
        /after end_time/,
      );
      throwsCode(
        () =>
          identifierRequest(
            parseCommandRequest(
              request('<field var="identifier"><value>a</value><value>b</value></field>'),
            )!,
          ),
        'FEDERATION_MALFORMED',
        /one value/,
      );
    });
  });

  describe('the provider answering', () => {
    it('answers completed with a result form as Example 9 does', () => {
      const request = parseCommandRequest(
        parse(
          "<iq type='set' from='requester@domain' to='responder@domain' id='exec1'><command xmlns='http://jabber.org/protocol/commands' node='list' action='execute'/></iq>",
        ),
      )!;
      const ours = commandResultIq(request, {
        sessionid: 'list:20020923T213616Z-700',
        form: parse(EXAMPLE_9_FORM) as Element,
      });
      assert.equal(canonical(ours), canonical(EXAMPLE_9, ['from']));
      assert.equal(ours.attrs.type, 'result');
      assert.equal(ours.attrs.to, 'requester@domain');
      assert.equal(ours.attrs.id, 'exec1');
    });

    it('answers completed with Quoalise data, exactly', () => {
      const request = parseCommandRequest(
        delivered(
          getHistoryIq(
            'p@sen2.test/q',
            IDENTIFIER,
            '2021-12-01T00:00+01:00',
            '2021-12-01T02:00+01:00',
          ),
          'a@sen1.test/nr',
          'h2',
        ),
      )!;
      const data = quoaliseDataElement([{ n: IDENTIFIER, t: 1638313200, u: 'W', v: 1234 }], {
        device: { type: 'electricity-meter' },
      });
      assert.equal(
        commandResultIq(request, { data, sessionid: 'get_history:1' }).toString(),
        '<iq type="result" to="a@sen1.test/nr" id="h2"><command xmlns="http://jabber.org/protocol/commands" node="get_history" sessionid="get_history:1" status="completed">' +
          '<quoalise xmlns="urn:quoalise:0"><data><meta><device type="electricity-meter"/></meta>' +
          `<sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="${IDENTIFIER}" u="W" v="1234" t="1638313200"/></sensml>` +
          '</data></quoalise></command></iq>',
      );
      const generated = commandResultIq(request, {}).getChild('command')!.attrs.sessionid as string;
      assert.match(generated, /^get_history:[0-9a-f-]{36}$/);
      throwsCode(
        () => commandResultIq(request, { data: new Element('data', { xmlns: 'urn:quoalise:0' }) }),
        'FEDERATION_INPUT',
        /must be a <quoalise/,
      );
      throwsCode(
        () => commandResultIq({ id: '', node: 'x' } as never, {}),
        'FEDERATION_INPUT',
        /cannot answer/,
      );
    });

    it('maps each Quoalise error condition to its RFC 6120 §8.3.3 type', () => {
      const expected = {
        'not-authorized': 'auth',
        'bad-request': 'modify',
        'service-unavailable': 'cancel',
        'undefined-condition': 'cancel',
        'item-not-found': 'cancel',
      } as const;
      for (const [condition, type] of Object.entries(expected)) {
        const error = commandErrorIq(
          { from: 'a@b/c', id: '1', node: 'get_history' },
          condition as keyof typeof expected,
        ).getChild('error')!;
        assert.equal(error.attrs.type, type, condition);
        assert.equal(error.getChildElements()[0].name, condition);
        assert.equal(
          error.getChildElements()[0].attrs.xmlns,
          'urn:ietf:params:xml:ns:xmpp-stanzas',
        );
      }
      throwsCode(
        () => commandErrorIq({ id: '1' }, 'no-such-thing' as 'bad-request'),
        'FEDERATION_INPUT',
        /not a stanza error condition/,
      );
    });

    it('answers an upstream failure as Quoalise does (undefined-condition, text, upstream-error)', () => {
      const request = { from: 'requester@sen1.test/nr', id: 'q1', node: 'get_history' };
      const ours = commandErrorIq(request, 'undefined-condition', {
        text: "The requested period cannot be anterior to the meter's last activation date",
        upstream: { issuer: 'enedis-data-connect', code: 'ADAM-ERR0123' },
      });
      // The <error> is Quoalise's example; the <command> is echoed as XEP-0050 Example 23 does.
      assert.equal(
        canonical(ours.getChild('error')!),
        canonical(parse(QUOALISE_ERROR).getChild('error')!),
      );
      assert.equal(
        ours.toString(),
        '<iq type="error" to="requester@sen1.test/nr" id="q1"><command xmlns="http://jabber.org/protocol/commands" node="get_history"/>' +
          '<error type="cancel"><undefined-condition xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>' +
          '<text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">The requested period cannot be anterior to the meter\'s last activation date</text>' +
          '<upstream-error xmlns="urn:quoalise:0" issuer="enedis-data-connect" code="ADAM-ERR0123"/></error></iq>',
      );
    });

    it('answers bad-request with a XEP-0050 condition as Example 23 does, from the raw iq', () => {
      const raw = parse(
        "<iq type='set' from='requester@domain/resource' to='responder@domain' id='exec1' xml:lang='fr-ca'><command xmlns='http://jabber.org/protocol/commands' node='list' action='execute' xml:lang='fr-ca'/></iq>",
      );
      const ours = commandErrorIq(raw as Element, 'bad-request', {
        commandCondition: 'bad-locale',
      });
      const spec = parse(EXAMPLE_23);
      delete spec.getChild('error')!.attrs.code; // the legacy code attribute of old Jabber errors
      assert.equal(canonical(ours.getChild('error')!), canonical(spec.getChild('error')!));
      assert.equal(ours.attrs.to, 'requester@domain/resource');
      assert.equal(ours.attrs.id, 'exec1');
    });
  });

  describe('the requester reading answers (round trips)', () => {
    it('reads completed data back into the same readings and meta', () => {
      const request = parseCommandRequest(
        delivered(
          getHistoryIq(
            'p@sen2.test/q',
            IDENTIFIER,
            '2021-12-01T00:00+01:00',
            '2021-12-01T02:00+01:00',
          ),
          'a@sen1.test/nr',
          'h3',
        ),
      )!;
      const meta = {
        device: { type: 'electricity-meter', identifier: '30001610071843' },
        measurement: { unit: 'W', aggregation: 'mean' },
      };
      const answer = reparse(
        commandResultIq(request, {
          data: quoaliseDataElement(PACK, meta),
          notes: [{ type: 'info', text: '3 readings' }],
        }),
      );
      const result = parseCommandResult(answer)!;
      assert.equal(result.status, 'completed');
      assert.equal(result.node, 'get_history');
      assert.match(result.sessionid!, /^get_history:/);
      assert.deepEqual(result.notes, [{ type: 'info', text: '3 readings' }]);
      assert.deepEqual(result.data!.meta, meta);
      assert.deepEqual(senml.resolve(result.data!.records, { now: NOW }), PACK);
      assert.equal(result.error, undefined);
    });

    it('reads Example 9 and Example 15', () => {
      const nine = parseCommandResult(parse(EXAMPLE_9))!;
      assert.equal(nine.sessionid, 'list:20020923T213616Z-700');
      assert.equal(nine.form!.items!.length, 3);
      assert.deepEqual(nine.form!.items![1], {
        service: 'postgresql',
        'runlevel-1': 'off',
        'runlevel-2': 'off',
        'runlevel-3': 'on',
        'runlevel-5': 'on',
      });
      assert.equal(nine.data, undefined);
      assert.deepEqual(parseCommandResult(parse(EXAMPLE_15))!.notes, [
        { type: 'info', text: "Service 'httpd' has been configured." },
      ]);
    });

    it('reads errors back, from the iq or from the StanzaError @xmpp/client throws', () => {
      const iq = reparse(
        commandErrorIq(
          { from: 'a@b/c', id: '1', node: 'get_history', sessionid: 's' },
          'undefined-condition',
          { text: 'upstream down', upstream: { issuer: 'enedis', code: 'E42' } },
        ),
      );
      const expected = {
        type: 'cancel',
        condition: 'undefined-condition',
        text: 'upstream down',
        upstream: { issuer: 'enedis', code: 'E42' },
      };
      const result = parseCommandResult(iq)!;
      assert.deepEqual(result, {
        status: undefined,
        node: 'get_history',
        sessionid: 's',
        notes: [],
        error: expected,
      });
      const stanzaError = Object.assign(new Error('undefined-condition - upstream down'), {
        condition: 'undefined-condition',
        element: iq.getChild('error'),
      });
      assert.deepEqual(parseCommandError(stanzaError), expected);
      assert.deepEqual(parseCommandError(parse(EXAMPLE_23)), {
        type: 'modify',
        condition: 'bad-request',
        commandCondition: 'bad-locale',
      });
      assert.deepEqual(parseCommandError(parse(QUOALISE_ERROR))!.upstream, {
        issuer: 'enedis-data-connect',
        code: 'ADAM-ERR0123',
      });
      assert.equal(parseCommandError(parse(EXAMPLE_9)), undefined);
    });
  });

  describe('hostile input: parsers return undefined or throw FederationError', () => {
    const parsers: [string, (x: unknown) => unknown][] = [
      ['parseCommandRequest', parseCommandRequest],
      ['parseCommandResult', parseCommandResult],
      ['parseCommandError', parseCommandError],
      [
        'historyRequest(parseCommandRequest)',
        (x) => {
          const r = parseCommandRequest(x);
          return r && historyRequest(r);
        },
      ],
      [
        'commandErrorIq(raw iq)',
        (x) => (x instanceof Element ? commandErrorIq(x, 'bad-request') : undefined),
      ],
    ];

    it('on things that are not stanzas, or barely', () => {
      for (const [label, input] of genericNasties())
        for (const [name, fn] of parsers) assertSafe(`${name}(${label})`, () => fn(input));
    });

    it('on every single mutation of valid stanzas', () => {
      const history = delivered(
        getHistoryIq(
          'p@sen2.test/q',
          IDENTIFIER,
          '2021-12-01T00:00+01:00',
          '2021-12-01T02:00+01:00',
        ),
        'a@sen1.test/nr',
        'h4',
      ).toString();
      const completed = commandResultIq(
        { from: 'a@b/c', id: '1', node: 'get_history', sessionid: 's' },
        {
          data: quoaliseDataElement(PACK.slice(0, 2), { d: { t: 'x' } }),
          notes: [{ type: 'warn', text: 'w' }],
        },
      ).toString();
      const failed = commandErrorIq(
        { from: 'a@b/c', id: '1', node: 'get_history' },
        'undefined-condition',
        { text: 't', upstream: { issuer: 'i', code: 'c' }, commandCondition: 'bad-payload' },
      ).toString();
      let count = 0;
      for (const xml of [history, completed, failed, EXAMPLE_9, EXAMPLE_12]) {
        for (const [label, mutant] of mutations(xml)) {
          for (const [name, fn] of parsers) {
            assertSafe(`${name}: ${label}`, () => fn(mutant));
            count++;
          }
        }
      }
      assert.ok(count > 1000, `only ${count} cases`);
    });

    it('with precise outcomes for the cases that matter', () => {
      const cmd = (iqAttrs: string, commandAttrs: string, inner = ''): Element =>
        parse(
          `<iq ${iqAttrs}><command xmlns="http://jabber.org/protocol/commands" ${commandAttrs}>${inner}</command></iq>`,
        );
      assert.equal(
        parseCommandRequest(cmd('type="get" id="1"', 'node="x"')),
        undefined,
        'a get is not a command request',
      );
      assert.equal(
        parseCommandRequest(
          parse('<iq type="set" id="1"><command xmlns="urn:wrong" node="x"/></iq>'),
        ),
        undefined,
      );
      throwsCode(
        () => parseCommandRequest(cmd('type="set"', 'node="x"')),
        'FEDERATION_MALFORMED',
        /without an iq id/,
      );
      throwsCode(
        () => parseCommandRequest(cmd('type="set" id="1"', '')),
        'FEDERATION_MALFORMED',
        /without a node/,
      );
      throwsCode(
        () => parseCommandRequest(cmd('type="set" id="1"', 'node="x" action="explode"')),
        'FEDERATION_MALFORMED',
        /malformed-action/,
      );
      throwsCode(
        () =>
          parseCommandRequest(cmd('type="set" id="1"', 'node="x"', '<x xmlns="jabber:x:data"/>')),
        'FEDERATION_MALFORMED',
        /data form without a valid type/,
      );
      throwsCode(
        () => parseCommandResult(cmd('type="result" id="1"', 'node="x" status="exploded"')),
        'FEDERATION_MALFORMED',
        /status/,
      );
      throwsCode(
        () =>
          parseCommandResult(
            cmd(
              'type="result" id="1"',
              'node="x" status="completed"',
              '<quoalise xmlns="urn:quoalise:0"/><quoalise xmlns="urn:quoalise:0"/>',
            ),
          ),
        'FEDERATION_MALFORMED',
        /at most one <quoalise>/,
      );
      throwsCode(
        () =>
          parseCommandResult(
            cmd(
              'type="result" id="1"',
              'node="x" status="completed"',
              '<quoalise xmlns="urn:quoalise:0"><data><sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="x" v="hot"/></sensml></data></quoalise>',
            ),
          ),
        'FEDERATION_MALFORMED',
        /unreadable SenML.*number/,
      );
      // A field named __proto__ stays a field.
      const proto = parseCommandRequest(
        cmd(
          'type="set" id="1"',
          'node="x"',
          '<x xmlns="jabber:x:data" type="submit"><field var="__proto__"><value>p</value></field></x>',
        ),
      )!;
      assert.equal(Object.getOwnPropertyDescriptor(proto.fields, '__proto__')?.value, 'p');
      assert.equal(({} as Record<string, unknown>).p, undefined);
      // An error without any condition reads as undefined-condition (RFC 6120 §8.3.2).
      assert.deepEqual(
        parseCommandError(parse('<iq type="error" id="1"><error type="cancel"/></iq>')),
        { type: 'cancel', condition: 'undefined-condition' },
      );
    });
  });
});
