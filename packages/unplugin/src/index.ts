/**
 * `@autodiff/unplugin`: import autodiff formula files from a bundler. One implementation
 * (unplugin) for Vite, Rollup, esbuild and webpack:
 *
 * ```ts
 * import { backwardFlat, paramNames } from './loss.ad';        // compiled at build time
 * import * as neuron from './neuron.txt?autodiff';             // any file, with the query
 * ```
 *
 * A file is compiled with `@autodiff/cli`'s `compile` to the JavaScript module `autodiff
 * compile --emit js` writes; a compile error fails the build through the bundler's own error
 * channel, at the file, line and column of the first error, with the full `autodiff` text
 * (`loss.ad:3:18: error[E006]: ...`) as the message. Next to each `*.ad` file the plugin writes
 * `*.ad.d.ts`, the module's declarations (turn off with `dts: false`); `*?autodiff` imports are
 * typed by `@autodiff/unplugin/client`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { compile, type Diagnostic } from '@autodiff/cli';
import { createUnplugin, type UnpluginInstance } from 'unplugin';
import { declarationsOf } from './declarations.js';

export { declarationsOf } from './declarations.js';

/** Options of the plugin (all optional). */
export interface AutodiffPluginOptions {
  /**
   * Write `<file>.ad.d.ts` next to each compiled `*.ad` file (only when its text changes), so
   * TypeScript types `import ... from './loss.ad'`. Default `true`.
   */
  dts?: boolean;
  /**
   * Bindings to export as functions of their own (as `autodiff compile --export NAME`), per
   * file: given the file's absolute path, the names for it (or nothing).
   */
  exports?: (file: string) => readonly string[] | undefined;
}

/** The plugin's name, as bundlers show it. */
export const PLUGIN_NAME = 'autodiff';

/** Whether the plugin compiles this module id: `*.ad` without a query, or any file with the `autodiff` query (`x.txt?autodiff`). */
export function isAutodiffId(id: string): boolean {
  if (id.startsWith('\0')) return false;
  const q = id.indexOf('?');
  if (q < 0) return id.endsWith('.ad');
  return new URLSearchParams(id.slice(q + 1)).has('autodiff');
}

function fileOf(id: string): string {
  const q = id.indexOf('?');
  return q < 0 ? id : id.slice(0, q);
}

/** The bundler-neutral position of a diagnostic: 1-based line, 0-based column (Rollup's and esbuild's convention). */
function locOf(file: string, d: Diagnostic): { file: string; line: number; column: number } {
  return { file, line: d.line, column: d.column - 1 };
}

/** The plugin for every bundler: `autodiff.vite()`, `autodiff.rollup()`, `autodiff.esbuild()`, `autodiff.webpack()`, ... */
export const autodiff: UnpluginInstance<AutodiffPluginOptions | undefined, false> = createUnplugin((options: AutodiffPluginOptions | undefined) => {
  const dts = options?.dts ?? true;
  let root = process.cwd();
  return {
    name: PLUGIN_NAME,
    enforce: 'pre',
    // `load`, not `transform`: Vite would otherwise load `x.txt?autodiff` as an asset URL.
    loadInclude: isAutodiffId,
    async load(id) {
      const file = fileOf(id);
      this.addWatchFile(file);
      const source = await readFile(file, 'utf8');
      const fileName = relative(root, file) || file;
      const exports = options?.exports?.(file);
      const result = compile(source, { fileName, emit: 'js', ...(exports ? { exports } : {}) });
      const first = result.diagnostics.find((d) => d.severity === 'error') ?? result.diagnostics[0];
      if (result.code === undefined) {
        // Rollup and Vite throw here; esbuild collects the error and fails the build after this hook.
        this.error({ id: file, message: result.formatted, ...(first ? { loc: locOf(file, first) } : {}) });
        return '';
      }
      if (first) this.warn({ id: file, message: result.formatted, loc: locOf(file, first) });
      if (dts && wantsDts(id) && !/[\\/]node_modules[\\/]/.test(file)) {
        const ts = compile(source, { fileName, emit: 'ts', ...(exports ? { exports } : {}) });
        if (ts.code !== undefined) await writeIfChanged(`${file}.d.ts`, declarationsOf(ts.code, fileName));
      }
      return { code: result.code, map: null };
    },
    vite: {
      configResolved(config) {
        root = config.root;
      },
    },
    esbuild: { loader: 'js' },
  };
});

/** Only plain `*.ad` files get a `.d.ts` (a query form is typed by `@autodiff/unplugin/client`). */
function wantsDts(id: string): boolean {
  return !id.includes('?') && id.endsWith('.ad');
}

async function writeIfChanged(path: string, text: string): Promise<void> {
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old !== text) await writeFile(path, text);
}

export default autodiff;
