/**
 * Hostile and malformed stanzas sent by a real peer across the federation: each
 * is reported, none crashes the receiver, and good data still flows afterwards.
 * (DTDs and entity tricks never reach a client: Prosody refuses them at the XML
 * level, and the SenML XML reader refuses them too; see test/lib/senml/xml.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Element } from 'ltx';
import { senml } from '../../../lib';
import { quoaliseMessage } from '../../../lib/federation/quoalise';
import { SeenItems } from '../../../lib/store/seen-items';
import { SenderList } from '../../../lib/federation/senders';
import { XmppSession } from '../../../lib/federation/session';
import { type ReceivedData, Subscriber } from '../../../lib/federation/subscriber';
import { type TestBed, account, startTestBed, stopTestBed } from '../../support/federation';

const Q = 'urn:quoalise:0';
const SENML = 'urn:ietf:params:xml:ns:senml';

function message(build: (m: Element) => void): Element {
  const m = new Element('message', { to: 'bob@sen2.test', type: 'normal' });
  build(m);
  return m;
}

describe('hostile stanzas across the federation (real servers)', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let dir: string;
  let alice: XmppSession;
  let bob: XmppSession;

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
    dir = mkdtempSync(join(tmpdir(), 'senfed-hostile-'));
    alice = new XmppSession(account(bed, 'alice@sen1.test'));
    bob = new XmppSession(account(bed, 'bob@sen2.test'));
    alice.start();
    bob.start();
    await Promise.all([alice.waitOnline(), bob.waitOnline()]);
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([alice?.stop(), bob?.stop()]);
    await stopTestBed();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports every malformed Quoalise message, keeps running, and still takes the good one after them', async () => {
    const inbox = new Subscriber(bob, '', '', new SeenItems(join(dir, 'seen.json')), {
      quoaliseFrom: SenderList.parse('sen1.test'),
    });
    const data: ReceivedData[] = [];
    const invalid: Error[] = [];
    inbox.on('data', (d: ReceivedData) => data.push(d));
    inbox.on('invalid', (err: Error) => invalid.push(err));
    const crashes: unknown[] = [];
    const onCrash = (err: unknown): number => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      const nasty: Element[] = [
        // wrong namespace on sensml
        message((m) =>
          m
            .c('quoalise', { xmlns: Q })
            .c('data')
            .c('meta')
            .up()
            .c('sensml', { xmlns: 'urn:evil' })
            .c('senml', { n: 'x', v: '1' }),
        ),
        // no data element
        message((m) => m.c('quoalise', { xmlns: Q })),
        // records that break SenML: a bad number and a must-understand field
        message((m) =>
          m
            .c('quoalise', { xmlns: Q })
            .c('data')
            .c('meta')
            .up()
            .c('sensml', { xmlns: SENML })
            .c('senml', { n: 'x', v: 'lots', crit_: '1' }),
        ),
        // deeply nested meta
        message((m) => {
          let el = m.c('quoalise', { xmlns: Q }).c('data').c('meta');
          for (let i = 0; i < 200; i++) el = el.c('deeper');
        }),
        // many records' worth of junk children
        message((m) => {
          const s = m
            .c('quoalise', { xmlns: Q })
            .c('data')
            .c('meta')
            .up()
            .c('sensml', { xmlns: SENML });
          for (let i = 0; i < 5000; i++) s.c('junk', { i: String(i) });
        }),
        // an oversized message: Prosody closes the stream of a client that sends more than its stanza size limit,
        // so this one is sent as many large attributes just under it
        message((m) =>
          m
            .c('quoalise', { xmlns: Q })
            .c('data')
            .c('meta', { big: 'x'.repeat(200_000) })
            .up()
            .c('sensml', { xmlns: SENML })
            .c('senml', { n: 'x', v: '1' }),
        ),
      ];
      for (const stanza of nasty) await alice.send(stanza);
      const good: senml.ResolvedPack = [
        { n: 'urn:dev:mac:0024befffe804ff1:temperature', u: 'Cel', v: 18.5, t: 1_700_000_000 },
      ];
      await alice.send(quoaliseMessage('bob@sen2.test', good));
      const isGood = (d: ReceivedData): boolean => {
        try {
          return isDeepStrictEqual(senml.resolve(d.records), good);
        } catch {
          return false;
        }
      };
      const end = Date.now() + 15_000;
      while (!data.some(isGood) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.ok(
        isGood(data.at(-1)!),
        `the good message arrives, last; invalid: ${invalid.map((e) => e.message).join(' / ')}`,
      );
      // The oversized message is well formed: it arrives as data too.
      assert.equal(data.length, 2);
      assert.equal(
        invalid.length,
        5,
        `only ${invalid.length} reported: ${invalid.map((e) => e.message).join(' | ')}`,
      );
      assert.ok(invalid.every((e) => e instanceof Error && e.message.length > 0));
      assert.deepEqual(crashes, []);
      assert.equal(bob.online, true);
    } finally {
      process.off('uncaughtException', onCrash);
      inbox.close();
    }
  });
});
