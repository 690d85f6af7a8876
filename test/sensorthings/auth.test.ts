/**
 * lib/sensorthings/http.ts against a real FROST-Server with HTTP Basic authentication
 * on (FROST's BasicAuthProvider, started by frost.sh with SENFED_FROST_AUTH=basic, its
 * default users read, write and admin), and bearer tokens through a reverse proxy in
 * front of the open FROST (FROST checks bearer tokens only through Keycloak).
 */
import assert from 'node:assert/strict';
import { SensorThingsServerError } from '../../lib/sensorthings/client-messages';
import { SensorThingsClient, type SensorThingsAuth } from '../../lib/sensorthings/http';
import { probeServiceRoot } from '../../lib/sensorthings/service-root';
import { type BearerProxy, startBearerProxy } from '../support/bearer-proxy';
import { type Frost, startAuthFrost, startFrost } from '../support/frost';

const RUN = `st-auth-${Date.now().toString(36)}-${process.pid}`;
const TOKEN = 'tok-7f3a9c1e-secret';

/** Every way a secret could be written: as given, and in the Basic header's base64. */
function secretsOf(auth: SensorThingsAuth): string[] {
  if (auth.type === 'basic')
    return [auth.password, Buffer.from(`${auth.username}:${auth.password}`).toString('base64')];
  if (auth.type === 'bearer') return [auth.token];
  return [];
}

/** The error as a log or a Catch node would show it: message, own fields, cause. */
function shown(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return JSON.stringify({ ...e, message: e.message, stack: e.stack, cause: String(e.cause) });
}

