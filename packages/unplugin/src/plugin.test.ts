// The plugin under Vite (the example app built and opened in Chromium; a syntax error failing
// `vite build`; a dev server recompiling on save) and under esbuild, and the types it writes.
import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { build, createServer as createViteServer } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { autodiff } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const app = join(repo, 'examples/vite-app');
const viteBin = join(app, 'node_modules/vite/bin/vite.js');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const CHROMIUM = '/usr/bin/chromium';
const MESSAGE = "error[E006]: expected an expression after '+', found '*'";
const BAD_LINE = 'h = tanh(w1*x1 + * b)'; // the '*' is at column 18

const scratch = mkdtempSync(join(tmpdir(), 'autodiff-unplugin-'));
// Copies of the app live inside it, so their vite.config.ts finds the plugin and vite.
const copies = join(app, 'test-output', `run-${process.pid}`);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  rmSync(copies, { recursive: true, force: true });
});

function copyApp(name: string): string {
  const dir = join(copies, name);
  mkdirSync(dir, { recursive: true });
  for (const entry of ['index.html', 'src', 'vite.config.ts']) cpSync(join(app, entry), join(dir, entry), { recursive: true });
  return dir;
}

function withBadLine3(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines[2] = BAD_LINE;
  writeFileSync(file, lines.join('\n'));
}

async function serve(root: string): Promise<{ url: string; close(): Promise<void> }> {
  const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css' };
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('vite', () => {
  it('builds examples/vite-app, whose page trains the neuron below its target with no console errors', async () => {
    const outDir = join(scratch, 'dist');
    await build({ root: app, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const js = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(js).toContain('<script type="module"');
    // The types written next to the source are the module's declarations (and checked in).
    expect(readFileSync(join(app, 'src/loss.ad.d.ts'), 'utf8')).toContain('export declare function backwardFlat(p: Float64Array, x: Float64Array, grad: Float64Array): number;');

    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run \`apt-get install -y chromium\``);
    const server = await serve(outDir);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      await page.goto(server.url);
      await page.waitForFunction(() => document.querySelector('#target')?.textContent?.includes(':'), undefined, { timeout: 30_000 });
      const target = await page.textContent('#target');
      const final = (await page.textContent('#final')) ?? '';
      expect(target).toBe('target < 0.0001: reached');
      const loss = Number(/final loss: (\S+)/.exec(final)?.[1]);
      expect(loss).toBeLessThan(1e-4);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it('fails `vite build` on a syntax error with loss.ad:3:18 and the message', () => {
    const dir = copyApp('bad');
    withBadLine3(join(dir, 'src/loss.ad'));
    const run = spawnSync(process.execPath, [viteBin, 'build', '--outDir', join(scratch, 'bad-dist')], { cwd: dir, encoding: 'utf8' });
    const output = run.stdout + run.stderr;
    expect(run.status, output).not.toBe(0);
    expect(output).toContain(`loss.ad:3:18: ${MESSAGE}`);
    expect(output).toContain(`3 | ${BAD_LINE}`);
  });

  it('recompiles a changed file in the dev server (what hot reload serves)', async () => {
    const dir = copyApp('dev');
    const file = join(dir, 'src/loss.ad');
    const server = await createViteServer({ root: dir, logLevel: 'silent', server: { port: 0, host: '127.0.0.1' } });
    try {
      await server.listen();
      const first = await server.transformRequest('/src/loss.ad');
      expect(first?.code).toContain('export function backwardFlat');
      expect(first?.code).toContain('"w1", "w2", "b"');
      writeFileSync(file, readFileSync(file, 'utf8').replace('param w1, w2, b', 'param w1, w2, b, c').replace('+ b)', '+ b + c)'));
      // The change is also announced as chokidar would: the watcher may still be scanning
      // when the file is written (server.listen does not wait for it), and then it misses
      // the change; what is under test is what the dev server serves after one.
      server.watcher.emit('change', file);
      let code = '';
      for (let i = 0; i < 600 && !code.includes('"c"'); i++) {
        await new Promise((done) => setTimeout(done, 50));
        code = (await server.transformRequest('/src/loss.ad'))?.code ?? '';
      }
      expect(code).toContain('"w1", "w2", "b", "c"');
      expect(readFileSync(`${file}.d.ts`, 'utf8')).toContain('readonly ["w1", "w2", "b", "c"]');
    } finally {
      await server.close();
    }
  });
});

describe('esbuild', () => {
  const dir = join(scratch, 'esbuild');
  const neuron = readFileSync(join(repo, 'examples/neuron.txt'), 'utf8');

  it('bundles *.ad and *.txt?autodiff imports into working gradient code', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'loss.ad'), neuron);
    writeFileSync(join(dir, 'neuron.txt'), neuron);
    writeFileSync(
      join(dir, 'entry.ts'),
      [
        "import { backwardFlat, paramNames } from './loss.ad';",
        "import { backward } from './neuron.txt?autodiff';",
        'const g = new Float64Array(paramNames.length);',
        'const value = backwardFlat(Float64Array.of(0.5, -1, 0.1), Float64Array.of(1, 2, 0.3), g);',
        'const named = backward({ w1: 0.5, w2: -1, b: 0.1 }, { x1: 1, x2: 2, y: 0.3 });',
        'export const result = { value, grad: [...g], named };',
      ].join('\n'),
    );
    const out = await esbuild.build({ entryPoints: [join(dir, 'entry.ts')], bundle: true, write: false, format: 'esm', logLevel: 'silent', plugins: [autodiff.esbuild()] });
    const code = out.outputFiles[0]!.text;
    expect(code).toContain('function backwardFlat');
    const { result } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    // The README's numbers for this point.
    expect(result.value).toBeCloseTo(1.4050585298958205, 14);
    expect(result.grad[0]).toBeCloseTo(-0.5124333471377852, 14);
    expect(result.named.grad.w2).toBeCloseTo(-1.0248666942755704, 14);
    expect(existsSync(join(dir, 'loss.ad.d.ts'))).toBe(true);
    expect(existsSync(join(dir, 'neuron.txt.d.ts'))).toBe(false);
  });

  it('fails the build with the error at loss.ad line 3, column 18', async () => {
    const bad = join(scratch, 'esbuild-bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'loss.ad'), neuron);
    withBadLine3(join(bad, 'loss.ad'));
    writeFileSync(join(bad, 'entry.js'), "export { backwardFlat } from './loss.ad';\n");
    const error = await esbuild
      .build({ entryPoints: [join(bad, 'entry.js')], bundle: true, write: false, logLevel: 'silent', plugins: [autodiff.esbuild()] })
      .then(() => undefined, (e: esbuild.BuildFailure) => e);
    expect(error?.errors).toHaveLength(1);
    const [first] = error!.errors;
    expect(first!.text).toContain(`loss.ad:3:18: ${MESSAGE}`);
    expect(first!.location).toMatchObject({ line: 3, column: 17 }); // esbuild's columns are 0-based
    expect(first!.location!.file).toMatch(/esbuild-bad[\\/]loss\.ad$/);
  });
  it('passes warnings on as esbuild warnings', async () => {
    const warn = join(scratch, 'esbuild-warn');
    mkdirSync(warn, { recursive: true });
    writeFileSync(join(warn, 'loss.ad'), 'param w, v\ninput x\nunused = v*2\nloss = (w*x - 1)^2\n');
    writeFileSync(join(warn, 'entry.js'), "export * from './loss.ad';\n");
    const out = await esbuild.build({ entryPoints: [join(warn, 'entry.js')], bundle: true, write: false, logLevel: 'silent', plugins: [autodiff.esbuild({ dts: false })] });
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]!.text).toMatch(/loss\.ad:3:1: warning\[W201\]: 'unused'/);
    expect(out.warnings[0]!.location).toMatchObject({ line: 3, column: 0 });
    expect(existsSync(join(warn, 'loss.ad.d.ts'))).toBe(false);
  });
});

