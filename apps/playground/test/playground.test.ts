/**
 * Browser tests of the built playground (apps/playground/dist, built by the
 * root `pnpm test`'s `turbo run build`; these tests build nothing), served on
 * 127.0.0.1 and driven in Debian's Chromium. Each test saves a screenshot in
 * apps/playground/test-output/; with UPDATE_SCREENSHOT=1 the neuron one also
 * replaces docs/playground.png (the README's picture), so a plain test run
 * leaves the checked-in tree unchanged.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource } from '@autodiff/compiler';
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

/** A fresh page on the app; console errors and uncaught exceptions are collected. */
async function open(): Promise<Page> {
  if (setupError) throw setupError;
  problems = [];
  const p = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  p.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await p.goto(server.url);
  await p.waitForSelector('[data-testid=compile-status][data-state=ok]');
  return p;
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

/** What the graph view promises to draw (see src/analysis/graph-model.ts). */
function expectedGraphNodes(ir: Program): Node[] {
  const outputs = new Set(outputsOf(ir));
  const nodes = new Set<Node>([...ir.params, ...ir.inputs]);
  for (const n of topoOrder(outputsOf(ir))) if (n.op !== 'const' || outputs.has(n)) nodes.add(n);
  return [...nodes];
}
