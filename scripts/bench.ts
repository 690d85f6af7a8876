/**
 * The benchmarks: `npm run bench`.
 *
 * First the SenML codec benchmark (scripts/bench/senml.ts, also runnable alone as
 * scripts/bench-senml.ts): decode + resolve and encode + compact on two pack
 * shapes, each cell timing our code, the bare parse and the floor (a minimal
 * resolver) in the same run, with the goals beside the ratios, then the
 * 100 000-record decode cells again under --max-semi-space-size; results are also
 * written to bench-results/ as JSON. Arguments are passed on to it (see
 * scripts/bench-senml.ts).
 *
 * It reports and always exits 0 when it ran; it is not a test.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { runSenmlBenchmark } from './bench/senml';

function main(): void {
  runSenmlBenchmark(process.argv.slice(2));
}

main();

// Then the consent benchmark (scripts/bench-consent.ts), the devices benchmark
// (scripts/bench-devices.ts: lora decode and serial sensor, the latter on a socat pty) and the
// federation benchmark (scripts/bench-federation.ts), each in a process of its own; the last
// starts and stops the local Prosody federation. Each exits non-zero when it could not run.
// Then the SensorThings benchmark (scripts/bench-sensorthings.ts), on the local FROST-Server,
// started and stopped there; it exits 0 when FROST cannot start (it says why), non-zero when a
// run failed.
console.log('');
const consentStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-consent.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const devicesStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-devices.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const federationStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-federation.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const sensorthingsStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-sensorthings.js')], {
    stdio: 'inherit',
  }).status ?? 1;
process.exitCode = consentStatus || devicesStatus || federationStatus || sensorthingsStatus;
