// Cross-domain check of the federation test bed, run by federation.sh.
//
//   node scripts/federation/check.mjs federation   alice@sen1.test -> bob@sen2.test message, and a
//                                                  PubSub item on pubsub.sen1.test reaching bob
//   node scripts/federation/check.mjs ready sen1   the admin of sen1.test logs in (TLS, SASL, bind)
//
// Reads <state dir>/federation.json (SENFED_FEDERATION_DIR, default /tmp/senfed-federation).
// The servers' certificates come from the test bed's private CA: run with
// NODE_EXTRA_CA_CERTS=<state dir>/ca.pem. Certificate checks are never turned off.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { client, xml } from '@xmpp/client';

const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
const NS_SENML = 'urn:ietf:params:xml:ns:senml';
const STEP_TIMEOUT_MS = 15000;

const dir = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';
const bed = JSON.parse(readFileSync(`${dir}/federation.json`, 'utf8'));
const t0 = performance.now();
const sessions = [];

function ms(since) {
  return `${Math.round(performance.now() - since)} ms`;
}

function log(text) {
  console.log(`check: ${text}`);
}

function withTimeout(promise, what, timeoutMs = STEP_TIMEOUT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function account(jid) {
  const user = bed.users[jid];
  if (!user) throw new Error(`no account ${jid} in ${dir}/federation.json`);
  return user;
}

async function login(jid) {
  const user = account(jid);
  const server = bed.servers[user.server];
  const xmpp = client({
    service: server.service,
    domain: user.domain,
    username: user.username,
    password: user.password,
    resource: `check-${randomBytes(3).toString('hex')}`,
    // The library waits 2 s per login step; a machine busy with other work needs longer.
    timeout: STEP_TIMEOUT_MS,
  });
  xmpp.reconnect.stop();
  let lastError;
  xmpp.on('error', (err) => {
    lastError = err;
  });
  sessions.push(xmpp);
  try {
    await withTimeout(xmpp.start(), `login as ${jid} through ${server.service}`);
  } catch (err) {
    const cause = lastError && lastError !== err ? ` (${lastError.message})` : '';
    throw new Error(`login as ${jid} failed: ${err.condition || err.message}${cause}`, {
      cause: err,
    });
  }
  return xmpp;
}

// Logs in all at once. Waits for every attempt to settle before reporting a failure:
// stopping an @xmpp/client 0.14 session whose start() is still in flight can crash the
// process ("Cannot read properties of null (reading 'write')" in Connection._onData).
async function loginAll(...jids) {
  const results = await Promise.allSettled(jids.map((jid) => login(jid)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => r.value);
}

function waitForStanza(xmpp, what, predicate) {
  let listener;
  const found = new Promise((resolve, reject) => {
    listener = (stanza) => {
      try {
        if (predicate(stanza)) resolve(stanza);
      } catch (err) {
        reject(err);
      }
    };
    xmpp.on('stanza', listener);
  });
  return withTimeout(found, what).finally(() => xmpp.removeListener('stanza', listener));
}

function ping(xmpp, to) {
  return withTimeout(
    xmpp.iqCaller.request(xml('iq', { type: 'get', to }, xml('ping', { xmlns: 'urn:xmpp:ping' }))),
    `ping ${to}`,
  );
}

async function checkReady(name) {
  const server = bed.servers[name];
  if (!server) throw new Error(`unknown server ${name}`);
  const start = performance.now();
  const admin = await login(server.admin);
  await ping(admin, server.domain);
  log(`${server.admin} logged in to ${server.domain} on ${server.address} (${ms(start)})`);
}

async function checkFederation() {
  const { sen1, sen2 } = bed.servers;
  const alice = 'alice@sen1.test';
  const bob = 'bob@sen2.test';

  let start = performance.now();
  const [a, b, admin] = await loginAll(alice, bob, sen1.admin);
  log(`${alice}, ${bob} and ${sen1.admin} logged in over TLS (${ms(start)})`);

  // Bob becomes available, and his server has processed it once the ping comes back.
  b.send(xml('presence'));
  await ping(b, sen2.domain);

  // 1. A chat message crosses from sen1.test to sen2.test over s2s.
  start = performance.now();
  const token = `federation check ${randomBytes(4).toString('hex')}`;
  const bounced = waitForStanza(
    a,
    'message error',
    (s) => s.is('message') && s.attrs.type === 'error',
  );
  const received = waitForStanza(
    b,
    `message from ${alice}`,
    (s) => s.is('message') && s.getChildText('body') === token,
  );
  await a.send(
    xml(
      'message',
      { to: bob, type: 'chat', id: randomBytes(4).toString('hex') },
      xml('body', {}, token),
    ),
  );
  const message = await Promise.race([
    received,
    bounced.then((s) => {
      throw new Error(`the message to ${bob} bounced: ${s.toString()}`);
    }),
  ]);
  bounced.catch(() => {});
  const from = String(message.attrs.from).split('/')[0];
  if (from !== alice) throw new Error(`message came from ${message.attrs.from}, expected ${alice}`);
  log(`message ${alice} -> ${bob} delivered across s2s (${ms(start)})`);

  // 2. A PubSub item published on pubsub.sen1.test reaches a subscriber on sen2.test.
  start = performance.now();
  const node = `federation-check-${randomBytes(4).toString('hex')}`;
  await withTimeout(
    admin.iqCaller.request(
      xml(
        'iq',
        { type: 'set', to: sen1.pubsub },
        xml(
          'pubsub',
          { xmlns: NS_PUBSUB },
          xml('create', { node }),
          xml(
            'configure',
            {},
            xml(
              'x',
              { xmlns: 'jabber:x:data', type: 'submit' },
              xml(
                'field',
                { var: 'FORM_TYPE', type: 'hidden' },
                xml('value', {}, `${NS_PUBSUB}#node_config`),
              ),
              xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open')),
              xml('field', { var: 'pubsub#persist_items' }, xml('value', {}, '1')),
            ),
          ),
        ),
      ),
    ),
    `create node ${node} on ${sen1.pubsub}`,
  );
  const created = performance.now();
  const subscription = await withTimeout(
    b.iqCaller.request(
      xml(
        'iq',
        { type: 'set', to: sen1.pubsub },
        xml('pubsub', { xmlns: NS_PUBSUB }, xml('subscribe', { node, jid: bob })),
      ),
    ),
    `${bob} subscribes to ${node} on ${sen1.pubsub}`,
  );
  const state = subscription.getChild('pubsub', NS_PUBSUB)?.getChild('subscription')
    ?.attrs.subscription;
  if (state !== 'subscribed')
    throw new Error(`subscription of ${bob} is '${state}', expected 'subscribed'`);
  const subscribed = performance.now();

  const itemId = randomBytes(4).toString('hex');
  const event = waitForStanza(b, `PubSub event for item ${itemId}`, (s) => {
    const items = s.is('message') && s.getChild('event', NS_PUBSUB_EVENT)?.getChild('items');
    return Boolean(
      items &&
      items.attrs.node === node &&
      items.getChildren('item').some((i) => i.attrs.id === itemId),
    );
  });
  const publishing = performance.now();
  await withTimeout(
    admin.iqCaller.request(
      xml(
        'iq',
        { type: 'set', to: sen1.pubsub },
        xml(
          'pubsub',
          { xmlns: NS_PUBSUB },
          xml(
            'publish',
            { node },
            xml(
              'item',
              { id: itemId },
              xml(
                'sensml',
                { xmlns: NS_SENML },
                xml('senml', {
                  bn: 'urn:dev:ow:10e2073a01080063:',
                  n: 'temperature',
                  u: 'Cel',
                  v: '23.1',
                  t: String(Math.floor(Date.now() / 1000)),
                }),
              ),
            ),
          ),
        ),
      ),
    ),
    `publish to ${node}`,
  );
  const notification = await event;
  const record = notification
    .getChild('event', NS_PUBSUB_EVENT)
    .getChild('items')
    .getChild('item')
    .getChild('sensml', NS_SENML)
    ?.getChild('senml');
  if (record?.attrs.v !== '23.1')
    throw new Error(`the PubSub event lost its SenML payload: ${notification.toString()}`);
  log(
    `PubSub item on ${sen1.pubsub} reached ${bob}: create ${Math.round(created - start)} ms, ` +
      `subscribe across s2s ${Math.round(subscribed - created)} ms, publish to event ${ms(publishing)}`,
  );

  await withTimeout(
    admin.iqCaller.request(
      xml(
        'iq',
        { type: 'set', to: sen1.pubsub },
        xml('pubsub', { xmlns: NS_PUBSUB_OWNER }, xml('delete', { node })),
      ),
    ),
    `delete node ${node}`,
  );
}

async function main() {
  const [mode = 'federation', name] = process.argv.slice(2);
  if (!process.env.NODE_EXTRA_CA_CERTS) {
    throw new Error(`NODE_EXTRA_CA_CERTS is not set: run with NODE_EXTRA_CA_CERTS=${dir}/ca.pem`);
  }
  if (mode === 'ready') await checkReady(name);
  else if (mode === 'federation') await checkFederation();
  else throw new Error(`unknown mode ${mode} (federation, or ready <sen1|sen2>)`);
}

let code = 0;
try {
  await main();
  log(`passed in ${ms(t0)}`);
} catch (err) {
  console.error(`check: FAILED after ${ms(t0)}: ${err.message}`);
  code = 1;
}
// After a failure a login may still be in flight: exiting closes every socket anyway.
if (code === 0)
  await Promise.allSettled(sessions.map((s) => withTimeout(s.stop(), 'disconnect', 3000)));
process.exit(code);
