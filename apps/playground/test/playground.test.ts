/**
 * Browser tests of the built playground (apps/playground/dist, built by the
 * root `pnpm test`'s `turbo run build`; these tests build nothing), served on
 * 127.0.0.1 and driven in Debian's Chromium. Each test saves a screenshot in
 * apps/playground/test-output/; with UPDATE_SCREENSHOT=1 the neuron one also
 * replaces docs/playground.png and the trained two-moons one
 * docs/playground-moons.png (the READMEs' pictures), so a plain test run
 * leaves the checked-in tree unchanged.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileSource, emitModule } from '@autodiff/compiler';
import { outputsOf, topoOrder, valueOf, type Program, type Node } from '@autodiff/ir';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.js';
import { serveStatic, type StaticServer } from './static-server.js';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO = resolve(APP, '../..');
const DIST = join(APP, 'dist');
const OUTPUT = join(APP, 'test-output');
const CLI = join(REPO, 'packages/cli/dist/autodiff.mjs');
const example = (name: string) => readFileSync(join(REPO, 'examples', name), 'utf8');

let server: StaticServer;
let browser: Browser;
let page: Page;
let problems: string[] = [];
/** Why the browser could not start: every test fails with it (a missing browser must not look like a skip). */
let setupError: Error | undefined;

