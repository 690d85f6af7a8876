#!/usr/bin/env node
'use strict';
/*
 * Start Node-RED with SenFed installed the way a user installs it, and the
 * round-trip example as its flow. Expects a build (npm run build); scripts/demo.sh
 * and `npm start` build first.
 *
 *   1. npm pack the package into a temporary folder;
 *   2. wipe .demo/ and make it a fresh Node-RED user directory;
 *   3. npm install the tarball there;
 *   4. write settings.js (127.0.0.1, port $PORT or 1880, no telemetry, no tours)
 *      and copy examples/senml-round-trip.json as flows.json;
 *   5. run this repository's Node-RED in the foreground until Ctrl+C.
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const userDir = path.join(root, '.demo');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  console.error(`demo: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...options });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} exited with ${result.status}`);
  return result.stdout || '';
}

function pack() {
  for (const built of ['dist/nodes/senml-decode.js', 'dist/nodes/senml-decode.html', 'dist/nodes/locales']) {
    if (!fs.existsSync(path.join(root, built))) fail(`${built} is missing: run "npm run build" first`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'senfed-pack-'));
  // The build is done; --ignore-scripts keeps "prepare" from building again.
  const out = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir]);
  // Some npm versions still run "prepare" and print its output first: the JSON is the last thing written.
  const json = out.slice(out.search(/^\[/m));
  const [{ filename }] = JSON.parse(json);
  return { dir, tarball: path.join(dir, filename) };
}

function settingsFile() {
  return `// Written by scripts/demo.js; .demo/ is wiped on every run.
module.exports = {
    uiHost: '127.0.0.1',
    uiPort: Number(process.env.PORT) || 1880,
    flowFile: 'flows.json',
    flowFilePretty: true,
    credentialSecret: false,
    telemetry: { enabled: false },
    editorTheme: { tours: false },
    logging: { console: { level: 'info', metrics: false, audit: false } },
};
`;
}

function prepareUserDir(tarball) {
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(userDir, { recursive: true });
  // Its own package.json, so that npm installs here and not into the repository.
  fs.writeFileSync(path.join(userDir, 'package.json'), `${JSON.stringify({ name: 'senfed-demo', description: 'SenFed demo user directory', version: '0.0.0', private: true }, null, 2)}\n`);
  run(npm, ['install', '--prefix', userDir, '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--omit=dev', tarball], { stdio: ['ignore', 'inherit', 'inherit'] });
  fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile());
  fs.copyFileSync(path.join(root, 'examples', 'senml-round-trip.json'), path.join(userDir, 'flows.json'));
}

function startNodeRed() {
  const red = require.resolve('node-red/red.js', { paths: [root] });
  const settings = path.join(userDir, 'settings.js');
  console.log(`demo: starting Node-RED at http://127.0.0.1:${Number(process.env.PORT) || 1880}/ (Ctrl+C to stop)`);
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', settings], { cwd: root, stdio: 'inherit' });
  // Ctrl+C reaches Node-RED too (same process group); a signal sent to this
  // process alone is passed on. Either way, wait for Node-RED to stop.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

const { dir, tarball } = pack();
try {
  console.log(`demo: installing ${path.basename(tarball)} into ${path.relative(root, userDir)}/`);
  prepareUserDir(tarball);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
startNodeRed();
