/**
 * What a French or Dutch maker sees of the federation nodes when Node-RED runs in
 * their language: the status dot of an account whose server offers no TLS, the
 * errors a Catch node receives for bad input, and the reason the editor's find
 * button is told, all in that language. The server here is a fake one that offers
 * no TLS (a real Prosody with TLS off is tried in test/lib/federation/plaintext).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeServer, fakeServer } from '../support/fake-server';
import {
  type Msg,
  accountNode,
  catchNode,
  collect,
  helper,
  inLanguage,
  inTab,
  publishNode,
  requestNode,
  statuses,
  until,
  warnings,
} from './helper';

const NO_TLS =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='plain.test' id='s1' version='1.0'><stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>";

describe("federation nodes in the runtime's language (French, Dutch)", function () {
  this.timeout(30_000);
  let server: FakeServer;
  let userDir: string;

  before(async () => {
    server = await fakeServer((socket) => {
      // A moment before it answers, so that what the nodes show is recorded from the start.
      setTimeout(() => socket.write(NO_TLS), 300);
      // It closes the stream when the client does, as a server would: the account stops at once.
      socket.on(
        'data',
        (data) => data.toString().includes('</stream:stream>') && socket.end('</stream:stream>'),
      );
    });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await server.close();
  });
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-userdir-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });

  const account = {
    id: 'account',
    type: 'xmpp-account',
    jid: 'victim@plain.test',
    host: '127.0.0.1',
    port: '',
    caFile: '',
    resource: '',
  };
  const credentials = { account: { password: 'secret' } };
  const withCatch = (...nodes: object[]): object[] =>
    inTab([
      { ...account, port: String(server.port) },
      ...nodes,
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
  const request = {
    id: 'request',
    type: 'federation-request',
    account: 'account',
    to: 'provider@sen1.test/node-red',
    command: 'get_history',
    identifier: 'meter',
    wires: [[]],
  };

  it("fr: the status of a node whose account's server offers no TLS says so in French, with when it tries again, and the account warns in French", async () => {
    await inLanguage('fr', async () => {
      await helper.load([accountNode, requestNode], withCatch(request), credentials);
      const shown = statuses('request');
      const warned = warnings('account');
      await until('the refusal on the status', () => shown.some((s) => s.fill === 'red'));
      assert.match(
        String(shown.find((s) => s.fill === 'red')!.text),
        /^le serveur ne propose pas de chiffrement TLS \(nouvel essai dans \d+ s\)$/,
      );
      await until('the warning', () => warned.length > 0);
      assert.match(
        String(warned[0]),
        /^victim@plain\.test: le serveur ne propose pas de chiffrement TLS/,
      );
    });
  });

  it('nl: the same status in Dutch', async () => {
    await inLanguage('nl', async () => {
      await helper.load([accountNode, requestNode], withCatch(request), credentials);
      const shown = statuses('request');
      await until('the refusal on the status', () => shown.some((s) => s.fill === 'red'));
      assert.match(
        String(shown.find((s) => s.fill === 'red')!.text),
        /^de server biedt geen TLS-versleuteling \(volgende poging over \d+ s\)$/,
      );
    });
  });

  it("fr: a request the library refuses reaches the Catch node in French, with its code, and the library's error as cause", async () => {
    await inLanguage('fr', async () => {
      await helper.load([accountNode, requestNode, catchNode], withCatch(request), credentials);
      const errors = collect('errors');
      // A time without its UTC offset; and an identifier holding a character XML cannot carry.
      helper
        .getNode('request')
        .receive({ start: '2021-12-01T00:00:00', end: '2021-12-02T00:00:00+01:00' });
      helper.getNode('request').receive({ command: 'subscribe', identifier: 'meter\u0001' });
      await until('both errors', () => errors.length === 2);
      const caught = (messageId: string): Msg =>
        errors
          .map((m: Msg) => m.error)
          .find((error: Msg) => error.cause?.cause?.messageId === messageId);
      const time = caught('FEDERATION_TIME_NO_OFFSET');
      assert.equal(
        time.message,
        'RequestError: start_time "2021-12-01T00:00:00" n’est pas une heure ISO 8601 avec décalage : il manque le décalage UTC ; ajoutez-en un, par ex. +01:00 ou Z',
      );
      assert.deepEqual([time.code, time.cause.messageId], ['REQUEST_INPUT', 'REQUEST_INVALID']);
      // The words for what was wrong ("identifier") are French too.
      assert.equal(
        caught('FEDERATION_TEXT_NOT_XML').message,
        'RequestError: l’identifiant contient un caractère que XML ne peut pas transporter',
      );
      const shown = statuses('request');
      helper.getNode('request').receive({ start: 'hier', end: '2021-12-02T00:00:00+01:00' });
      await until('the status', () =>
        shown.some((s) => /^start_time "hier" n’est pas u/.test(String(s.text))),
      );
    });
  });

  it('nl: meta that cannot become XML reaches the Catch node in Dutch', async () => {
    await inLanguage('nl', async () => {
      const publish = {
        id: 'publish',
        type: 'federation-publish',
        account: 'account',
        mode: 'direct',
        service: '',
        node: '',
        createNode: false,
        to: 'bob@sen2.test',
        queueSize: '10',
        wires: [],
      };
      await helper.load([accountNode, publishNode, catchNode], withCatch(publish), credentials);
      const errors = collect('errors');
      helper.getNode('publish').receive({
        payload: [
          { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.5, t: 1_700_000_000 },
        ],
        meta: { 'not an XML name': 'x' },
      });
      await until('the error', () => errors.length === 1);
      const { error } = errors[0];
      assert.equal(
        error.message,
        'FederationError: meta.not an XML name: ‘not an XML name’ kan geen meta-naam zijn: het moet een XML-naam zonder dubbele punt zijn die niet met ‘xml’ begint',
      );
      assert.deepEqual(
        [error.code, error.cause.messageId, error.cause.params.key],
        ['FEDERATION_INPUT', 'FEDERATION_META_NAME', 'not an XML name'],
      );
    });
  });

  it("fr: the editor's find button is told in French why the account is not connected, with the sentence's code, messageId and params", async () => {
    await inLanguage('fr', async () => {
      await helper.load([accountNode, requestNode], withCatch(request), credentials);
      const shown = statuses('request');
      await until('the refusal on the status', () => shown.some((s) => s.fill === 'red'));
      const answer = await helper
        .request()
        .get('/senfed/xmpp-account/account/discover?target=sen1.test');
      assert.equal(answer.status, 503);
      assert.equal(answer.body.code, 'notConnected');
      assert.equal(answer.body.reason, 'le serveur ne propose pas de chiffrement TLS');
      assert.deepEqual(
        [answer.body.reasonCode, answer.body.messageId, answer.body.params],
        ['XMPP_TLS', 'SESSION_NO_TLS', {}],
      );
      assert.equal(
        answer.body.error,
        "ce compte n'est pas connecté (le serveur ne propose pas de chiffrement TLS)",
      );
    });
  });
});