beforeAll(async () => {
  try {
    if (!existsSync(join(DIST, 'index.html'))) {
      throw new Error(`${DIST}/index.html is missing: build the playground first (\`pnpm build\` at the repository root)`);
    }
    mkdirSync(OUTPUT, { recursive: true });
    server = await serveStatic(DIST);
    browser = await launchChromium();
  } catch (error) {
    setupError = error instanceof Error ? error : new Error(String(error));
  }
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * A fresh page on the app (at `hash`, a share link's `#src=...`, if given), once its first compilation
 * is in (`state`); console errors and uncaught exceptions are collected.
 */
async function open(hash = '', state: 'ok' | 'errors' = 'ok'): Promise<Page> {
  if (setupError) throw setupError;
  problems = [];
  const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await p.goto(server.url + hash);
  await p.waitForSelector(`[data-testid=compile-status][data-state=${state}]`);
  return p;
}

/** Waits until the values shown are an evaluation of the compilation the page shows. */
async function waitForEvaluation(p: Page): Promise<void> {
  await p.waitForFunction(() => {
    const id = document.querySelector<HTMLElement>('[data-testid=compile-status]')?.dataset.compileId;
    return id !== undefined && document.querySelector<HTMLElement>('[data-testid=values]')?.dataset.evaluatedCompile === id;
  });
}

/** Replaces the editor's text and waits until the page shows its compilation. */
async function typeProgram(p: Page, source: string): Promise<void> {
  const before = await compileId(p);
  await p.click('.cm-content');
  await p.keyboard.press('Control+A');
  await p.keyboard.insertText(source);
  await p.waitForFunction((prev) => {
    const el = document.querySelector<HTMLElement>('[data-testid=compile-status]');
    return el?.dataset.state === 'ok' && Number(el.dataset.compileId) > prev;
  }, before);
}

afterEach(async () => {
  await page?.close();
  expect(problems).toEqual([]);
});

const compileId = (p: Page) => p.getAttribute('[data-testid=compile-status]', 'data-compile-id').then(Number);

/** Picks an example and waits until the page shows its compilation. */
async function chooseExample(p: Page, id: string): Promise<void> {
  const before = await compileId(p);
  await p.selectOption('[data-testid=examples-menu]', id);
  await p.waitForFunction((prev) => {
    const el = document.querySelector<HTMLElement>('[data-testid=compile-status]');
    return el?.dataset.state === 'ok' && Number(el.dataset.compileId) > prev;
  }, before);
}

/** The program the page shows, read back from its share link. */
async function sharedSource(p: Page): Promise<string> {
  const hash = await p.evaluate(() => window.location.hash);
  const encoded = new URLSearchParams(hash.slice(1)).get('src') ?? '';
  return Buffer.from(encoded, 'base64url').toString('utf8');
}

const shot = async (p: Page, name: string) => {
  const path = join(OUTPUT, `${name}.png`);
  await p.screenshot({ path });
  return path;
};

function relativeError(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

describe('playground (built app in Chromium)', () => {
  it('shows the same value and gradient for the neuron as `autodiff eval --json`', async () => {
    page = await open();
    await chooseExample(page, 'neuron');
    expect(await sharedSource(page)).toBe(example('neuron.txt'));

    const point = { w1: 0.37, w2: -1.25, b: 0.1, x1: 1.5, x2: -0.5, y: 0.8 };
    for (const [name, v] of Object.entries(point)) await page.fill(`[data-testid=value-input-${name}]`, String(v));
    const expectedPoint = JSON.stringify([[point.w1, point.w2, point.b], [point.x1, point.x2, point.y]]);
    await page.waitForSelector(`[data-testid=values][data-evaluated-point='${expectedPoint}']`);

    const at = Object.entries(point).map(([k, v]) => `${k}=${v}`).join(',');
    const cli = JSON.parse(execFileSync('node', [CLI, 'eval', join(REPO, 'examples/neuron.txt'), '--at', at, '--json'], { encoding: 'utf8' })) as {
      value: number;
      gradient: Record<string, number>;
    };
    const shown = async (testId: string) => Number(await page.getAttribute(`[data-testid=${testId}]`, 'data-value'));
    expect(relativeError(await shown('output-value'), cli.value)).toBeLessThan(1e-9);
    expect(Object.keys(cli.gradient)).toEqual(['w1', 'w2', 'b']);
    for (const [name, g] of Object.entries(cli.gradient)) {
      expect(relativeError(await shown(`gradient-${name}`), g), name).toBeLessThan(1e-9);
    }
    expect(await page.getAttribute('[data-testid=agreement-badge]', 'data-ok')).toBe('true');

    await page.waitForSelector('[data-testid=graph][data-current=true] [data-testid=graph-node]');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const picture = await shot(page, 'neuron-values-and-graph');
    if (process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(REPO, 'docs'), { recursive: true });
      copyFileSync(picture, join(REPO, 'docs/playground.png'));
    }
    await page.click('[data-testid=tab-math]');
    await page.waitForSelector('[data-testid=math-partial]');
    await shot(page, 'neuron-derivatives');
    await page.click('[data-testid=tab-code]');
    await page.waitForSelector('[data-testid=generated-code] .cm-line');
    await shot(page, 'neuron-code');
  });

  it('marks a syntax error on its line while typing, and clears it once fixed', async () => {
    page = await open();
    await chooseExample(page, 'neuron');
    const good = example('neuron.txt');
    const goodLine = 'h = tanh(w1*x1 + w2*x2 + b)';
    const badLine = 'h = tanh(w1*x1 + * b)';
    const lineNumber = good.split('\n').indexOf(goodLine) + 1;
    expect(lineNumber).toBeGreaterThan(0);

    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(good.replace(goodLine, badLine));
    const diagnostic = page.locator('[data-testid=diagnostic][data-severity=error]');
    await diagnostic.first().waitFor();
    expect(await diagnostic.count()).toBe(1);
    expect(await diagnostic.getAttribute('data-line')).toBe(String(lineNumber));
    expect(await diagnostic.getAttribute('data-column')).toBe('18');
    expect(await diagnostic.textContent()).toContain("expected an expression after '+', found '*'");
    // The squiggle sits under the fault, and hovering it shows the message.
    await page.hover('.cm-lintRange-error');
    await page.waitForSelector('.cm-tooltip-lint');
    expect(await page.textContent('.cm-tooltip-lint')).toContain("found '*'");
    await shot(page, 'syntax-error');

    // Fix it by retyping the line.
    await page.locator('.cm-line', { hasText: badLine }).click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type(goodLine);
    await page.waitForSelector('[data-testid=compile-status][data-state=ok]');
    expect(await page.locator('[data-testid=diagnostic]').count()).toBe(0);
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(await sharedSource(page)).toBe(good);
    await shot(page, 'syntax-error-fixed');
  });

  it('trains the XOR network until the loss is below the example\'s target', async () => {
    const source = example('xor.txt');
    const target = Number(/target:\s*mean loss\s*<\s*([-+0-9.eE]+)/.exec(source)?.[1] ?? 0.01);
    page = await open();
    await chooseExample(page, 'xor');
    await page.click('[data-testid=tab-train]');
    const before = await page.inputValue('[data-testid=value-input-w11]');
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => {
      const status = document.querySelector<HTMLElement>('[data-testid=train-status]')?.dataset.status;
      return status !== undefined && status !== 'running';
    }, undefined, { timeout: 60_000 });
    expect(['steps', 'until']).toContain(await page.getAttribute('[data-testid=train-status]', 'data-status'));
    const loss = Number(await page.getAttribute('[data-testid=train-loss]', 'data-value'));
    expect(loss).toBeLessThan(target);
    // The params shown under Values are the trained ones.
    expect(await page.inputValue('[data-testid=value-input-w11]')).not.toBe(before);
    await shot(page, 'xor-training');
  });

  it('draws one graph node per IR node, and hovering one marks its source', async () => {
    page = await open();
    for (const [id, source] of [['neuron', example('neuron.txt')], ['typed', 'param x, y\nu = sin(x) * y\nv = u*u + 3*u\nv / 2\n']] as const) {
      if (id === 'typed') {
        const before = await compileId(page);
        await page.click('.cm-content');
        await page.keyboard.press('Control+A');
        await page.keyboard.insertText(source);
        await page.waitForFunction((prev) => {
          const el = document.querySelector<HTMLElement>('[data-testid=compile-status]');
          return el?.dataset.state === 'ok' && Number(el.dataset.compileId) > prev;
        }, before);
      } else {
        await chooseExample(page, id);
      }
      const ir = compileSource(source).ir!;
      const expected = expectedGraphNodes(ir);
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=graph][data-current=true] [data-testid=graph-node]').length === n,
        expected.length,
      );
      const ids = await page.$$eval('[data-testid=graph-node]', (els) => els.map((e) => Number(e.getAttribute('data-node-id'))));
      expect(ids.sort((a, b) => a - b)).toEqual(expected.map((n) => n.id).sort((a, b) => a - b));
      // Forward and gradient nodes are told apart.
      const gradientIds = await page.$$eval('[data-testid=graph-node][data-kind=gradient]', (els) => els.map((e) => Number(e.getAttribute('data-node-id'))));
      const forward = new Set(topoOrder([valueOf(ir)]));
      expect(gradientIds.sort((a, b) => a - b)).toEqual(expected.filter((n) => !forward.has(n) && n.op !== 'const' && n.op !== 'param' && n.op !== 'input').map((n) => n.id).sort((a, b) => a - b));
      await shot(page, `graph-${id}`);
    }

    // The address is a share link: opened in a new tab, it shows the same program.
    const link = page.url();
    expect(link).toContain('#src=');
    const copy = await browser.newPage();
    copy.on('pageerror', (e) => problems.push(`page error (shared link): ${e.message}`));
    await copy.goto(link);
    await copy.waitForSelector('[data-testid=compile-status][data-state=ok]');
    expect(await sharedSource(copy)).toBe('param x, y\nu = sin(x) * y\nv = u*u + 3*u\nv / 2\n');
    expect(await copy.textContent('.cm-content')).toContain('v = u*u + 3*u');
    await copy.close();

    // `u` is used three times but drawn once; hovering it marks its definition and its uses.
    const u = page.locator('[data-testid=graph-node][data-kind=forward]', { hasText: 'u = ' });
    expect(await u.count()).toBe(1);
    await u.hover();
    await page.waitForSelector('.cm-node-source');
    const marked = await page.$$eval('.cm-node-source', (els) => els.map((e) => e.textContent).join('|'));
    expect(marked).toContain('sin(x) * y');
    expect(marked.split('|').filter((t) => t === 'u').length).toBeGreaterThanOrEqual(3);
    await shot(page, 'graph-hover');
  });

  it('stays responsive while a 10,000-line program is checked', async () => {
    page = await open();
    const lines = ['param x', 'a0 = x'];
    for (let i = 1; i < 10_000; i++) lines.push(`a${i} = sin(a${i - 1}) * 0.5 + x`);
    const source = lines.join('\n');
    const before = await compileId(page);
    // A timer that should fire every 10 ms: the longest gap is the longest the page was frozen.
    await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; stopGaps: () => void };
      w.gaps = [];
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        w.gaps.push(now - last);
        last = now;
      }, 10);
      w.stopGaps = () => clearInterval(timer);
    });
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    const started = Date.now();
    // Paste, as a user would (CDP's insertText of 300 kB crashes the renderer; the paste path is what Ctrl+V runs).
    await page.evaluate((text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      document.querySelector('.cm-content')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, source);
    await page.waitForFunction((prev) => {
      const el = document.querySelector<HTMLElement>('[data-testid=compile-status]');
      return el?.dataset.state === 'ok' && Number(el.dataset.compileId) > prev;
    }, before, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=graph-too-large]');
    await page.waitForSelector('[data-testid=agreement-badge][data-ok=true]', { timeout: 60_000 });
    const elapsed = Date.now() - started;
    const gaps = await page.evaluate(() => {
      const w = window as unknown as { gaps: number[]; stopGaps: () => void };
      w.stopGaps();
      return w.gaps;
    });
    const longest = Math.max(...gaps);
    console.log(`10,000-line program: compiled and evaluated in ${elapsed} ms; longest main-thread gap ${longest.toFixed(0)} ms`);
    // Compiling it takes over a second; done on the page's thread, it would freeze the page that long.
    expect(longest).toBeLessThan(600);
    await shot(page, 'ten-thousand-lines');
  });
});

