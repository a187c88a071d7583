/**
 * Source text can never become code. Thousands of random sources, built from
 * valid programs with random comments and white space (every JavaScript line
 * terminator, `*\/`, `</script>`, quotes, backticks, `${`, bidirectional
 * overrides, lone surrogates), compile to modules whose JavaScript tokens,
 * read by TypeScript's own scanner, are exactly those of the same program
 * written plainly: comments and white space in the source reach the module
 * only inside its comments. Importing each module in a fresh node:vm context
 * has no effect but its exports. The seed is printed when a case fails.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileSource, emitModule } from '@autodiff/compiler';
import { seededRandom } from '@autodiff/runtime';
import type * as TS from 'typescript5';
import { describe, expect, it } from 'vitest';
import { autodiff, tempDir, writeTemp } from './cli.js';

// TypeScript 5's scanner: version 7 (the project's compiler) has no JavaScript API.
const ts = createRequire(import.meta.url)('typescript5') as typeof TS;
const dir = tempDir();

/** Valid programs, one statement per line. */
const PROGRAMS = [
  'param w1, w2, b\ninput x1, x2, y\nh = tanh(w1*x1 + w2*x2 + b)\nloss = (h - y)^2',
  'param x, y\n(1 - x)^2 + 100*(y - x^2)^2',
  'input a\nz = sigmoid(p * a) + softplus(-q) * gelu(p)\nw = max(z, min(p, q)) ** 2\nw / (1 + abs(q))',
  'param new, constructor, __proto__\nt = log1p(new^2) + exp(-constructor) - sqrt(__proto__^2 + 1)\nt * pi',
  'param a\nb = pow(a, 3) - relu(a - 1.5e-3)\nc = asin(0.5 * tanh(b)) + atan(b) / cosh(a)\nc + sin(b) * cos(c) + .5',
];

const TOKEN = /[A-Za-z_]\w*|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|\*\*|[-+*/^(),=;]/g;

/** Characters that end a JavaScript line comment, open or close another, or start a string. */
const HOSTILE = ['\u2028', '\u2029', '\u0085', '\u000b', '\u000c', '*/', '/*', '//', '</script>', '<!--', '-->', "'", '"', '`', '${', '}',
  '\\', '\\u2028', '\u202e', '\u2066', '\u00a0', '\ufeff', '\u0000', '\u001b[2J', '\ud800', '\udc00', '\ud83d\ude00', 'console.log("x")'];
const LINE_ENDS = ['\n', '\r\n', '\r'];
const SPACE = [' ', '\t', '  ', '\ufeff'];

interface Variant {
  source: string;
  canonical: string;
  /** Set when a line terminator other than \n, \r\n and \r was put outside a comment: that must be an error. */
  stray?: number;
}

function randomVariant(random: () => number, canonical: string): Variant {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const comment = () => {
    let text = '#';
    const n = Math.floor(random() * 6);
    for (let i = 0; i < n; i++) text += random() < 0.6 ? pick(HOSTILE) : pick(['x', ' ', 'end', '#', ';', 'a = 1']);
    return text;
  };
  const space = () => (random() < 0.5 ? '' : pick(SPACE));
  let source = random() < 0.2 ? '\ufeff' : '';
  let stray: number | undefined;
  for (const line of canonical.split('\n')) {
    if (random() < 0.3) source += `${space()}${comment()}${pick(LINE_ENDS)}`; // a comment line
    let depth = 0;
    let previous = '';
    for (const token of line.match(TOKEN)!) {
      const words = /\w$/.test(previous) && /^[\w.]/.test(token); // two names or numbers need white space between them
      source += words ? pick(SPACE) : space();
      previous = token;
      if (depth > 0 && random() < 0.15) source += `${random() < 0.5 ? comment() : ''}${pick(LINE_ENDS)}${space()}`;
      if (stray === undefined && random() < 0.002) {
        stray = source.length;
        source += pick(['\u2028', '\u2029', '\u0085']);
      }
      source += token;
      if (token === '(') depth++;
      if (token === ')') depth--;
    }
    source += random() < 0.15 ? `${space()};` : `${space()}${random() < 0.5 ? comment() : ''}${pick(LINE_ENDS)}`;
  }
  return { source, canonical, ...(stray === undefined ? {} : { stray }) };
}

/** The module's tokens, comments and white space left out; fails on anything the scanner finds wrong. */
function codeTokens(module: string): string[] {
  const errors: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, module, (message) => errors.push(message.key));
  const trivia = new Set([ts.SyntaxKind.SingleLineCommentTrivia, ts.SyntaxKind.MultiLineCommentTrivia, ts.SyntaxKind.NewLineTrivia,
    ts.SyntaxKind.WhitespaceTrivia, ts.SyntaxKind.ShebangTrivia, ts.SyntaxKind.ConflictMarkerTrivia]);
  const tokens: string[] = [];
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.MultiLineCommentTrivia && !/^\/\*\*? [^\n]*\*\/$/.test(scanner.getTokenText())) {
      tokens.push(`<block comment ${scanner.getTokenText()}>`); // the generator writes only one-line doc comments
    }
    if (!trivia.has(kind)) tokens.push(scanner.getTokenText());
  }
  expect(errors, 'the TypeScript scanner reports no error').toEqual([]);
  return tokens;
}

