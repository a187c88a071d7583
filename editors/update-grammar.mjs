#!/usr/bin/env node
/**
 * Writes the function names and keyword arguments of autodiff.tmLanguage.json from the op
 * table's source forms (packages/ir, SOURCE_FUNCTIONS), the one place the language lists them.
 * Run after `pnpm build` (it reads packages/ir/dist): `node editors/update-grammar.mjs`.
 * A test (packages/tests/src/editor-grammar.test.ts) fails while the grammar is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { SOURCE_FUNCTIONS } = await import(join(here, '../packages/ir/dist/index.js'));
const functions = [...SOURCE_FUNCTIONS.keys()].sort();
const keywords = [...new Set([...SOURCE_FUNCTIONS.values()].flatMap((forms) => forms.flatMap((f) => f.keywords)))].sort();

const path = join(here, 'autodiff.tmLanguage.json');
const before = readFileSync(path, 'utf8');
// Only the two lists change: the rest of the file keeps its layout.
const after = before
  .replace(/("function": \{\s*"match": "\\\\b\()[^)]*(\))/, `$1${functions.join('|')}$2`)
  .replace(/("keywordArgument": \{\s*"match": "\\\\b\()[^)]*(\))/, `$1${keywords.join('|')}$2`);
JSON.parse(after);
if (after === before) console.log('autodiff.tmLanguage.json is up to date');
else {
  writeFileSync(path, after);
  console.log(`autodiff.tmLanguage.json: ${functions.length} functions, keyword arguments ${keywords.join(', ')}`);
}
