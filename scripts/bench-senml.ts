/**
 * The SenML codec benchmark alone: `node --expose-gc dist/scripts/bench-senml.js`
 * (`npm run bench` runs it first, then the other benchmarks).
 *
 *   --semi-space=16,32,64   the --max-semi-space-size values (MB) the 100 000-record
 *                           decode cells are measured again under (the default)
 *   --no-semi-space         skip those runs
 *
 * With --semi-space-child it is one of those runs, started by the benchmark itself.
 */
import { runSemiSpaceChild, runSenmlBenchmark } from './bench/senml';

const args = process.argv.slice(2);
if (args.includes('--semi-space-child')) runSemiSpaceChild();
else runSenmlBenchmark(args);