describe('sensorthings http client with authentication, on a real FROST-Server', function () {
  this.timeout(120_000);
  let frost: Frost & { users: Record<string, { password: string }> };
  const clients: SensorThingsClient[] = [];
  const client = (auth: SensorThingsAuth, serviceRoot = frost.serviceRoot) => {
    const c = new SensorThingsClient({ serviceRoot, auth });
    clients.push(c);
    return c;
  };
  const basic = (username: string, password: string): SensorThingsAuth => ({
    type: 'basic',
    username,
    password,
  });

  before(async function () {
    this.timeout(900_000);
    frost = await startAuthFrost();
  });
  after(() => clients.forEach((c) => c.close()));

  it('runs FROST with authentication on: no credentials, no answer, and frost.json lists the users', async () => {
    assert.equal(frost.auth, 'basic');
    assert.deepEqual(Object.keys(frost.users).sort(), ['admin', 'read', 'write']);
    const res = await fetch(frost.serviceRoot);
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="FROST-Server"/);
  });

  it('reads and writes with the right credentials of the write user', async () => {
    const writer = client(basic('write', frost.users.write.password));
    const report = await probeServiceRoot(writer);
    assert.equal(report.version, 'v1.1');
    assert.ok(report.entitySets.includes('Things'));
    const created = await writer.post('Things', { name: `${RUN}-w`, description: 'auth test' });
    assert.equal(created.status, 201);
    assert.match(created.location ?? '', /Things\(\d+\)$/);
    const found = await writer.get(created.location!);
    assert.equal((found.body as { name: string }).name, `${RUN}-w`);
  });

  it('says "credentials needed (401)" when none are set', async () => {
    await assert.rejects(client({ type: 'none' }).get('Things'), (err: SensorThingsServerError) => {
      assert.equal(err.messageId, 'STA_AUTH_NEEDED');
      assert.equal(err.code, 'STA_AUTH');
      assert.equal(err.status, 401);
      assert.equal(
        err.message,
        'credentials needed (401) for GET Things, and none are set: choose basic or bearer authentication',
      );
      return true;
    });
  });

  it('says "credentials refused (401)" for a wrong password, in words and not in HTML, with no secret in the error', async () => {
    const auth = basic('write', 'not-the-password-9431');
    const wrong = client(auth);
    for (const attempt of [
      wrong.get('Things'),
      wrong.post('Things', { name: 'x', description: 'y' }),
    ])
      await assert.rejects(attempt, (err: SensorThingsServerError) => {
        assert.equal(err.messageId, 'STA_AUTH');
        assert.equal(err.status, 401);
        assert.equal(err.retryable, false);
        // Tomcat's HTML error page, said by its title.
        assert.equal(err.serverMessage, 'HTTP Status 401 – Unauthorized');
        assert.match(
          err.message,
          /^credentials refused \(401\) for (GET|POST) Things: HTTP Status 401 – Unauthorized$/,
        );
        for (const secret of secretsOf(auth)) assert.ok(!shown(err).includes(secret), secret);
        return true;
      });
  });

  it('says "user not allowed (401)" when the read-only user writes (FROST answers 401, not 403, to a missing role)', async () => {
    const auth = basic('read', frost.users.read.password);
    const reader = client(auth);
    assert.equal((await reader.get('Things?$top=1')).status, 200, 'read may read');
    await assert.rejects(
      reader.post('Things', { name: `${RUN}-r`, description: 'must not be stored' }),
      (err: SensorThingsServerError) => {
        assert.equal(err.messageId, 'STA_FORBIDDEN');
        assert.equal(err.code, 'STA_AUTH');
        assert.equal(err.status, 401);
        assert.match(
          err.message,
          /^user not allowed \(401\) to POST Things: the server accepts the credentials, not this request/,
        );
        for (const secret of secretsOf(auth)) assert.ok(!shown(err).includes(secret), secret);
        return true;
      },
    );
    // The write user cannot delete (no delete role): the same answer.
    const writer = client(basic('write', frost.users.write.password));
    const created = await writer.post('Things', { name: `${RUN}-d`, description: 'kept' });
    await assert.rejects(
      writer.delete(created.location!),
      /: user not allowed \(401\) to DELETE Things\(\d+\)/,
    );
    const admin = client(basic('admin', frost.users.admin.password));
    assert.equal((await admin.delete(created.location!)).status, 200);
    const left = await admin.getAll(`Things?$filter=name eq '${RUN}-r'`);
    assert.deepEqual(left, [], 'nothing stored by the read user');
  });

  describe('bearer token, through a reverse proxy in front of FROST', function () {
    let open: Frost;
    let proxy: BearerProxy;
    before(async function () {
      this.timeout(900_000);
      open = await startFrost();
      proxy = await startBearerProxy(open.serviceRoot, TOKEN);
    });
    after(() => proxy?.close());

    it('sends the token in the Authorization header and reads and writes through the proxy', async () => {
      proxy.seen.length = 0;
      const bearer = client({ type: 'bearer', token: TOKEN }, proxy.serviceRoot);
      const report = await probeServiceRoot(bearer);
      assert.equal(report.version, 'v1.1');
      const created = await bearer.post('Things', { name: `${RUN}-b`, description: 'bearer' });
      assert.ok(created.location?.startsWith(proxy.serviceRoot), created.location);
      assert.equal(
        ((await bearer.get(created.location!)).body as { name: string }).name,
        `${RUN}-b`,
      );
      assert.ok(proxy.seen.length >= 3);
      assert.ok(
        proxy.seen.every((h) => h === `Bearer ${TOKEN}`),
        JSON.stringify(proxy.seen),
      );
    });

    it('says "credentials refused (401)" for a wrong token, with the proxy\'s reason and no token in the error', async () => {
      const auth: SensorThingsAuth = { type: 'bearer', token: 'tok-wrong-55aa' };
      await assert.rejects(
        client(auth, proxy.serviceRoot).get('Things'),
        (err: SensorThingsServerError) => {
          assert.equal(err.messageId, 'STA_AUTH');
          assert.equal(
            err.message,
            'credentials refused (401) for GET Things: invalid or missing bearer token',
          );
          for (const secret of [...secretsOf(auth), TOKEN]) assert.ok(!shown(err).includes(secret));
          return true;
        },
      );
    });
  });
});
