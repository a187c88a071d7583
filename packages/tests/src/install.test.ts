/**
 * The package a user installs (issue 13): `pnpm pack` in packages/cli writes one tarball with
 * no dependencies; in a folder outside the repository, with nothing but that tarball and npm
 * (offline: nothing is fetched), `npm i` installs it, `npx autodiff` runs, and a Node program
 * and a TypeScript program import the compile API from '@autodiff/cli'.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autodiff, REPO, tempDir } from './cli.js';

const PACKAGE = join(REPO, 'packages/cli');
const VERSION = (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }).version;

/** The environment without what a parent pnpm or npm passes down (npm_config_* would configure the npm run here). */
function cleanEnv(cache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm|pnpm)_/i.test(k)));
  return {
    ...env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', COREPACK_INTEGRITY_KEYS: '0',
    npm_config_cache: cache, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
  };
}

describe('the packed @autodiff/cli', () => {
  it('installs from its tarball alone and gives the autodiff command and the compile API', () => {
    const dir = tempDir();
    expect(dir.startsWith(REPO)).toBe(false);
    const env = cleanEnv(join(dir, 'npm-cache'));
    const run = (command: string, args: string[], cwd: string) => {
      const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `${command} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };

    // The tarball: the bundles, their types, the license and the README; no dependencies at all.
    const packs = join(dir, 'packs');
    run('pnpm', ['pack', '--pack-destination', packs], PACKAGE);
    const tarballs = readdirSync(packs);
    expect(tarballs).toEqual([`autodiff-cli-${VERSION}.tgz`]);
    const tarball = join(packs, tarballs[0]!);
    expect(run('tar', ['-tzf', tarball], dir).trim().split('\n').sort()).toEqual([
      'package/LICENSE', 'package/README.md', 'package/dist/api.d.ts', 'package/dist/api.mjs', 'package/dist/autodiff.mjs', 'package/package.json',
    ]);
    const manifest = JSON.parse(run('tar', ['-xzOf', tarball, 'package/package.json'], dir)) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.peerDependencies).toBeUndefined();
    expect(manifest.private).toBeUndefined();
    expect(manifest).toMatchObject({ name: '@autodiff/cli', license: 'MIT', engines: { node: '>=20' }, bin: { autodiff: './dist/autodiff.mjs' } });
    expect(Object.keys((manifest.exports as Record<string, Record<string, string>>)['.']!)[0]).toBe('types');
    expect(JSON.stringify(manifest)).not.toMatch(/workspace:/);

    // A new project: npm i the tarball (offline; there is nothing else to fetch).
    const app = join(dir, 'app');
    mkdirSync(app);
    run('npm', ['init', '-y'], app);
    run('npm', ['install', tarball], app);
    expect(readdirSync(join(app, 'node_modules')).filter((f) => !f.startsWith('.'))).toEqual(['@autodiff']);
    expect(readdirSync(join(app, 'node_modules/@autodiff'))).toEqual(['cli']);

    // The command.
    expect(run('npx', ['autodiff', '--version'], app)).toBe(`autodiff ${VERSION}\n`);
    writeFileSync(join(app, 'loss.ad'), readFileSync(join(REPO, 'examples/neuron.txt'), 'utf8'));
    run('npx', ['autodiff', 'compile', 'loss.ad', '-o', 'loss.ts'], app);
    expect(readFileSync(join(app, 'loss.ts'), 'utf8')).toBe(autodiff(['compile', 'loss.ad'], { cwd: app }).stdout);

    // The API from Node: load() a formula and take its gradient; compile() and its diagnostics; ad``.
    writeFileSync(join(app, 'use.mjs'), [
      "import { ad, compile, CompileError, load } from '@autodiff/cli';",
      "import { readFileSync } from 'node:fs';",
      "const f = load(readFileSync('loss.ad', 'utf8'), { fileName: 'loss.ad' });",
      'const neuron = f.backward({ w1: 0.5, w2: -1, b: 0.1 }, { x1: 1, x2: 2, y: 0.3 });',
      "const bad = compile('param w\\nw +* 2', { fileName: 'bad.ad' });",
      'let thrown;',
      "try { load('(w') } catch (e) { thrown = e instanceof CompileError && e.diagnostics[0].code; }",
      'const tagged = ad`param w\\ninput x\\nloss = (w*x - ${1})^2`.backward({ w: 3 }, { x: 2 });',
      "const same = compile(readFileSync('loss.ad', 'utf8'), { fileName: 'loss.ad' }).code === readFileSync('loss.ts', 'utf8');",
      'console.log(JSON.stringify({ neuron, bad: bad.diagnostics[0], formatted: bad.formatted, thrown, tagged, same }));',
    ].join('\n'));
    const used = JSON.parse(run('node', ['use.mjs'], app)) as Record<string, unknown>;
    expect(used.neuron).toEqual({ value: 1.4050585298958205, grad: { w1: -0.5124333471377852, w2: -1.0248666942755704, b: -0.5124333471377852 } });
    expect(used.bad).toMatchObject({ code: 'E006', severity: 'error', line: 2, column: 4, length: 1 });
    expect(used.formatted).toBe("bad.ad:2:4: error[E006]: expected an expression after '+', found '*'\n  2 | w +* 2\n    |    ^");
    expect(used.thrown).toBe('E004');
    expect(used.tagged).toEqual({ value: 25, grad: { w: 20 } });
    expect(used.same).toBe(true);

    // The API from TypeScript (strict, NodeNext): its declarations come with the package and need nothing else.
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], strict: true, noEmit: true, types: [], skipLibCheck: false },
      files: ['use.mts'],
    }));
    writeFileSync(join(app, 'use.mts'), [
      "import { ad, compile, CompileError, load, type CompiledFunctions, type CompileResult, type Diagnostic } from '@autodiff/cli';",
      "const result: CompileResult = compile('param w\\nw^2', { fileName: 'w.ad', emit: 'js', exports: [] });",
      'const first: Diagnostic | undefined = result.diagnostics[0];',
      'const line: number | undefined = first?.line;',
      "const f: CompiledFunctions = load('param w\\nw^2');",
      'const value: number = f.backward({ w: 3 }).value;',
      'const g: number = ad`param w\\nw^${2}`.backwardFlat(Float64Array.of(3), new Float64Array(0), new Float64Array(1));',
      'const e: readonly Diagnostic[] = new CompileError([], \'\').diagnostics;',
      "// @ts-expect-error: emit is 'ts', 'js' or 'ir'",
      "compile('x', { emit: 'py' });",
      "// @ts-expect-error: interpolations are numbers",
      "ad`param w\\nw * ${'2'}`;",
      'export { line, value, g, e };',
    ].join('\n'));
    run(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app);
  });
});
