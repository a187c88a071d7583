/**
 * `virtual:datasets`: the repository's examples/data/*.csv as the page needs
 * them. Every file's header and row count are known at build time (to offer
 * the datasets that fit a program without loading them); small files are
 * inlined, large ones (the digits images, hundreds of kilobytes) become
 * separate assets fetched when chosen, so the page's bundle stays small.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'vite';

const ID = 'virtual:datasets';
const RESOLVED = `\0${ID}`;
/** Files up to this size are inlined in the bundle. */
const INLINE_BYTES = 16 * 1024;

export function datasetsPlugin(dataDir: string): Plugin {
  return {
    name: 'autodiff-datasets',
    resolveId: (id) => (id === ID ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      const files = readdirSync(dataDir).filter((f) => f.endsWith('.csv')).sort();
      const imports: string[] = [];
      const entries = files.map((name, i) => {
        const path = join(dataDir, name);
        this.addWatchFile(path);
        const text = readFileSync(path, 'utf8');
        const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
        const columns = (lines[0] ?? '').split(',').map((c) => c.trim());
        const info = { name, columns, rows: Math.max(0, lines.length - 1) };
        if (text.length <= INLINE_BYTES) return `{ ...${JSON.stringify(info)}, text: ${JSON.stringify(text)} }`;
        imports.push(`import url${i} from ${JSON.stringify(`${path}?url`)};`);
        return `{ ...${JSON.stringify(info)}, url: url${i} }`;
      });
      return `${imports.join('\n')}\nexport default [\n${entries.join(',\n')}\n];\n`;
    },
  };
}
