#!/usr/bin/env node
'use strict';
/*
 * Start Node-RED with SenFed installed the way a user installs it, and the example
 * flows deployed against the local federation test bed. Expects a build (npm run
 * build); scripts/demo.sh and `npm start` build first.
 *
 *   1. npm pack the package into a temporary folder;
 *   2. wipe the user directory (.demo/) and npm install the tarball there;
 *   3. start the federation test bed (scripts/federation/federation.sh start: root,
 *      Debian's prosody); when it cannot start, say so and deploy the SenML and LoRa examples alone;
 *   4. create the PubSub nodes the examples publish to, as the publishing account
 *      (their owner), and make the accounts that follow them members: the step the
 *      buoy example's Info leaves to users;
 *   5. write settings.js (127.0.0.1, port $PORT or 1880, no telemetry, no tours, no remote palette catalogue),
 *      flows.json (the examples side by side, each with its own tabs, accounts
 *      pointed at the test bed) and flows_cred.json (the accounts' passwords);
 *   6. run this repository's Node-RED until Ctrl+C, say what to click once it
 *      answers, and stop the test bed when Node-RED has stopped.
 *
 * The LoRa examples are deployed always: their lora device given the demo session
 * keys their Info tells users to type, the gateway on 127.0.0.1, and the network
 * server example's mqtt in pointed at a private Mosquitto the demo starts (Debian's
 * mosquitto, when installed) on a free loopback port, stopped with Node-RED.
 *
 * The SensorThings examples go to a FROST-Server of the demo's own
 * (scripts/sensorthings/frost.sh: Debian's PostgreSQL, PostGIS and Tomcat; its data in
 * /tmp/senfed-demo-frost, kept between runs; free loopback ports, so that it never
 * meets the tests' FROST), stopped with Node-RED if the demo started it. When it
 * cannot start, the demo says so and deploys the other examples.
 *
 * Environment: PORT; SENFED_FEDERATION_DIR, SENFED_SEN1_ADDRESS, SENFED_SEN2_ADDRESS
 * (passed to federation.sh); SENFED_DEMO_DIR, another user directory than .demo/;
 * SENFED_DEMO_GATEWAY_PORT, the lora gateway's UDP port (1700); SENFED_DEMO_FROST_DIR,
 * another FROST state directory.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const userDir = path.resolve(process.env.SENFED_DEMO_DIR || path.join(root, '.demo'));
const port = Number(process.env.PORT) || 1880;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const FEDERATION_SH = path.join(root, 'scripts', 'federation', 'federation.sh');
const FEDERATION_DIR = process.env.SENFED_FEDERATION_DIR || '/tmp/senfed-federation';
const DEMO_PACKAGE = 'senfed-demo';
const FROST_SH = path.join(root, 'scripts', 'sensorthings', 'frost.sh');
const FROST_DIR = path.resolve(process.env.SENFED_DEMO_FROST_DIR || '/tmp/senfed-demo-frost');

/** Examples deployed always, and those that need the federation test bed. */
const SENML_EXAMPLES = ['senml-round-trip.json'];
const FEDERATION_EXAMPLES = [
  'federation-buoy.json',
  'federation-commands.json',
  'consent-household-advisor.json',
];
const DEVICE_EXAMPLES = ['lora-decode.json', 'lora-gateway.json', 'lora-network-uplink.json'];
/** Examples that need FROST, and the one that needs the federation test bed too. */
const SENSORTHINGS_EXAMPLES = ['sensorthings-buoy.json'];
const SENSORTHINGS_FEDERATION_EXAMPLES = ['sensorthings-federation.json'];
/** The demo session keys the LoRa examples' Info gives (DevAddr 49be7df1): public, for trying only. */
const DEMO_LORA_KEYS = {
  nwkSKey: '44024241ed4ce9a68c6a8bc055233fd3',
  appSKey: 'ec925802ae430ca77fd3dd73cb2cc588',
};
const MOSQUITTO = '/usr/sbin/mosquitto';
const gatewayPort = Number(process.env.SENFED_DEMO_GATEWAY_PORT) || 1700;