describe('types', () => {
  // After the esbuild tests: esbuild/loss.ad.d.ts exists.
  function typecheck(source: string): { status: number | null; output: string } {
    const dir = join(scratch, 'esbuild');
    writeFileSync(join(dir, 'consumer.ts'), `/// <reference path="${join(here, '../client.d.ts')}" />\n${source}\n`);
    const run = spawnSync(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--noUncheckedIndexedAccess', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', '', join(dir, 'consumer.ts')],
      { encoding: 'utf8' },
    );
    return { status: run.status, output: run.stdout + run.stderr };
  }

  it('a consumer of the generated loss.ad.d.ts and of a *?autodiff import typechecks', () => {
    const ok = typecheck(
      [
        "import { backward, backwardFlat, paramNames, type Params } from './loss.ad';",
        "import * as other from './neuron.txt?autodiff';",
        "const first: 'w1' = paramNames[0];",
        'const g = new Float64Array(paramNames.length);',
        'const v: number = backwardFlat(new Float64Array(3), new Float64Array(3), g);',
        'const r: { value: number; grad: Params } = backward({ w1: 1, w2: 2, b: 3 }, { x1: 1, x2: 2, y: 0 });',
        'const n: number = other.forwardFlat(new Float64Array(3), new Float64Array(3));',
        'export { first, v, r, n };',
      ].join('\n'),
    );
    expect(ok.output).toBe('');
    expect(ok.status).toBe(0);
  });

  it('a wrong use of the module is a type error', () => {
    const bad = typecheck(
      [
        "import { backward, backwardFlat } from './loss.ad';",
        'backwardFlat(new Float64Array(3));',
        'backward({ w1: 1, w2: 2 }, { x1: 1, x2: 2, y: 0 });',
      ].join('\n'),
    );
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('consumer.ts(3,1): error TS2554: Expected 3 arguments, but got 1.');
    expect(bad.output).toContain(`consumer.ts(4,10): error TS2741: Property '"b"' is missing`);
  });
});
