import assert from 'node:assert/strict';
import { parse } from 'ltx';
import { dataForm, formBoolean, parseDataForm } from '../../../lib/federation/data-form';
import { FederationError } from '../../../lib/federation/errors';
import { assertSafe, canonical, genericNasties, mutations, reparse } from './xml-helpers';

// XEP-0004 version 2.13.2, the form of Example 3 (§5.1, User Submits Bot Creation Form), written out by hand.
const SUBMITTED = `<x xmlns='jabber:x:data' type='submit'>
  <field type='hidden' var='FORM_TYPE'>
    <value>jabber:bot</value>
  </field>
  <field type='text-single' var='botname'>
    <value>The Jabber Google Bot</value>
  </field>
  <field type='text-multi' var='description'>
    <value>This bot enables you to send requests to</value>
    <value>Google and receive the search results right</value>
    <value>in your Jabber client. It&apos; really cool!</value>
    <value>It even supports Google News!</value>
  </field>
  <field type='boolean' var='public'>
    <value>0</value>
  </field>
  <field type='text-private' var='password'>
    <value>v3r0na</value>
  </field>
  <field type='list-multi' var='features'>
    <value>news</value>
    <value>search</value>
  </field>
  <field type='list-single' var='maxsubs'>
    <value>50</value>
  </field>
  <field type='jid-multi' var='invitelist'>
    <value>juliet@capulet.com</value>
    <value>benvolio@montague.net</value>
  </field>
</x>`;

describe('federation: data forms (XEP-0004)', () => {
  it('writes a submit form as the specification does', () => {
    const ours = dataForm(
      'submit',
      {
        botname: 'The Jabber Google Bot',
        description: [
          'This bot enables you to send requests to',
          'Google and receive the search results right',
          "in your Jabber client. It' really cool!",
          'It even supports Google News!',
        ],
        public: '0',
        password: 'v3r0na',
        features: ['news', 'search'],
        maxsubs: '50',
        invitelist: ['juliet@capulet.com', 'benvolio@montague.net'],
      },
      {
        formType: 'jabber:bot',
        types: {
          botname: 'text-single',
          description: 'text-multi',
          public: 'boolean',
          password: 'text-private',
          features: 'list-multi',
          maxsubs: 'list-single',
          invitelist: 'jid-multi',
        },
      },
    );
    assert.equal(canonical(ours), canonical(SUBMITTED));
  });

  it('reads it back: lists for multi-valued fields, texts otherwise, FORM_TYPE apart', () => {
    const form = parseDataForm(parse(SUBMITTED))!;
    assert.equal(form.type, 'submit');
    assert.equal(form.formType, 'jabber:bot');
    assert.deepEqual(form.fields, {
      botname: 'The Jabber Google Bot',
      description: [
        'This bot enables you to send requests to',
        'Google and receive the search results right',
        "in your Jabber client. It' really cool!",
        'It even supports Google News!',
      ],
      public: '0',
      password: 'v3r0na',
      features: ['news', 'search'],
      maxsubs: '50',
      invitelist: ['juliet@capulet.com', 'benvolio@montague.net'],
    });
    assert.equal(formBoolean(form.fields.public), false);
    assert.equal(form.fieldList.length, 8);
  });

  it('round-trips fields, exactly, with the documented reading of lists', () => {
    const fields = { a: 'one', b: ['x', 'y', 'z'], c: '', d: ['only'], e: [] as string[] };
    const back = parseDataForm(
      reparse(
        dataForm('submit', fields, {
          types: { d: 'list-multi' },
          title: 'T',
          instructions: 'Fill it',
        }),
      ),
    )!;
    // A one-value list needs a -multi type to read as a list; an empty list without one reads as ''.
    assert.deepEqual(back.fields, { a: 'one', b: ['x', 'y', 'z'], c: '', d: ['only'], e: '' });
    assert.equal(back.title, 'T');
    assert.deepEqual(back.instructions, ['Fill it']);
  });

  it('reads a form of type form with required fields and options', () => {
    const form = parseDataForm(
      parse(`<x xmlns='jabber:x:data' type='form'><title>Bot Configuration</title>
        <field type='list-single' label='Maximum number of subscribers' var='maxsubs'><value>20</value>
          <option label='10'><value>10</value></option><option label='20'><value>20</value></option></field>
        <field type='text-single' var='name'><required/></field><field type='fixed'><value>Section 2</value></field></x>`),
    )!;
    assert.deepEqual(form.fields, { maxsubs: '20', name: '' });
    assert.deepEqual(
      form.fieldList.map((f) => [f.var, f.required, f.label]),
      [
        ['maxsubs', false, 'Maximum number of subscribers'],
        ['name', true, undefined],
        [undefined, false, undefined],
      ],
    );
  });

  it('refuses unusable forms and arguments', () => {
    assert.throws(
      () => parseDataForm(parse("<x xmlns='jabber:x:data'><field var='a'/></x>")),
      (err: unknown) =>
        err instanceof FederationError &&
        err.code === 'FEDERATION_MALFORMED' &&
        /without a valid type/.test(err.message),
    );
    assert.equal(parseDataForm(parse("<x xmlns='jabber:x:oob' type='submit'/>")), undefined);
    assert.throws(
      () => dataForm('maybe' as 'form', {}),
      (err: unknown) => err instanceof FederationError && err.code === 'FEDERATION_INPUT',
    );
    assert.throws(
      () => dataForm('submit', { a: 3 as unknown as string }),
      (err: unknown) => err instanceof FederationError && /field a must be text/.test(err.message),
    );
    assert.throws(
      () => dataForm('submit', { a: ['ok', 'bad\u0001'] }),
      (err: unknown) =>
        err instanceof FederationError && /character that XML cannot carry/.test(err.message),
    );
  });

  it('never crashes on hostile forms', () => {
    for (const [label, input] of genericNasties())
      assertSafe(`parseDataForm(${label})`, () => parseDataForm(input));
    for (const [label, mutant] of mutations(SUBMITTED))
      assertSafe(`parseDataForm: ${label}`, () => parseDataForm(mutant));
  });
});