const COUNT = 2000;
const seed = Number(process.env.AUTODIFF_INJECTION_SEED ?? Date.now() % 1_000_000);

describe('source text never becomes code', () => {
  it(`${COUNT} random sources with hostile comments and white space: only the generator's tokens (seed ${seed})`, () => {
    const random = seededRandom(seed);
    const plain = new Map<string, { ts: string[]; js: string[] }>();
    for (const canonical of PROGRAMS) {
      const compiled = compileSource(canonical);
      expect(compiled.diagnostics.filter((d) => d.severity === 'error'), canonical).toEqual([]);
      plain.set(canonical, {
        ts: codeTokens(emitModule(compiled.ir!, { language: 'ts', sourceName: 'plain.txt', source: canonical })),
        js: codeTokens(emitModule(compiled.ir!, { language: 'js', sourceName: 'plain.txt', source: canonical })),
      });
    }
    const forVm: { text: string; params: number; inputs: number }[] = [];
    let strays = 0;
    for (let n = 0; n < COUNT; n++) {
      const variant = randomVariant(random, PROGRAMS[n % PROGRAMS.length]!);
      const context = `seed ${seed}, case ${n}: ${JSON.stringify(variant.source)}`;
      const compiled = compileSource(variant.source);
      const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
      if (variant.stray !== undefined) {
        // A line separator outside a comment is an illegal character, reported where it is.
        expect(errors.map((d) => [d.code, d.span.start]), context).toContainEqual(['E001', variant.stray]);
        strays++;
        continue;
      }
      expect(errors, context).toEqual([]);
      const sourceName = `f${variant.source.slice(0, 12)}.txt`; // a hostile file name too
      const expected = plain.get(variant.canonical)!;
      // TypeScript and JavaScript in turn (their headers are the same text).
      const language = n % 2 === 0 ? 'ts' : 'js';
      const module = emitModule(compiled.ir!, { language, sourceName, source: variant.source });
      expect(codeTokens(module), `${language}, ${context}`).toEqual(expected[language]);
      if (language === 'js') forVm.push({ text: module, params: compiled.checked!.params.length, inputs: compiled.checked!.inputs.length });
    }
    expect(strays).toBeGreaterThan(0);
    expect(forVm.length).toBeGreaterThan(COUNT * 0.4);

    // Importing each module does nothing but define its exports.
    const batch = join(dir, 'modules.json');
    writeFileSync(batch, JSON.stringify(forVm));
    const script = join(import.meta.dirname, 'fixtures/import-in-vm.mjs');
    const run = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', script, batch], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { effects: string[]; exports: string[] }[];
    expect(results).toHaveLength(forVm.length);
    const exports = ['backward', 'backwardFlat', 'forward', 'forwardFlat', 'inputNames', 'paramNames'];
    results.forEach((r, i) => {
      expect(r.effects, `module ${i}`).toEqual([]);
      expect(r.exports, `module ${i}`).toEqual(exports);
    });
  });

  it("the issue's examples: a comment ended by \\r, a \\r inside parentheses, a file name with a newline", async () => {
    const cases = [
      ['clean.txt', 'param w\nloss = w^2 # note\r; console.log("INJECTED at import time")\n'],
      ['paren.txt', 'param a, b, c\nz = (a\n+\r b\n)*c\n'],
      ['u2028.txt', 'param w\nloss = w^2 # note\u2028; console.log("INJECTED at import time")\n'],
      ['new\nline*\u2028.txt', 'param w\nw^2\n'],
    ];
    for (const [name, text] of cases) {
      const source = writeTemp(dir, name!, text!);
      const out = join(dir, `${name!.replace(/\W/g, '_')}.mjs`);
      const run = autodiff(['compile', source, '--emit', 'js', '-o', out]);
      if (name === 'clean.txt') {
        // A lone \r ends the line (as in JavaScript): the rest is a statement, with illegal characters.
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/clean\.txt:3:10: error\[E001\]/);
        continue;
      }
      expect(run.status, run.stderr).toBe(0);
      const module = readFileSync(out, 'utf8');
      expect(module).toMatch(/^[\n\x20-\x7e]*$/);
      const imported = await import(`${out}?${Date.now()}`) as { forwardFlat: (p: Float64Array) => number };
      expect(typeof imported.forwardFlat).toBe('function');
    }
  });
});