/** What to do on each tab, by tab label; a tab not listed gets its inject buttons named. */
const GUIDE = {
  'SenML round trip':
    'click any button: sea buoy readings go through senml encode and senml decode',
  'Federation: publish':
    'click "buoy readings": admin@sen1.test publishes it to the PubSub node buoy and sends it to bob@sen2.test',
  'Federation: subscribe':
    'no button: bob@sen2.test shows here what arrives from sen1.test (the PubSub item, the Quoalise message)',
  'Federation: provide':
    'click "new reading" once subscribed (tab Federation: request): provider@sen1.test pushes it to its subscribers',
  'Federation: request':
    'click "get_history: last 24 hours", then "subscribe", then "new reading" on Federation: provide; the last two buttons ask what sen1.test offers',
  'Consent: household':
    'click "grant: hourly means to the advisor", then "meter reading"; "withdraw (dashboard button)" stops the sharing at once',
  'Consent: advisor':
    'click "ask for the last two hours" before and after the grant: not-authorized, then hourly means with a valid audit proof',
  'LoRaWAN decode':
    'click "LPP frame": its readings as SenML; then "replayed frame": refused, the catch node says why (the demo keys are typed in)',
  'LoRa gateway':
    'click "packet forwarder PUSH_DATA": a packet forwarder\'s datagram over UDP to lora gateway, decoded to SenML with the radio metadata',
  'LoRaWAN network server':
    'click "ChirpStack up event" or "TTS uplink"; the mqtt in node listens on the demo\'s Mosquitto',
  'SensorThings: buoy':
    'click "buoy readings": stored as Observations in the demo\'s FROST (Thing, Datastreams and all created the first time)',
  'SensorThings: to the federation':
    "no button: sensorthings in polls the buoy's Datastreams 1 and 2 every minute and publishes what is new",
};

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

// Without the variables a parent npm sets (npm start, npx, npm test): given them,
// npm pack runs "prepack" (a whole build) in spite of --ignore-scripts.
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)),
);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: root,
    env: npmEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    ...options,
  });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}`);
  return result.stdout || '';
}

/** A block of lines that stands out in a terminal full of logs. */
function shout(lines) {
  const bar = '!'.repeat(78);
  console.error([bar, ...lines.map((line) => `!!! ${line}`), bar].join('\n'));
}

function pack() {
  for (const built of [
    'dist/nodes/senml-decode.js',
    'dist/nodes/senml-decode.html',
    'dist/nodes/locales',
  ]) {
    if (!fs.existsSync(path.join(root, built)))
      fail(`${built} is missing: run "npm run build" first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'senfed-pack-'));
  // The build is done; --ignore-scripts keeps "prepack" from building again.
  const out = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
  // Should npm still run "prepack", its output comes first: the JSON is the last thing written.
  const json = out.slice(out.search(/^\[/m));
  const [{ filename }] = JSON.parse(json);
  return { dir, tarball: path.join(dir, filename) };
}

/** Wipes the user directory, unless it holds something else than an earlier demo. */
function wipeUserDir() {
  if (fs.existsSync(userDir) && fs.readdirSync(userDir).length > 0) {
    let name;
    try {
      name = JSON.parse(fs.readFileSync(path.join(userDir, 'package.json'), 'utf8')).name;
    } catch {
      name = undefined;
    }
    if (name !== DEMO_PACKAGE)
      fail(`${userDir} is not empty and is not a demo user directory: not wiping it`);
  }
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(userDir, { recursive: true });
}

