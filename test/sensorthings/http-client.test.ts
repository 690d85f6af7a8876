/**
 * lib/sensorthings/http.ts against the real FROST-Server, and, for what FROST cannot do
 * on demand (check an Authorization header, serve a self-signed certificate, never
 * answer), against tiny local servers that do only that.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SensorThingsServerError } from '../../lib/sensorthings/client-messages';
import {
  SensorThingsClient,
  idFromUrl,
  odataString,
  queryString,
} from '../../lib/sensorthings/http';
import { type Frost, startFrost } from '../support/frost';

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

function closeServer(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('sensorthings http client', function () {
  this.timeout(60_000);
  let frost: Frost;

  before(async function () {
    this.timeout(900_000);
    frost = await startFrost();
  });

  it('reads the service root of FROST (v1.1 and v1.0) as JSON over kept-alive connections', async () => {
    for (const root of [frost.serviceRoot, frost.serviceRootV10]) {
      const client = new SensorThingsClient({ serviceRoot: `${root}/` });
      try {
        assert.equal(client.serviceRoot, root);
        assert.equal(client.version, root.endsWith('v1.0') ? 'v1.0' : 'v1.1');
        const a = await client.get('');
        const b = await client.get('Things?$top=1');
        assert.equal(a.status, 200);
        assert.ok(Array.isArray((a.body as { value: unknown[] }).value));
        assert.equal(b.status, 200);
      } finally {
        client.close();
      }
    }
  });

  it('quotes OData strings and percent-encodes query values', () => {
    assert.equal(odataString("it's"), "'it''s'");
    assert.equal(
      queryString({ $filter: "name eq 'a & b #1'", $top: 2, $skip: undefined }),
      "?$filter=name%20eq%20'a%20%26%20b%20%231'&$top=2",
    );
    assert.equal(idFromUrl('http://x/v1.1/Things(42)'), 42);
    assert.equal(idFromUrl("http://x/v1.1/Things('a''b')"), "a'b");
    assert.equal(idFromUrl('http://x/v1.1/Things'), undefined);
  });

  it("turns FROST's 400 into a non-retryable error naming the entity and FROST's message", async () => {
    const client = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
    try {
      await assert.rejects(
        client.post('Things', { name: 'no description' }, { entity: 'Thing "no description"' }),
        (err: SensorThingsServerError) => {
          assert.ok(err instanceof SensorThingsServerError);
          assert.equal(err.code, 'STA_HTTP');
          assert.equal(err.status, 400);
          assert.equal(err.retryable, false);
          assert.equal(err.serverMessage, "Missing required property 'description'");
          assert.equal(err.entity, 'Thing "no description"');
          assert.equal(err.url, `${frost.serviceRoot}/Things`);
          assert.equal(
            err.message,
            `POST Thing "no description": the server refused it (400): Missing required property 'description'`,
          );
          return true;
        },
      );
      await assert.rejects(client.get('Things(999999999)'), (err: SensorThingsServerError) => {
        assert.equal(err.status, 404);
        assert.equal(err.gone, true);
        assert.equal(err.entity, 'Things(999999999)');
        assert.equal(err.serverMessage, 'Not Found');
        return true;
      });
    } finally {
      client.close();
    }
  });

  it('gives a retryable STA_REFUSED error when no server listens', async () => {
    const probe = http.createServer();
    const port = await listen(probe);
    await closeServer(probe);
    const client = new SensorThingsClient({
      serviceRoot: `http://127.0.0.1:${port}/FROST-Server/v1.1`,
    });
    try {
      await assert.rejects(
        client.post('CreateObservations', []),
        (err: SensorThingsServerError) => {
          assert.equal(err.code, 'STA_REFUSED');
          assert.equal(err.retryable, true);
          assert.equal(err.outcomeUnknown, false, 'nothing was sent');
          assert.match(err.message, /ECONNREFUSED/);
          assert.equal(err.entity, 'CreateObservations');
          return true;
        },
      );
    } finally {
      client.close();
    }
  });

  it('gives a retryable STA_SERVER error for a 5xx, and a timeout after the request went out is an unknown outcome', async () => {
    // FROST cannot be made to answer 503 or to hang on demand: a local double does only that.
    const server = http.createServer((req, res) => {
      req.resume();
      if (req.url?.endsWith('/Things')) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"code":503,"type":"error","message":"database restarting"}');
      } // otherwise: never answer
    });
    const port = await listen(server);
    const client = new SensorThingsClient({
      serviceRoot: `http://127.0.0.1:${port}/v1.1`,
      timeoutMs: 300,
    });
    try {
      await assert.rejects(client.get('Things'), (err: SensorThingsServerError) => {
        assert.equal(err.code, 'STA_SERVER');
        assert.equal(err.status, 503);
        assert.equal(err.retryable, true);
        assert.equal(err.serverMessage, 'database restarting');
        return true;
      });
      await assert.rejects(
        client.post('CreateObservations', [{ a: 1 }]),
        (err: SensorThingsServerError) => {
          assert.equal(err.code, 'STA_TIMEOUT');
          assert.equal(err.retryable, true);
          assert.equal(err.outcomeUnknown, true);
          return true;
        },
      );
    } finally {
      client.close();
      await closeServer(server);
    }
  });

  it('sends basic and bearer credentials in the Authorization header, and never says them', async () => {
    const seen: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(req.headers.authorization === 'Bearer s3cret-token' ? 200 : 401, {
        'content-type': 'application/json',
      });
      res.end(
        req.headers.authorization === 'Bearer s3cret-token'
          ? '{"value":[]}'
          : '{"code":401,"type":"error","message":"Unauthorized"}',
      );
    });
    const port = await listen(server);
    const serviceRoot = `http://127.0.0.1:${port}/v1.1`;
    const bearer = new SensorThingsClient({
      serviceRoot,
      auth: { type: 'bearer', token: 's3cret-token' },
    });
    const basic = new SensorThingsClient({
      serviceRoot,
      auth: { type: 'basic', username: 'reef', password: 'pässword' },
    });
    const none = new SensorThingsClient({ serviceRoot });
    try {
      assert.equal((await bearer.get('Things')).status, 200);
      await assert.rejects(basic.get('Things'), (err: SensorThingsServerError) => {
        assert.equal(err.code, 'STA_AUTH');
        assert.equal(err.status, 401);
        assert.equal(err.retryable, false);
        assert.doesNotMatch(JSON.stringify({ ...err, message: err.message }), /pässword|cmVlZj/);
        return true;
      });
      await assert.rejects(none.get('Things'), /credentials needed \(401\)/);
      assert.deepEqual(seen, [
        'Bearer s3cret-token',
        `Basic ${Buffer.from('reef:pässword').toString('base64')}`,
        undefined,
      ]);
      assert.throws(
        () => new SensorThingsClient({ serviceRoot: 'http://u:p@127.0.0.1/v1.1' }),
        (err: SensorThingsServerError) =>
          err.messageId === 'STA_URL_CREDENTIALS' && !err.message.includes('u:p'),
      );
    } finally {
      for (const c of [bearer, basic, none]) c.close();
      await closeServer(server);
    }
  });

  it('refuses a self-signed https server by default and accepts it with its certificate as CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'senfed-sta-tls-'));
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const server = https.createServer(
        { key: readFileSync(join(dir, 'key.pem')), cert },
        (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"value":[]}');
        },
      );
      const port = await listen(server);
      const serviceRoot = `https://127.0.0.1:${port}/v1.1`;
      const plain = new SensorThingsClient({ serviceRoot });
      const withCa = new SensorThingsClient({ serviceRoot, ca: cert });
      writeFileSync(join(dir, 'ca-copy.pem'), cert);
      const withCaFile = new SensorThingsClient({ serviceRoot, caFile: join(dir, 'ca-copy.pem') });
      try {
        await assert.rejects(plain.get('Things'), (err: SensorThingsServerError) => {
          assert.equal(err.code, 'STA_TLS');
          assert.equal(err.retryable, false);
          assert.match(err.message, /not trusted: self[- ]signed certificate/);
          return true;
        });
        assert.equal((await withCa.get('Things')).status, 200);
        assert.equal((await withCaFile.get('Things')).status, 200);
        assert.throws(
          () => new SensorThingsClient({ serviceRoot, caFile: join(dir, 'missing.pem') }),
          (err: SensorThingsServerError) => err.messageId === 'STA_CA_FILE',
        );
      } finally {
        for (const c of [plain, withCa, withCaFile]) c.close();
        await closeServer(server);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