describe('playground with tensor programs (built app in Chromium)', () => {
  it('compiles the two-moons MLP: one box per IR node with its type, editable tensors, gradients equal to the module\'s backward', async () => {
    const source = example('moons.txt');
    page = await open();
    await chooseExample(page, 'moons');
    await waitForEvaluation(page);
    const ir = compileSource(source).ir!;
    const expected = expectedGraphNodes(ir);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=graph][data-current=true] [data-testid=graph-node]').length === n,
      expected.length,
    );
    const boxes = await page.$$eval('[data-testid=graph-node]', (els) => els.map((e) => ({
      id: Number(e.getAttribute('data-node-id')),
      op: e.getAttribute('data-op'),
      type: e.getAttribute('data-type'),
      shown: e.querySelector('[data-testid=graph-node-type]')?.textContent ?? null,
      label: e.querySelector('.label')?.textContent ?? '',
    })));
    expect(boxes.map((b) => b.id).sort((a, b) => a - b)).toEqual(expected.map((n) => n.id).sort((a, b) => a - b));
    const byId = new Map(expected.map((n) => [n.id, n]));
    for (const box of boxes) {
      const node = byId.get(box.id)!;
      expect(box.op).toBe(node.op);
      expect(box.type).toBe(node.shape.length === 0 ? 'f64' : `f64[${node.shape.join(',')}]`);
      // Every tensor box shows its type where a scalar's shows its value.
      if (node.shape.length > 0) expect(box.shown, `${box.label} (${node.op})`).toBe(box.type);
    }
    expect(boxes.map((b) => `${b.label} ${b.type}`)).toContain('X @ W1 f64[n,16]');
    await shot(page, 'moons-graph');

    // Five points instead of three, one weight typed into the grid, W2 (16 x 16) as a nested list.
    await page.fill('[data-testid=dim-size-n]', '5');
    await page.fill('[data-testid=value-cell-W1-0]', '0.25');
    const w2 = Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => ((i * 16 + j) % 11) / 10 - 0.5));
    // W2 has 256 elements: a heatmap, editable as a nested list.
    expect(await page.getAttribute('[data-testid=value-heatmap-W2]', 'data-kind')).toBe('heatmap');
    await page.click('[data-testid=value-edit-W2]');
    await page.fill('[data-testid=value-text-W2]', JSON.stringify(w2));
    await page.waitForFunction((w2First) => {
      const el = document.querySelector<HTMLElement>('[data-testid=values]');
      if (!el?.dataset.evaluatedPoint || el.dataset.evaluatedDims !== '[5]') return false;
      const [params] = JSON.parse(el.dataset.evaluatedPoint) as number[][];
      return params![0] === 0.25 && params![2 * 16 + 16] === w2First; // W2 follows W1 [2, 16] and b1 [16]
    }, w2[0]![0]);
    expect(await page.getAttribute('[data-testid=agreement-badge]', 'data-ok')).toBe('true');
    await checkGradientsAgainstModule(page, source, 'moons');
    // X is [n, 2] = 10 elements at n = 5: a grid, refilled with new random data.
    expect(await page.locator('[data-testid=value-grid-X] input').count()).toBe(10);
    expect(await page.getAttribute('[data-testid=gradient-W2]', 'data-kind')).toBe('heatmap');
    expect(await page.getAttribute('[data-testid=gradient-W1]', 'data-kind')).toBe('table');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await shot(page, 'moons-values');

    await page.click('[data-testid=tab-math]');
    await page.waitForSelector('[data-testid=math-partial]');
    const latex = await page.$$eval('.math .tex', (els) => els.map((e) => `${e.getAttribute('data-latex')}\n${e.textContent}`).join('\n'));
    for (const helper of ['tieShare', 'gate', 'isEqual']) expect(latex).not.toContain(helper);
    expect(await page.locator('.math .katex-error').count()).toBe(0);
    await shot(page, 'moons-derivatives');
  });

  it('softmax regression: labels for onehot, a label out of range shown as the code\'s error, training lowers the loss', async () => {
    const source = example('softmax.txt');
    page = await open();
    await chooseExample(page, 'softmax');
    await waitForEvaluation(page);
    await checkGradientsAgainstModule(page, source, 'softmax');
    const labels = await page.$$eval('[data-testid=value-grid-y] input', (els) => els.map((e) => Number((e as HTMLInputElement).value)));
    expect(labels).toHaveLength(3);
    expect(labels.every((v) => [0, 1, 2].includes(v))).toBe(true);

    await page.fill('[data-testid=value-cell-y-1]', '7');
    await page.waitForSelector('[data-testid=evaluation-error]');
    expect(await page.textContent('[data-testid=evaluation-error]')).toContain("onehot: input 'y'[1] is 7, not an integer in [0, 3)");
    await shot(page, 'softmax-bad-label');
    await page.fill('[data-testid=value-cell-y-1]', '2');
    await page.waitForSelector('[data-testid=output-value]');
    const before = Number(await page.getAttribute('[data-testid=output-value]', 'data-value'));

    await page.click('[data-testid=tab-train]');
    await page.fill('[data-testid=train-steps]', '300');
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => {
      const status = document.querySelector<HTMLElement>('[data-testid=train-status]')?.dataset.status;
      return status !== undefined && status !== 'running';
    }, undefined, { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=train-status]', 'data-status')).toBe('steps');
    const loss = Number(await page.getAttribute('[data-testid=train-loss]', 'data-value'));
    expect(loss).toBeLessThan(before / 2);
    // The trained params are shown, and evaluated.
    await page.waitForFunction((l) => Math.abs(Number(document.querySelector('[data-testid=output-value]')?.getAttribute('data-value')) - l) < 1e-12, loss);
    await checkGradientsAgainstModule(page, source, 'softmax-trained');
    await shot(page, 'softmax-trained');
  });

  it('the issue\'s small programs: softmax of a param vector, and max() whose math has no tieShare', async () => {
    page = await open();
    for (const source of ['param z: [4]; input w: [4]; sum(softmax(z) * w)', 'param v: [3], x, y\nmax(v) + sum(max(v, 0.5)) + max(x, y) * x']) {
      await typeProgram(page, source);
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=graph][data-current=true] [data-testid=graph-node]').length === n,
        expectedGraphNodes(compileSource(source).ir!).length,
      );
      await waitForEvaluation(page);
      // Params start as `autodiff fit` starts them: these vectors and scalars at 0, every max() at a tie. Away from the ties:
      const before = await page.getAttribute('[data-testid=values]', 'data-evaluated-point');
      await page.click('[data-testid=randomise-glorot]');
      await page.waitForFunction((b) => {
        const el = document.querySelector<HTMLElement>('[data-testid=values]');
        return el?.dataset.evaluatedPoint !== undefined && el.dataset.evaluatedPoint !== b;
      }, before);
      expect(await page.getAttribute('[data-testid=agreement-badge]', 'data-ok')).toBe('true');
      await checkGradientsAgainstModule(page, source, 'small');
      await page.click('[data-testid=tab-math]');
      await page.waitForSelector('[data-testid=math-partial]');
      const latex = await page.$$eval('.math .tex', (els) => els.map((e) => `${e.getAttribute('data-latex')}\n${e.textContent}`).join('\n'));
      expect(latex).not.toContain('tieShare');
      expect(latex).not.toContain('operatorname{tieShare}');
      expect(await page.locator('.math .katex-error').count()).toBe(0);
      await page.click('[data-testid=tab-graph]');
    }
    await shot(page, 'max-graph');
  });
});

