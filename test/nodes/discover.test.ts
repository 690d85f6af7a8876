import assert from 'node:assert/strict';
import { createNodeIq } from '../../lib/federation/pubsub';
import { XmppSession } from '../../lib/federation/session';
import { account } from '../support/federation';
import {
  type Msg,
  accountNode,
  catchNode,
  discoverNode,
  helper,
  inTab,
  federationFlows,
} from './helper';

describe("federation discover node and the editor's catalogue endpoint (real federation)", function () {
  this.timeout(60_000);

  const flow = (target: string): object[] => {
    const { host, port, caFile } = account(flows.bed, 'bob@sen2.test');
    return inTab([
      {
        id: 'bob-account',
        type: 'xmpp-account',
        jid: 'bob@sen2.test',
        host,
        port: String(port),
        caFile,
        resource: '',
      },
      {
        id: 'discover1',
        type: 'federation-discover',
        account: 'bob-account',
        target,
        wires: [['out']],
      },
      { id: 'out', type: 'helper' },
      { id: 'catch1', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper' },
    ]);
  };
  const credentials = (): object => ({
    'bob-account': { password: flows.bed.users['bob@sen2.test'].password },
  });
  const online = async (): Promise<void> => {
    const session = (helper.getNode('bob-account') as unknown as { session: XmppSession }).session;
    await session.waitOnline();
  };

  const flows = federationFlows({
    before: async (bed) => {
      const admin = new XmppSession(account(bed, 'admin@sen1.test'));
      admin.start();
      await admin.waitOnline();
      await admin.iq(
        createNodeIq('pubsub.sen1.test', 'harbour-temperature', {
          accessModel: 'open',
          persistItems: true,
        }),
      );
      await admin.stop();
      await helper.startServer();
    },
    after: async () => {
      await helper.stopServer();
    },
  });

  it('outputs the catalogue of another domain as one message', async () => {
    await helper.load([accountNode, discoverNode, catchNode], flow('sen1.test'), credentials());
    await online();
    const out = new Promise<Msg>((resolve) => helper.getNode('out').once('input', resolve));
    helper.getNode('discover1').receive({ payload: '' });
    const msg = await out;
    assert.equal(msg.topic, 'sen1.test');
    const service = msg.payload.services.find((s: { jid: string }) => s.jid === 'pubsub.sen1.test');
    assert.ok(service.nodes.some((n: { node: string }) => n.node === 'harbour-temperature'));
  });

  it('takes the target from msg.target when the node has none, and says when there is none', async () => {
    await helper.load([accountNode, discoverNode, catchNode], flow(''), credentials());
    await online();
    const out = new Promise<Msg>((resolve) => helper.getNode('out').once('input', resolve));
    helper.getNode('discover1').receive({ target: 'pubsub.sen1.test' });
    assert.equal((await out).payload.services[0].jid, 'pubsub.sen1.test');
    const caught = new Promise<Msg>((resolve) => helper.getNode('errors').once('input', resolve));
    helper.getNode('discover1').receive({ payload: 1 });
    assert.match((await caught).error.message, /federation-discover\.errors\.noTarget/);
  });

  it('serves the catalogue to the editor from a deployed account, and explains refusals', async () => {
    await helper.load([accountNode, discoverNode, catchNode], flow('sen1.test'), credentials());
    await online();
    const ok = await helper
      .request()
      .get('/senfed/xmpp-account/bob-account/discover?target=pubsub.sen1.test');
    assert.equal(ok.status, 200);
    assert.ok(
      ok.body.services[0].nodes.some((n: { node: string }) => n.node === 'harbour-temperature'),
    );
    // Refusals carry a code: the editor says them in its own language.
    const notDeployed = await helper
      .request()
      .get('/senfed/xmpp-account/nope/discover?target=sen1.test');
    assert.equal(notDeployed.status, 404);
    assert.equal(notDeployed.body.code, 'notDeployed');
    const noTarget = await helper.request().get('/senfed/xmpp-account/bob-account/discover');
    assert.equal(noTarget.status, 400);
    assert.equal(noTarget.body.code, 'noTarget');
  });
});
