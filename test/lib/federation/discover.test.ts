import assert from 'node:assert/strict';
import { discover } from '../../../lib/federation/discoverer';
import { createNodeIq } from '../../../lib/federation/pubsub';
import { XmppSession } from '../../../lib/federation/session';
import { type TestBed, account, startTestBed, stopTestBed } from '../../support/federation';

describe('discovery across domains (real federation)', function () {
  this.timeout(60_000);
  let bed: TestBed;
  let admin: XmppSession;
  let bob: XmppSession;

  before(async function () {
    this.timeout(180_000);
    bed = await startTestBed();
    admin = new XmppSession(account(bed, 'admin@sen1.test'));
    bob = new XmppSession(account(bed, 'bob@sen2.test'));
    admin.start();
    bob.start();
    await Promise.all([admin.waitOnline(), bob.waitOnline()]);
    for (const node of ['catalogue-a', 'catalogue-b']) {
      await admin.iq(
        createNodeIq('pubsub.sen1.test', node, {
          accessModel: 'open',
          persistItems: true,
          title: `Buoy ${node}`,
        }),
      );
    }
  });

  after(async function () {
    this.timeout(30_000);
    await Promise.all([admin?.stop(), bob?.stop()]);
    await stopTestBed();
  });

  it('lists the PubSub nodes of another domain: sen2 asks sen1', async () => {
    const catalogue = await discover(bob, 'sen1.test');
    const service = catalogue.services.find((s) => s.jid === 'pubsub.sen1.test');
    assert.ok(service, `no pubsub.sen1.test in ${JSON.stringify(catalogue)}`);
    const nodes = service.nodes.map((n) => n.node);
    assert.ok(nodes.includes('catalogue-a') && nodes.includes('catalogue-b'), `nodes: ${nodes}`);
    assert.equal(
      catalogue.services.some((s) => s.jid === 'pubsub.sen2.test'),
      false,
      'only the asked domain',
    );
  });

  it('lists the nodes of a PubSub service named directly', async () => {
    const catalogue = await discover(bob, 'pubsub.sen1.test');
    assert.deepEqual(
      catalogue.services.map((s) => s.jid),
      ['pubsub.sen1.test'],
    );
    assert.ok(catalogue.services[0].nodes.some((n) => n.node === 'catalogue-a'));
  });

  it('reports what it could not ask instead of failing: an unknown domain, a JID offering no commands', async () => {
    const unknown = await discover(bob, 'nowhere.test');
    assert.deepEqual(unknown.services, []);
    assert.equal(unknown.problems[0]?.jid, 'nowhere.test');
    assert.match(
      unknown.problems[0].reason,
      /remote-server-not-found|service-unavailable|item-not-found/,
    );
    const person = await discover(bob, 'alice@sen1.test');
    assert.deepEqual(person.commands, []);
    assert.equal(person.problems.length, 1);
  });
});