function installPackage(tarball) {
  wipeUserDir();
  // Its own package.json, so that npm installs here and not into the repository.
  fs.writeFileSync(
    path.join(userDir, 'package.json'),
    `${JSON.stringify({ name: DEMO_PACKAGE, description: 'SenFed demo user directory', version: '0.0.0', private: true }, null, 2)}\n`,
  );
  run(
    npm,
    [
      'install',
      '--prefix',
      userDir,
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefer-offline',
      '--omit=dev',
      tarball,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
}

// ---------------------------------------------------------------- test bed

/** Starts the test bed; its description (federation.json), or undefined when it cannot start. */
function startTestBed() {
  const log = path.join(userDir, 'federation.log');
  console.log(
    `demo: starting the federation test bed: sen1.test and sen2.test (progress in ${log})`,
  );
  const out = fs.openSync(log, 'w');
  // stdin too: when not root, the script asks sudo, which may ask for a password.
  const result = spawnSync('bash', [FEDERATION_SH, 'start'], {
    cwd: root,
    stdio: ['inherit', out, 'inherit'],
  });
  fs.closeSync(out);
  if (result.status === 0) {
    try {
      return JSON.parse(fs.readFileSync(path.join(FEDERATION_DIR, 'federation.json'), 'utf8'));
    } catch (err) {
      result.error = err;
    }
  }
  shout([
    'NO FEDERATION: the test bed did not start',
    `(${result.error ? result.error.message : `federation.sh start exited with ${result.status ?? result.signal}`}; see above and ${log}).`,
    "It needs root (or sudo) and Debian's apt to install Prosody.",
    `Going on with the SenML and LoRa examples only; ${FEDERATION_EXAMPLES.join(' and ')} are not deployed.`,
  ]);
  return undefined;
}

function stopTestBed() {
  console.log(`demo: stopping the federation test bed (its files stay in ${FEDERATION_DIR})`);
  spawnSync('bash', [FEDERATION_SH, 'stop'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

const bareJid = (jid) => String(jid).split('/')[0];

/**
 * Points every account of the flow at the test bed's server of its domain, trusting
 * the test bed's CA; returns the credentials Node-RED keeps apart (flows_cred.json).
 */
function pointAccounts(flow, bed) {
  const credentials = {};
  for (const account of flow.filter((n) => n.type === 'xmpp-account')) {
    const jid = bareJid(account.jid);
    const server = Object.values(bed.servers).find((s) => s.domain === jid.split('@')[1]);
    const user = bed.users[jid];
    if (!server || !user) {
      shout([`the test bed has no account ${jid}: its nodes will say so`]);
      continue;
    }
    Object.assign(account, {
      host: server.address,
      port: String(server.c2sPort),
      caFile: bed.caFile,
    });
    credentials[account.id] = { password: user.password };
  }
  return credentials;
}

/**
 * Creates each PubSub node a federation publish node of the flow publishes to (and
 * would create), as that node's account, its owner; then makes the accounts of the
 * federation subscribe nodes following it members, as an owner lets readers into a
 * whitelisted node (XEP-0060 §8.9). Without this the subscriber is refused until the
 * first publication and a manual step.
 */
async function preparePubsubNodes(flow, credentials) {
  const { federation } = require(require.resolve('@senfed/node-red', { paths: [userDir] }));
  const byId = new Map(flow.map((n) => [n.id, n]));
  const publishers = flow.filter(
    (n) => n.type === 'federation-publish' && n.mode === 'pubsub' && n.createNode !== false,
  );
  for (const publish of publishers) {
    const owner = byId.get(publish.account);
    if (!owner || !credentials[owner.id]) continue;
    const members = flow
      .filter(
        (n) =>
          n.type === 'federation-subscribe' &&
          n.service === publish.service &&
          n.node === publish.node &&
          byId.has(n.account),
      )
      .map((n) => bareJid(byId.get(n.account).jid))
      .filter((jid) => jid !== bareJid(owner.jid));
    const keep = Number.parseInt(publish.maxItems ?? '', 10);
    const config = {
      accessModel: 'whitelist',
      persistItems: true,
      maxItems: keep >= 1 ? keep : federation.DEFAULT_MAX_ITEMS,
    };
    const where = `the PubSub node ${publish.node} on ${publish.service}`;
    const session = new federation.XmppSession({
      jid: bareJid(owner.jid),
      password: credentials[owner.id].password,
      host: owner.host,
      port: Number(owner.port),
      caFile: owner.caFile,
    });
    try {
      session.start();
      await session.waitOnline(30_000);
      await session
        .iq(federation.pubsub.createNodeIq(publish.service, publish.node, config))
        .catch((err) => {
          if (!err || err.condition !== 'conflict') throw err; // already there: keep it
        });
      if (members.length > 0) {
        await session.iq(
          federation.pubsub.setAffiliationsIq(
            publish.service,
            publish.node,
            members.map((jid) => ({ jid, affiliation: 'member' })),
          ),
        );
      }
      console.log(
        `demo: ${bareJid(owner.jid)} created ${where}${members.length > 0 ? ` and made ${members.join(', ')} a member` : ''}`,
      );
    } catch (err) {
      shout([
        `could not prepare ${where} as ${bareJid(owner.jid)}: ${err && err.message}`,
        'Its subscribers will show the refusal until its owner lets them in.',
      ]);
    } finally {
      await session.stop();
    }
  }
}

// ---------------------------------------------------------------- devices

/** A free TCP port on loopback. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: free } = server.address();
      server.close(() => resolve(free));
    });
  });
}

/** A private Mosquitto for the network-server example; undefined (said loudly) without one. */
async function startBroker() {
  if (!fs.existsSync(MOSQUITTO)) {
    shout([
      `no ${MOSQUITTO}: the LoRaWAN network server tab's mqtt in stays disconnected`,
      '(apt-get install mosquitto); its buttons work all the same.',
    ]);
    return undefined;
  }
  const brokerPort = await freePort();
  const config = path.join(userDir, 'mosquitto.conf');
  fs.writeFileSync(
    config,
    `listener ${brokerPort} 127.0.0.1\nallow_anonymous true\npersistence false\n`,
  );
  const log = fs.openSync(path.join(userDir, 'mosquitto.log'), 'w');
  const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  console.log(`demo: Mosquitto for the network-server example on 127.0.0.1:${brokerPort}`);
  return { port: brokerPort, child };
}

/**
 * The LoRa examples as the demo deploys them: the demo keys given to their lora
 * device (credentials), the gateway on loopback, mqtt in pointed at the demo's broker.
 */
function pointDevices(flow, broker) {
  const credentials = {};
  for (const node of flow) {
    if (node.type === 'lora-device' && node.activation === 'abp' && node.devAddr === '49be7df1')
      credentials[node.id] = { ...DEMO_LORA_KEYS };
    if (node.type === 'lora-gateway') Object.assign(node, { bind: '127.0.0.1', port: gatewayPort });
    if (node.type === 'udp out' && node.port === '1700') node.port = String(gatewayPort);
    if (node.type === 'mqtt-broker' && broker)
      Object.assign(node, { broker: '127.0.0.1', port: String(broker.port) });
  }
  return credentials;
}

// ---------------------------------------------------------------- SensorThings

/** frost.sh with the demo's state directory and ports. */
function frostSh(command, ports, stdio) {
  return spawnSync('bash', [FROST_SH, command], {
    cwd: root,
    env: {
      ...process.env,
      SENFED_FROST_DIR: FROST_DIR,
      ...(ports
        ? {
            SENFED_FROST_HTTP_PORT: String(ports.http),
            SENFED_FROST_PG_PORT: String(ports.pg),
            SENFED_FROST_MQTT_PORT: String(ports.mqtt),
            SENFED_FROST_MQTT_WS_PORT: String(ports.ws),
          }
        : {}),
    },
    stdio,
    encoding: 'utf8',
  });
}

/**
 * The demo's FROST-Server, started on free ports unless it already runs; its
 * description (frost.json) and whether the demo started it, or undefined (said loudly).
 */
async function startSensorThings() {
  const info = () => JSON.parse(fs.readFileSync(path.join(FROST_DIR, 'frost.json'), 'utf8'));
  // A FROST of this state directory that already runs (another demo) is used as it is.
  if (fs.existsSync(path.join(FROST_DIR, 'frost.json'))) {
    const known = info();
    const running = {
      http: known.httpPort,
      pg: known.postgresql.port,
      mqtt: Number(new URL(known.mqttUrl).port),
      ws: known.mqttWebsocketPort,
    };
    if (frostSh('status', running, 'ignore').status === 0) return { ...known, startedHere: false };
  }
  const log = path.join(userDir, 'frost.log');
  console.log(
    `demo: starting a FROST-Server for the SensorThings examples in ${FROST_DIR} (progress in ${log}; the first start installs Debian packages)`,
  );
  const ports = { http: await freePort(), pg: await freePort(), mqtt: await freePort() };
  ports.ws = await freePort();
  const out = fs.openSync(log, 'w');
  const result = frostSh('start', ports, ['inherit', out, out]);
  fs.closeSync(out);
  if (result.status === 0) {
    try {
      return { ...info(), startedHere: true };
    } catch (err) {
      result.error = err;
    }
  }
  const tail = fs.readFileSync(log, 'utf8').trim().split('\n').slice(-3);
  shout([
    'NO SENSORTHINGS: the FROST-Server did not start',
    `(${result.error ? result.error.message : `frost.sh start exited with ${result.status ?? result.signal}`}; see ${log}):`,
    ...tail,
    "It needs root (or sudo) and Debian's apt to install PostgreSQL, PostGIS and Tomcat.",
    `Going on without ${[...SENSORTHINGS_EXAMPLES, ...SENSORTHINGS_FEDERATION_EXAMPLES].join(' and ')}.`,
  ]);
  return undefined;
}

function stopSensorThings(frost) {
  if (!frost || !frost.startedHere) return;
  console.log(`demo: stopping the FROST-Server (its data stays in ${FROST_DIR})`);
  frostSh('stop', undefined, ['ignore', 'inherit', 'inherit']);
}

/** The SensorThings examples' server pointed at the demo's FROST. */
function pointSensorThings(flow, frost) {
  for (const node of flow) {
    if (node.type === 'sensorthings-server')
      Object.assign(node, { url: frost.serviceRoot, mqttUrl: '' });
  }
}

// ---------------------------------------------------------------- user directory

function readExample(file) {
  return JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
}

/** The examples side by side, each keeping its own tabs; a node id used twice is an error. */
function mergeExamples(files) {
  const from = new Map();
  const flow = [];
  for (const file of files) {
    for (const node of readExample(file)) {
      if (from.has(node.id))
        fail(
          `node id ${node.id} is in both ${from.get(node.id)} and ${file}: the examples cannot be deployed together`,
        );
      from.set(node.id, file);
      flow.push(node);
    }
  }
  return flow;
}

function settingsFile() {
  return `// Written by scripts/demo.js; this directory is wiped on every run.
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: Number(process.env.PORT) || 1880,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: false,
    telemetry: { enabled: false },
    // No remote palette catalogue: the demo works offline, without a failed fetch in the editor.
    editorTheme: { tours: false, palette: { catalogues: [] } },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
}

function writeUserDir(flow, credentials) {
  const json = (value) => `${JSON.stringify(value, null, 4)}\n`;
  fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile());
  fs.writeFileSync(path.join(userDir, 'flows.json'), json(flow));
  // credentialSecret: false, so Node-RED reads them as plain JSON.
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), json(credentials), { mode: 0o600 });
}

/** One line per tab: what it shows and which buttons to click. */
function guide(flow) {
  const tabs = flow.filter((n) => n.type === 'tab');
  const width = Math.max(...tabs.map((t) => t.label.length));
  return tabs.map((tab) => {
    const buttons = flow
      .filter((n) => n.z === tab.id && n.type === 'inject')
      .map((n) => `"${n.name}"`);
    const what =
      GUIDE[tab.label] ?? (buttons.length > 0 ? `click ${buttons.join(', ')}` : 'no button');
    return `  ${tab.label.padEnd(width)}  ${what}`;
  });
}

// ---------------------------------------------------------------- Node-RED

/** Resolves once Node-RED answers on its admin API; false if it exits first. */
function whenListening(child) {
  return new Promise((resolve) => {
    const attempt = () => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(false);
      const request = http.get(
        { host: '127.0.0.1', port, path: '/flows', headers: { 'Node-RED-API-Version': 'v1' } },
        (res) => {
          res.resume();
          if (res.statusCode === 200) resolve(true);
          else setTimeout(attempt, 250);
        },
      );
      request.on('error', () => setTimeout(attempt, 250));
    };
    attempt();
  });
}

function startNodeRed(deployed, flow, bed, broker, frost) {
  const red = require.resolve('node-red/red.js', { paths: [root] });
  const settings = path.join(userDir, 'settings.js');
  console.log(`demo: starting Node-RED at http://127.0.0.1:${port}/`);
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', settings], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, PORT: String(port) },
  });
  // Ctrl+C reaches Node-RED too (same process group); a signal sent to this
  // process alone is passed on. Either way, wait for Node-RED to stop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => {
    console.log('demo: Node-RED stopped');
    if (broker) broker.child.kill('SIGTERM');
    if (bed) stopTestBed();
    stopSensorThings(frost);
    process.exit(code ?? (signal ? 0 : 1));
  });
  whenListening(child).then((listening) => {
    if (!listening) return;
    const rule = '='.repeat(78);
    console.log(
      [
        rule,
        `demo: ready at http://127.0.0.1:${port}/ with ${deployed.join(', ')}`,
        bed
          ? `demo: federation test bed: sen1.test on ${bed.servers.sen1.address}, sen2.test on ${bed.servers.sen2.address} (accounts in ${path.join(bed.dir, 'users.env')})`
          : 'demo: NO FEDERATION (the test bed did not start, see above): the SenML and LoRa examples only',
        frost
          ? `demo: FROST-Server (SensorThings) at ${frost.serviceRoot}`
          : 'demo: NO SENSORTHINGS (the FROST-Server did not start, see above)',
        'demo: open the editor, click the inject buttons, and watch the debug sidebar (the bug icon, top right):',
        ...guide(flow),
        `demo: Ctrl+C stops Node-RED${bed ? ' and the test bed' : ''}${frost && frost.startedHere ? ', then FROST' : ''}`,
        rule,
      ].join('\n'),
    );
  });
}

async function main() {
  const { dir, tarball } = pack();
  try {
    console.log(
      `demo: installing ${path.basename(tarball)} into ${path.relative(root, userDir) || userDir}/`,
    );
    installPackage(tarball);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const bed = startTestBed();
  // Ctrl+C before Node-RED runs: stop what was just started.
  let frost;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (bed) stopTestBed();
      stopSensorThings(frost);
      process.exit(130);
    });
  }
  frost = await startSensorThings();
  const deployed = [
    ...SENML_EXAMPLES,
    ...(bed ? FEDERATION_EXAMPLES : []),
    ...DEVICE_EXAMPLES,
    ...(frost ? SENSORTHINGS_EXAMPLES : []),
    ...(frost && bed ? SENSORTHINGS_FEDERATION_EXAMPLES : []),
  ];
  const flow = mergeExamples(deployed);
  const broker = await startBroker();
  const credentials = { ...(bed ? pointAccounts(flow, bed) : {}), ...pointDevices(flow, broker) };
  if (frost) pointSensorThings(flow, frost);
  if (bed) await preparePubsubNodes(flow, credentials);
  writeUserDir(flow, credentials);
  startNodeRed(deployed, flow, bed, broker, frost);
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
