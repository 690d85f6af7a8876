/**
 * `sensorthings server`, `sensorthings out` and `sensorthings in` with credentials, as a
 * user deploys them: against a real FROST-Server with HTTP Basic authentication on
 * (frost.sh SENFED_FROST_AUTH=basic, FROST's default users), and with a bearer token
 * through a reverse proxy in front of the open FROST. Right credentials work; wrong ones
 * and a read-only user say so in the status, with the HTTP status, and lose nothing;
 * no secret appears in a status, an error, a warning or the log.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SensorThingsClient, odataString, queryString } from '../../lib/sensorthings/http';
import { type BearerProxy, startBearerProxy } from '../support/bearer-proxy';
import { type Frost, startAuthFrost, startFrost } from '../support/frost';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  inLanguage,
  inTab,
  sensorthingsInNode,
  sensorthingsOutNode,
  sensorthingsServerNode,
  statuses,
  until,
  warnings,
} from './helper';

const RUN = `st-nauth-${Date.now().toString(36)}-${process.pid}`;
let serial = 0;
const device = (label: string): string => `urn:dev:ops:${RUN}-${label}-${++serial}:`;
const T0 = 1_700_000_000;
const WRONG = 'wr0ng-pass-8841';
const TOKEN = 'tok-2b9d-secret-7730';

type Entity = Record<string, any>;
type Answer = { status: number; body: any };
const admin = () =>
  helper.request() as unknown as {
    get(path: string): Promise<Answer>;
    post(path: string): { send(body: object): Promise<Answer> };
  };

describe('sensorthings nodes with authentication, on a real FROST-Server', function () {
  this.timeout(300_000);
  let frost: Frost & { users: Record<string, { password: string }> };
  let sta: SensorThingsClient;
  let userDir: string;
  /** The secrets of the test at hand: none may show anywhere. */
  let secrets: string[];

  before(async function () {
    this.timeout(900_000);
    frost = await startAuthFrost();
    sta = new SensorThingsClient({
      serviceRoot: frost.serviceRoot,
      auth: { type: 'basic', username: 'admin', password: frost.users.admin.password },
    });
  });
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-st-auth-'));
    helper.settings({ userDir });
    secrets = [];
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });
  after(() => sta?.close());

  const basicCredentials = (username: string, password: string) => {
    // FROST's default passwords are common words ("read" is in "thread"): those are
    // looked for in the Basic header's form only.
    secrets.push(Buffer.from(`${username}:${password}`).toString('base64'));
    if (password.length >= 8) secrets.push(password);
    return { username, password };
  };

  function flow(server: Record<string, unknown>, extra: object[] = []): object[] {
    return inTab([
      {
        id: 'server',
        type: 'sensorthings-server',
        url: frost.serviceRoot,
        auth: 'basic',
        ...server,
      },
      {
        id: 'out',
        type: 'sensorthings-out',
        server: 'server',
        locationMode: 'node',
        lon: '166.45',
        lat: '-22.27',
        batchSize: '500',
        window: '0.1',
        queueSize: '1000',
      },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', wires: [] },
      ...extra,
    ]);
  }

  const load = (nodes: object[], credentials: Record<string, object>) =>
    helper.load(
      [sensorthingsServerNode, sensorthingsOutNode, sensorthingsInNode, catchNode],
      nodes,
      credentials,
    );

  async function observationsOf(thing: string): Promise<Entity[]> {
    const found = await sta.getAll(
      `Things${queryString({
        $filter: `name eq ${odataString(thing)}`,
        $expand: 'Datastreams($expand=Observations($orderby=phenomenonTime asc))',
      })}`,
    );
    return found.flatMap((t) => (t.Datastreams as Entity[]).flatMap((d) => d.Observations));
  }

  async function waitForObservations(thing: string, count: number): Promise<Entity[]> {
    let last: Entity[] = [];
    const end = Date.now() + 60_000;
    while (Date.now() < end) {
      last = await observationsOf(thing);
      if (last.length >= count) return last;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out: ${last.length} of ${count} observations of ${thing}`);
  }

  const pack = (thing: string, i: number) => [
    { n: `${thing}temperature`, u: 'Cel', v: 20 + i, t: T0 + i },
  ];

  /** Everything a user can see of the nodes: statuses, caught errors, warnings, the log. */
  function watched(ids: string[]): () => string {
    const seen = ids.map((id) => ({ statuses: statuses(id), warnings: warnings(id) }));
    const caught = collect('caught');
    return () =>
      JSON.stringify({
        seen,
        caught: caught.map((m) => ({ error: m.error, message: String(m.error?.message) })),
        log: helper.log().args.map((a: unknown[]) => String(JSON.stringify(a))),
      });
  }

  function assertNoSecret(everything: string): void {
    for (const secret of secrets)
      assert.ok(!everything.includes(secret), `a secret (${secret.slice(0, 3)}…) is shown`);
  }

  it('stores with the write user, reads back with the read user, and test connection says OK', async () => {
    await inLanguage('en-US', async () => {
      const thing = device('ok');
      await load(
        flow({}, [
          { id: 'reader', type: 'sensorthings-server', url: frost.serviceRoot, auth: 'basic' },
        ]),
        {
          server: basicCredentials('write', frost.users.write.password),
          reader: basicCredentials('read', frost.users.read.password),
        },
      );
      const seen = watched(['out']);
      for (let i = 0; i < 3; i++) helper.getNode('out').receive({ payload: pack(thing, i) });
      const stored = await waitForObservations(thing, 3);
      assert.deepEqual(
        stored.map((o) => o.result),
        [20, 21, 22],
      );

      const deployed = await admin().get('/senfed/sensorthings-server/server/test');
      assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
      assert.equal(deployed.body.ok, true);
      assert.equal(deployed.body.version, 'v1.1');
      // The dialog's test of unsaved settings, its password kept hidden as __PWRD__.
      const kept = await admin().post('/senfed/sensorthings-server/test').send({
        id: 'server',
        url: frost.serviceRoot,
        auth: 'basic',
        username: 'write',
        password: '__PWRD__',
      });
      assert.equal(kept.status, 200, JSON.stringify(kept.body));
      assert.equal(kept.body.ok, true);

      // sensorthings in, on the read user's server node, gives the observations back.
      const datastream = (
        await sta.getAll(
          `Datastreams${queryString({ $filter: `Thing/name eq ${odataString(thing)}` })}`,
        )
      )[0]['@iot.id'];
      await helper.unload();
      await load(
        inTab([
          { id: 'reader', type: 'sensorthings-server', url: frost.serviceRoot, auth: 'basic' },
          {
            id: 'in',
            type: 'sensorthings-in',
            server: 'reader',
            datastreams: String(datastream),
            interval: '0.2',
            startFrom: 'everything',
            wires: [['got']],
          },
          { id: 'got', type: 'helper' },
          { id: 'caught', type: 'helper' },
        ]),
        { reader: basicCredentials('read', frost.users.read.password) },
      );
      const got = collect('got');
      await until('sensorthings in to output the pack', () => got.length > 0);
      assert.deepEqual(
        got[0].payload.map((r: Msg) => r.v),
        [20, 21, 22],
      );
      assertNoSecret(seen());
    });
  });

  it('shows "credentials refused (401)" in the status for a wrong password, keeps the pack, and stores it once the password is right', async () => {
    await inLanguage('en-US', async () => {
      const thing = device('wrong');
      const nodes = flow({});
      await load(nodes, { server: basicCredentials('write', WRONG) });
      const seen = watched(['out']);
      const shown = statuses('out');
      for (let i = 0; i < 2; i++) helper.getNode('out').receive({ payload: pack(thing, i) });
      await until('the status to show the 401', () =>
        shown.some((s) => s.fill === 'red' && /401/.test(s.text)),
      );
      const red = shown.find((s) => s.fill === 'red')!;
      assert.match(red.text, /^2 queued; last error: credentials refused \(401\)/);
      // Tried again (with backoff), and still said, rather than given up in silence.
      const reds = () => shown.filter((s) => s.fill === 'red' && /401/.test(s.text)).length;
      const first = reds();
      await until('a second try that says it again', () => reds() > first, 20_000);
      const test = await admin().get('/senfed/sensorthings-server/server/test');
      assert.equal(test.status, 502);
      assert.equal(test.body.ok, false);
      assert.match(test.body.error, /^credentials refused \(401\) for GET service root/);
      assertNoSecret(seen() + JSON.stringify(test.body));
      assert.deepEqual(await observationsOf(thing), [], 'nothing stored with a wrong password');

      // The right password, same node, same user directory: the queued pack is stored.
      await helper.unload();
      await load(nodes, { server: basicCredentials('write', frost.users.write.password) });
      const stored = await waitForObservations(thing, 2);
      assert.deepEqual(
        stored.map((o) => o.result),
        [20, 21],
      );
    });
  });

  it('shows "user not allowed (401)" when the read-only user is set for writing, and stores nothing', async () => {
    await inLanguage('en-US', async () => {
      const thing = device('readonly');
      await load(flow({}), { server: basicCredentials('read', frost.users.read.password) });
      const seen = watched(['out']);
      const shown = statuses('out');
      helper.getNode('out').receive({ payload: pack(thing, 0) });
      await until('the status to say the user may not write', () =>
        shown.some((s) => s.fill === 'red' && /not allowed/.test(s.text)),
      );
      assert.match(
        shown.find((s) => s.fill === 'red')!.text,
        /^1 queued; last error: user not allowed \(401\) to POST/,
      );
      // The connection test reads: for it the read user is fine.
      const test = await admin().get('/senfed/sensorthings-server/server/test');
      assert.equal(test.body.ok, true);
      assertNoSecret(seen());
      assert.deepEqual(await observationsOf(thing), []);
    });
  });

  it('sensorthings in says "credentials refused (401)" in its status and to a Catch node', async () => {
    await inLanguage('en-US', async () => {
      await load(
        inTab([
          { id: 'reader', type: 'sensorthings-server', url: frost.serviceRoot, auth: 'basic' },
          {
            id: 'in',
            type: 'sensorthings-in',
            server: 'reader',
            datastreams: '1',
            interval: '0.5',
            startFrom: 'everything',
            wires: [[]],
          },
          { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
          { id: 'caught', type: 'helper' },
        ]),
        { reader: basicCredentials('read', WRONG) },
      );
      const seen = watched(['in']);
      const caught = collect('caught');
      const shown = statuses('in');
      await until('the error', () => caught.length > 0 && shown.some((s) => s.fill === 'red'));
      assert.match(
        shown.find((s) => s.fill === 'red')!.text,
        /^credentials refused \(401\) for GET/,
      );
      assert.match(caught[0].error.message, /credentials refused \(401\)/);
      assertNoSecret(seen());
    });
  });

  describe('bearer token, through a reverse proxy in front of FROST', function () {
    let proxy: BearerProxy;
    before(async function () {
      this.timeout(900_000);
      const open = await startFrost();
      proxy = await startBearerProxy(open.serviceRoot, TOKEN);
    });
    after(() => proxy?.close());

    it('stores through the proxy with the right token, sent on every request', async () => {
      await inLanguage('en-US', async () => {
        const thing = device('bearer');
        proxy.seen.length = 0;
        secrets.push(TOKEN);
        await load(flow({ url: proxy.serviceRoot, auth: 'bearer' }), { server: { token: TOKEN } });
        const seen = watched(['out']);
        helper.getNode('out').receive({ payload: pack(thing, 0) });
        const direct = new SensorThingsClient({
          serviceRoot: proxy.serviceRoot,
          auth: { type: 'bearer', token: TOKEN },
        });
        try {
          let stored: Entity[] = [];
          for (const end = Date.now() + 60_000; Date.now() < end && stored.length === 0;) {
            const things = await direct.getAll(
              `Things${queryString({ $filter: `name eq ${odataString(thing)}`, $expand: 'Datastreams($expand=Observations)' })}`,
            );
            stored = things.flatMap((t: Entity) =>
              (t.Datastreams as Entity[]).flatMap((d: Entity) => d.Observations),
            );
            if (stored.length === 0) await new Promise((r) => setTimeout(r, 200));
          }
          assert.deepEqual(
            stored.map((o) => o.result),
            [20],
          );
        } finally {
          direct.close();
        }
        const test = await admin().get('/senfed/sensorthings-server/server/test');
        assert.equal(test.body.ok, true);
        assert.ok(proxy.seen.length >= 4, String(proxy.seen.length));
        assert.ok(proxy.seen.every((h) => h === `Bearer ${TOKEN}`));
        assertNoSecret(seen());
      });
    });

    it('shows "credentials refused (401)" for a wrong token, in the status and the connection test', async () => {
      await inLanguage('en-US', async () => {
        const wrongToken = 'tok-wrong-0f0f';
        secrets.push(wrongToken, TOKEN);
        await load(flow({ url: proxy.serviceRoot, auth: 'bearer' }), {
          server: { token: wrongToken },
        });
        const seen = watched(['out']);
        const shown = statuses('out');
        helper.getNode('out').receive({ payload: pack(device('badtoken'), 0) });
        await until('the status to show the 401', () =>
          shown.some((s) => s.fill === 'red' && /401/.test(s.text)),
        );
        assert.match(
          shown.find((s) => s.fill === 'red')!.text,
          /^1 queued; last error: credentials refused \(401\)/,
        );
        const test = await admin()
          .post('/senfed/sensorthings-server/test')
          .send({ id: 'server', url: proxy.serviceRoot, auth: 'bearer', token: '__PWRD__' });
        assert.equal(test.status, 502);
        assert.equal(
          test.body.error,
          'credentials refused (401) for GET service root: invalid or missing bearer token',
        );
        assertNoSecret(seen() + JSON.stringify(test.body));
      });
    });
  });
});