describe('training classifiers in the playground (built app in Chromium)', () => {
  it('two moons: trains with the defaults to 100% training accuracy, redrawing the decision boundary', async () => {
    page = await open();
    await chooseExample(page, 'moons');
    // The example's own dataset is loaded into the inputs: 100 rows.
    await page.waitForSelector('[data-testid=data-status][data-rows="100"]');
    expect(await page.inputValue('[data-testid=dim-size-n]')).toBe('100');
    await page.click('[data-testid=tab-train]');
    expect(await page.inputValue('[data-testid=train-lr]')).toBe('0.01');
    expect(await page.inputValue('[data-testid=train-steps]')).toBe('1000');
    expect(await page.inputValue('[data-testid=train-batch]')).toBe('');
    // Before training: the boundary of the starting params.
    await page.waitForSelector('[data-testid=decision-boundary][data-step="0"]');
    const before = await canvasPixels(page);
    // Every boundary drawn during the run, by step.
    await page.evaluate(() => {
      const w = window as unknown as { frames: string[] };
      w.frames = [];
      const canvas = document.querySelector('[data-testid=decision-boundary]')!;
      new MutationObserver(() => w.frames.push(canvas.getAttribute('data-step')!)).observe(canvas, { attributes: true, attributeFilter: ['data-step'] });
    });
    const started = Date.now();
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=train-status]')?.dataset.status !== 'running', undefined, { timeout: 60_000 });
    expect(await page.getAttribute('[data-testid=train-status]', 'data-status')).toBe('steps');
    await page.waitForSelector('[data-testid=classifier][data-step="1000"]');
    console.log(`two moons: 1000 steps in ${Date.now() - started} ms`);
    expect(Number(await page.getAttribute('[data-testid=train-accuracy]', 'data-value'))).toBe(1);
    expect(Number(await page.getAttribute('[data-testid=steps-per-second]', 'data-value'))).toBeGreaterThan(0);
    const frames = await page.evaluate(() => (window as unknown as { frames: string[] }).frames);
    expect(frames.length).toBeGreaterThanOrEqual(1);
    expect(frames[frames.length - 1]).toBe('1000');
    const after = await canvasPixels(page);
    expect(after.length).toBe(before.length);
    let changed = 0;
    for (let i = 0; i < before.length; i += 4) if (before[i] !== after[i] || before[i + 1] !== after[i + 1] || before[i + 2] !== after[i + 2]) changed++;
    expect(changed / (before.length / 4)).toBeGreaterThan(0.05);
    // Long numbers fit their fields.
    for (const field of ['[data-testid=value-input-b3]', '[data-testid=value-cell-W1-0]']) {
      const fits = await page.$eval(field, (e) => e.scrollWidth <= e.clientWidth);
      expect(fits, field).toBe(true);
    }
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const picture = await shot(page, 'moons-trained');
    if (process.env.UPDATE_SCREENSHOT === '1') copyFileSync(picture, join(REPO, 'docs/playground-moons.png'));

    // A CSV file of one's own: its rows become the inputs.
    const lines = example('data/moons.csv').split('\n').slice(0, 21).join('\n');
    await page.setInputFiles('[data-testid=data-upload]', { name: 'twenty.csv', mimeType: 'text/csv', buffer: Buffer.from(lines) });
    await page.waitForSelector('[data-testid=data-status][data-rows="20"]');
    expect(await page.inputValue('[data-testid=dim-size-n]')).toBe('20');
    await page.waitForSelector('[data-testid=decision-boundary]');
    await shot(page, 'moons-uploaded-csv');
  });

  it('digits: trains in batches of 128 to over 90% test accuracy, with a grid of test images and their predicted labels', async () => {
    page = await open();
    await chooseExample(page, 'digits');
    await page.waitForSelector('[data-testid=data-status][data-rows="1437"][data-test-rows="360"]', { timeout: 30_000 });
    await page.click('[data-testid=tab-train]');
    expect(await page.inputValue('[data-testid=train-batch]')).toBe('128');
    await page.fill('[data-testid=train-steps]', '300');
    await page.waitForSelector('[data-testid=digit-grid] [data-testid=digit]');
    const started = Date.now();
    await page.click('[data-testid=train-start]');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid=train-status]')?.dataset.status !== 'running', undefined, { timeout: 60_000 });
    await page.waitForSelector('[data-testid=classifier][data-step="300"]');
    console.log(`digits: 300 steps of 128 rows in ${Date.now() - started} ms`);
    const accuracy = Number(await page.getAttribute('[data-testid=test-accuracy]', 'data-value'));
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(await page.textContent('[data-testid=test-accuracy]')).toMatch(/^\d+\.\d%$/);
    const digits = await page.$$eval('[data-testid=digit]', (els) => els.map((e) => [Number(e.getAttribute('data-label')), Number(e.getAttribute('data-predicted'))]));
    expect(digits.length).toBe(48);
    const wrong = digits.filter(([label, predicted]) => label !== predicted).length;
    expect(await page.locator('[data-testid=digit].wrong').count()).toBe(wrong);
    expect(wrong).toBeLessThan(48 * 0.15);
    await shot(page, 'digits-trained');
  });

  it('"fit" shows every box of a tensor program\'s graph, each with its type', async () => {
    page = await open();
    await chooseExample(page, 'digits');
    const expected = expectedGraphNodes(compileSource(example('digits.txt')).ir!);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=graph][data-current=true] [data-testid=graph-node]').length === n,
      expected.length,
    );
    const view = (await page.locator('.graph-scroll').boundingBox())!;
    const boxes = await page.$$eval('[data-testid=graph-node]', (els) => els.map((e) => {
      const r = (e.querySelector('rect') as SVGRectElement).getBoundingClientRect();
      return { left: r.left, top: r.top, right: r.right, bottom: r.bottom, type: e.getAttribute('data-type') };
    }));
    const outside = boxes.filter((b) => b.left < view.x - 0.5 || b.top < view.y - 0.5 || b.right > view.x + view.width + 0.5 || b.bottom > view.y + view.height + 0.5);
    expect(outside).toEqual([]);
    expect(boxes.every((b) => /^f64(\[.*\])?$/.test(b.type ?? ''))).toBe(true);
    await shot(page, 'digits-graph-fit');
    // Its derivatives as math: the op table's LaTeX, no internal helper names.
    await page.click('[data-testid=tab-math]');
    await page.waitForSelector('[data-testid=math-partial]');
    const latex = await page.$$eval('.math .tex', (els) => els.map((e) => `${e.getAttribute('data-latex')}\n${e.textContent}`).join('\n'));
    for (const helper of ['tieShare', 'gate', 'isEqual']) expect(latex).not.toContain(helper);
    expect(latex).toContain('X^{\\top}');
    expect(await page.locator('.math .katex-error').count()).toBe(0);
    await shot(page, 'digits-derivatives');
  });
});

