/**
 * `pnpm bench [--quick]`: every measurement in one process (the race's start-up and heap
 * measurements in child processes of their own), then the tables on
 * stdout and in bench/results.md (and bench/results.json, every number, kept out of git) at the repository root.
 * Progress goes to stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWorkload, type WorkloadResult } from './compare.js';
import { loadTfjs } from './competitors/tfjs.js';
import { compareFit } from './fit.js';
import { removeImportedModules } from './generated.js';
import type { Settings } from './harness.js';
import { toMarkdown, type Results } from './report.js';
import { runRace } from './race/run.js';
import { measureScaling, type ScalingSettings } from './scaling.js';
import { measureSwell } from './swell.js';
import { evaluateTargets } from './targets.js';
import { runTensorWorkload, TENSOR_WORKLOADS, type TensorResult } from './tensor-workloads.js';
import { workloads } from './workloads.js';

const MODES: Record<'quick' | 'full', { timing: Settings; scaling: ScalingSettings }> = {
  quick: { timing: { rounds: 3, timeMs: 40, warmupMs: 20 }, scaling: { rounds: 1, timeMs: 100, largeFrom: 10_000 } },
  full: { timing: { rounds: 5, timeMs: 250, warmupMs: 100 }, scaling: { rounds: 3, timeMs: 200, largeFrom: 100_000 } },
};

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(packageDir, '../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

function versions(): Record<string, string> {
  const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const installed = (name: string) => (JSON.parse(readFileSync(join(packageDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return Object.fromEntries(Object.keys(manifest.dependencies).filter((d) => !d.startsWith('@autodiff/')).map((d) => [d, installed(d)]));
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== '--quick');
  if (unknown.length > 0) {
    log(`bench: unknown argument '${unknown[0]}'; usage: pnpm bench [--quick]`);
    return 2;
  }
  const mode = args.includes('--quick') ? 'quick' : 'full';
  const settings = MODES[mode];
  const started = performance.now();
  const loadBefore = loadavg();
  const date = new Date().toISOString();
  log(`autodiff bench (${mode})`);

  const tf = await loadTfjs();
  const results: WorkloadResult[] = [];
  for (const w of workloads()) {
    log(`- ${w.title}`);
    results.push(await runWorkload(w, tf, settings.timing, log));
  }
  const tensors: TensorResult[] = [];
  for (const w of TENSOR_WORKLOADS) {
    log(`- ${w.title}`);
    tensors.push(runTensorWorkload(w, settings.timing, log));
  }
  removeImportedModules();
  log('- compile time and code size');
  const scaling = measureScaling(settings.scaling, log);
  log('- expression swell');
  const swell = measureSwell();
  log('- XOR fit');
  let fit: Results['fit'];
  try {
    fit = compareFit(repoRoot, settings.timing);
  } catch (e) {
    fit = { error: e instanceof Error ? e.message : String(e) };
  }
  // Last: it switches tfjs between backends and loads jax-js.
  const race = await runRace(mode, log);

  const report: Results = {
    mode,
    machine: {
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      date,
      loadBefore,
      loadAfter: loadavg(),
    },
    versions: versions(),
    settings,
    seconds: (performance.now() - started) / 1000,
    targets: evaluateTargets(results, scaling, swell, tensors),
    workloads: results,
    tensors,
    scaling,
    swell,
    fit,
    race,
  };
  const markdown = toMarkdown(report);
  const out = join(repoRoot, 'bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'results.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(out, 'results.md'), markdown);
  process.stdout.write(markdown);
  log(`wrote ${join(out, 'results.md')} and results.json (${report.seconds.toFixed(1)} s)`);
  return 0;
}

// process.exit: tfjs-wasm and jax-js keep handles open once the work is done.
process.exit(await main(process.argv.slice(2)));
