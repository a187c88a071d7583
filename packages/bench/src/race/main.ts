/**
 * The race alone, for iterating: `pnpm --filter @autodiff/bench race [--quick]`
 * (or `node dist/race/main.js`). Prints the race's Markdown to stdout, progress
 * to stderr; `pnpm bench` runs the same race and writes it into bench/results.md.
 */
import { raceMarkdown } from './report.js';
import { runRace } from './run.js';

const args = process.argv.slice(2);
const unknown = args.find((a) => a !== '--quick');
if (unknown) {
  process.stderr.write(`race: unknown argument '${unknown}'; usage: node dist/race/main.js [--quick]\n`);
  process.exitCode = 2;
} else {
  const results = await runRace(args.includes('--quick') ? 'quick' : 'full', (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(raceMarkdown(results));
  // tfjs-wasm and jax-js keep handles open: the run is over.
  process.exit(0);
}