/** The decision boundary's pixels (RGBA). */
async function canvasPixels(p: Page): Promise<number[]> {
  return p.$eval('[data-testid=decision-boundary]', (c) => {
    const canvas = c as HTMLCanvasElement;
    // Every 16th pixel is plenty to see a change (and keeps the transfer small).
    return [...canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data].filter((_, i) => i % 64 < 4);
  });
}

describe('playground opened on a program with an error (built app in Chromium)', () => {
  it('shows the error in the right pane instead of "Compiling…", and the program once fixed', async () => {
    const bad = 'param x\ny = x +* 2\ny^2\n';
    page = await open(`#src=${Buffer.from(bad, 'utf8').toString('base64url')}`, 'errors');
    const error = page.locator('[data-testid=program-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain("2:8: error[E006]: expected an expression after '+', found '*'");
    expect(await page.locator('.tab-body', { hasText: 'Compiling' }).count()).toBe(0);
    expect(await page.locator('[data-testid=compiling]').count()).toBe(0);
    await shot(page, 'first-program-error');
    await typeProgram(page, 'param x\ny = x * 2\ny^2\n');
    expect(await page.locator('[data-testid=program-error]').count()).toBe(0);
    await page.waitForSelector('[data-testid=graph][data-current=true] [data-testid=graph-node]');
  });
});

/**
 * The value and every param's gradient the page shows, against the generated module itself
 * (emitModule, imported from a file, called through its named API with the shown point).
 */
async function checkGradientsAgainstModule(p: Page, source: string, name: string): Promise<void> {
  const ir = compileSource(source).ir!;
  const file = join(OUTPUT, `${name}-module.mjs`);
  writeFileSync(file, emitModule(ir, { language: 'js', sourceName: `${name}.txt`, source }));
  const module = await import(`${pathToFileURL(file).href}?at=${Date.now()}`) as {
    paramNames: readonly string[];
    inputNames: readonly string[];
    paramShapes?: readonly (readonly (number | string)[])[];
    inputShapes?: readonly (readonly (number | string)[])[];
    dimNames?: readonly string[];
    backward(p: object, x?: object): { value: number; grad: Record<string, number | Float64Array> };
  };
  const point = await p.getAttribute('[data-testid=values]', 'data-evaluated-point');
  const dimList = JSON.parse((await p.getAttribute('[data-testid=values]', 'data-evaluated-dims'))!) as number[];
  const [params, inputs] = JSON.parse(point!) as [number[], number[]];
  const dims = new Map((module.dimNames ?? []).map((d, k) => [d, dimList[k]!]));
  const named = (names: readonly string[], shapes: readonly (readonly (number | string)[])[] | undefined, flat: number[]) => {
    const out: Record<string, number | Float64Array> = {};
    let offset = 0;
    names.forEach((n, i) => {
      const shape = shapes?.[i] ?? [];
      const size = shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : dims.get(d)!), 1);
      out[n] = shape.length === 0 ? flat[offset]! : Float64Array.from(flat.slice(offset, offset + size));
      offset += size;
    });
    expect(offset).toBe(flat.length);
    return out;
  };
  const expected = module.backward(named(module.paramNames, module.paramShapes, params), named(module.inputNames, module.inputShapes, inputs));
  expect(relativeError(Number(await p.getAttribute('[data-testid=output-value]', 'data-value')), expected.value)).toBeLessThan(1e-9);
  for (const param of module.paramNames) {
    const want = expected.grad[param]!;
    const shown = p.locator(`[data-testid=gradient-${param}]`);
    if (typeof want === 'number') {
      expect(relativeError(Number(await shown.getAttribute('data-value')), want), param).toBeLessThan(1e-9);
      continue;
    }
    if (await shown.getAttribute('data-kind') === 'heatmap') {
      const finite = [...want].filter(Number.isFinite);
      expect(relativeError(Number(await shown.getAttribute('data-min')), Math.min(...finite)), `${param} min`).toBeLessThan(1e-9);
      expect(relativeError(Number(await shown.getAttribute('data-max')), Math.max(...finite)), `${param} max`).toBeLessThan(1e-9);
      continue;
    }
    const cells = await shown.locator('td').evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-index')), Number(e.getAttribute('data-value'))] as const));
    expect(cells.map(([i]) => i)).toEqual([...want.keys()]);
    for (const [i, v] of cells) expect(relativeError(v, want[i]!), `${param}[${i}]`).toBeLessThan(1e-9);
  }
}

/** What the graph view promises to draw (see src/analysis/graph-model.ts). */
function expectedGraphNodes(ir: Program): Node[] {
  const outputs = new Set(outputsOf(ir));
  const nodes = new Set<Node>([...ir.params, ...ir.inputs]);
  for (const n of topoOrder(outputsOf(ir))) if (n.op !== 'const' || outputs.has(n)) nodes.add(n);
  return [...nodes];
}
