/**
 * Code generation: an IR function (value and gradients) -> one standalone
 * TypeScript or JavaScript module with the exports of spec/generated.md.
 * Straight-line code: one `const tN = ...` per scheduled node, in topological
 * order; forward values are computed once and reused by the gradient; nodes
 * the outputs do not reach are never emitted; helpers only when used.
 */
import { exportsOf, formatNumber, gradsOf, outputsOf, isLeaf, OP_LIST, opNamed, topoOrder, valueOf, type Helper, type Node, type Program } from '@autodiff/ir';
import { generateTensorModule } from './tensor-module.js';

export type Language = 'ts' | 'js';

export interface ModuleOptions {
  language: Language;
  /** Shown in the header, e.g. the source file name. */
  sourceName: string;
  /** The source program, quoted in the header comment. */
  source?: string;
  /**
   * 'esm' (default): an ES module. 'function-body': the same code without
   * `export`, ending in `return { ...exports }`, for `new Function` (in-memory use).
   */
  format?: 'esm' | 'function-body';
  /**
   * Whether a tensor module runs its large matrix products on a WebAssembly
   * SIMD kernel where the host has one (default true; false: the JavaScript
   * loops alone, and no kernel in the module).
   */
  wasm?: boolean;
}

const MATH_CONSTANTS: ReadonlyMap<number, string> = new Map([[Math.PI, 'Math.PI'], [Math.E, 'Math.E']]);

export function literal(v: number): string {
  const named = MATH_CONSTANTS.get(v);
  if (named) return named;
  const text = formatNumber(v);
  return v < 0 || Object.is(v, -0) ? `(${text})` : text;
}

/**
 * Above this many values a function keeps its temporaries in a module-level
 * Float64Array instead of locals, and is split into parts of at most
 * PART_STATEMENTS statements each. A V8 frame with hundreds of thousands of
 * locals overflows the stack (reverse mode keeps every forward value live),
 * and V8 does not optimise a function of thousands of statements at all.
 * Measured on the sum of 4,000 `sin(w_i)*x` terms (the module imported, 1 s of
 * calls each): forward 0.59 ms as one function, 0.05-0.06 ms in parts of
 * 1,000; gradient 1.2-1.3 ms, 0.23-0.85 ms (a loaded machine). Parts of 2,000
 * were not optimised either; 600 terms (about 4,000 values in the gradient)
 * went from 0.08 ms to 0.016 ms; a 1,000-node random program (about 3,000
 * values) is faster whole (15 against 17 microseconds), hence 3,500.
 */
export const MAX_LOCALS = 3500;
export const PART_STATEMENTS = 1000;

/**
 * The backward function's statement order: the forward nodes in their own
 * order, and each gradient node as soon as the forward values it reads exist,
 * so a local derivative (e.g. of one term of a sum) sits next to those values
 * and they need not stay live to the end of the function. Gradient nodes that
 * read no forward value at all (e.g. 2*x) are placed just before their first use.
 */
export function backwardOrder(forward: readonly Node[], all: readonly Node[]): Node[] {
  // Nodes are numbered by their position in `all` (which must hold `forward` and
  // every argument: it is the topological order of all outputs), and every table
  // below is a typed array over those numbers: large graphs are walked without
  // touching the scattered node objects again, or allocating per node.
  const count = all.length;
  let maxId = 0;
  for (const n of all) maxId = Math.max(maxId, n.id);
  const indexOf = new Int32Array(maxId + 1);
  all.forEach((n, k) => { indexOf[n.id] = k; });
  const argStart = new Int32Array(count + 1);
  all.forEach((n, k) => { argStart[k + 1] = argStart[k]! + n.args.length; });
  const args = new Int32Array(argStart[count]!);
  const leaf = new Uint8Array(count);
  all.forEach((n, k) => {
    n.args.forEach((a, j) => { args[argStart[k]! + j] = indexOf[a.id]!; });
    if (isLeaf(n)) leaf[k] = 1;
  });
  const isForward = new Uint8Array(count);
  for (const n of forward) isForward[indexOf[n.id]!] = 1;

  // Gradient nodes that depend on no forward value: emitted on demand.
  const onDemand = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    if (isForward[k] === 1 || leaf[k] === 1) continue;
    let independent = true;
    for (let j = argStart[k]!; j < argStart[k + 1]!; j++) if (leaf[args[j]!] === 0 && onDemand[args[j]!] === 0) independent = false;
    if (independent) onDemand[k] = 1;
  }
  // The other gradient nodes wait for their non-leaf, not-on-demand arguments:
  // `pending` counts them, and `users` (compressed rows) lists who waits on whom.
  const scheduled = (k: number) => isForward[k] === 0 && leaf[k] === 0 && onDemand[k] === 0;
  const waitsOn = (a: number) => leaf[a] === 0 && onDemand[a] === 0;
  const pending = new Int32Array(count);
  const userStart = new Int32Array(count + 1);
  for (let k = 0; k < count; k++) {
    if (!scheduled(k)) continue;
    for (let j = argStart[k]!; j < argStart[k + 1]!; j++) if (waitsOn(args[j]!)) userStart[args[j]! + 1]!++;
  }
  for (let k = 0; k < count; k++) userStart[k + 1]! += userStart[k]!;
  const users = new Int32Array(userStart[count]!);
  const filled = userStart.slice(0, count);
  const ready = new Int32Array(count);
  let readyEnd = 0;
  for (let k = 0; k < count; k++) {
    if (!scheduled(k)) continue;
    for (let j = argStart[k]!; j < argStart[k + 1]!; j++) {
      const a = args[j]!;
      if (!waitsOn(a)) continue;
      pending[k]!++;
      users[filled[a]!++] = k;
    }
    if (pending[k] === 0) ready[readyEnd++] = k;
  }

  const order: Node[] = [];
  const placed = new Uint8Array(count);
  const stack = new Int32Array(count);
  /** Place `k` after the on-demand nodes it reads (post-order, explicit stack). */
  const place = (k: number) => {
    let depth = 0;
    stack[depth++] = k;
    while (depth > 0) {
      const top = stack[depth - 1]!;
      let missing = -1;
      for (let j = argStart[top]!; j < argStart[top + 1]! && missing < 0; j++) {
        const a = args[j]!;
        if (onDemand[a] === 1 && placed[a] === 0) missing = a;
      }
      if (missing >= 0) {
        stack[depth++] = missing;
        continue;
      }
      depth--;
      if (placed[top] === 0) {
        placed[top] = 1;
        order.push(all[top]!);
      }
    }
  };
  let next = 0;
  const release = (k: number) => {
    for (let j = userStart[k]!; j < userStart[k + 1]!; j++) if (--pending[users[j]!]! === 0) ready[readyEnd++] = users[j]!;
  };
  const drain = () => {
    while (next < readyEnd) {
      const k = ready[next++]!;
      place(k);
      release(k);
    }
  };
  drain();
  for (const f of forward) {
    place(indexOf[f.id]!);
    release(indexOf[f.id]!);
    drain();
  }
  for (let k = 0; k < count; k++) if (onDemand[k] === 1) place(k); // gradients that nothing else reads
  return order;
}

/**
 * Indented lines of code, joined into one string a few thousand at a time.
 * A function of a million lines then never holds a million small strings at
 * once: each dies young instead of being copied by every young-generation
 * garbage collection until the end (that copying made large modules slow).
 */
class CodeLines {
  private readonly chunks: string[] = [];
  private pending: string[] = [];

  /** `chunk`: lines per joined chunk (each chunk is one part of a split function). */
  constructor(private readonly chunk = 4096) {}

  push(line: string): void {
    this.pending.push(`  ${line}`);
    if (this.pending.length === this.chunk) this.flush();
  }

  text(): string {
    this.flush();
    return this.chunks.join('\n');
  }

  /** The lines in parts of at most `chunk` lines. */
  parts(): string[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.chunks.push(this.pending.join('\n'));
    this.pending = [];
  }
}

/** Straight-line code for the value and the gradients, one line per node. */
interface Schedule {
  /**
   * The bodies of forwardFlat and backwardFlat, indented, without the return:
   * one part each, or (for a large function) several, each the body of a
   * function of its own that reads and writes SCRATCH as `s`.
   */
  forwardBody: string[];
  backwardBody: string[];
  /** The expression naming the value in each function. */
  forwardResult: string;
  backwardResult: string;
  helpers: Set<Helper>;
  /** Size of the scratch array when temporaries are spilled, else 0. */
  slots: number;
}

function schedule(value: Node, grads: readonly Node[], ts: boolean): Schedule {
  const helpers = new Set<Helper>();
  const bang = ts ? '!' : '';
  const forward = topoOrder([value]);
  const all = topoOrder([value, ...grads]);
  const spill = all.length > MAX_LOCALS;
  let maxId = 0;
  for (const n of all) maxId = Math.max(maxId, n.id);
  // Load the params and inputs that are used first, in declaration order
  // (the gradient uses no leaf the value does not).
  const leaves = all.filter((n) => n.op === 'param' || n.op === 'input');
  leaves.sort((a, b) => (a.op === b.op ? a.index! - b.index! : a.op === 'param' ? -1 : 1));

  /** One function body: temporaries t0, t1, ... numbered in `order`; `after` adds lines after a node's. */
  const body = (order: readonly Node[], after: (n: Node, operand: (n: Node) => string, lines: CodeLines) => void) => {
    const names: (string | undefined)[] = new Array(maxId + 1); // by node id
    const operand = (n: Node) => (n.op === 'const' ? literal(n.value!) : names[n.id]!);
    const lines = new CodeLines(spill ? PART_STATEMENTS : 4096);
    for (const leaf of leaves) {
      const array = leaf.op === 'param' ? 'p' : 'x';
      names[leaf.id] = spill ? `${array}[${leaf.index}]${bang}` : `${array}_${leaf.name}`;
      if (!spill) lines.push(`const ${array}_${leaf.name} = ${array}[${leaf.index}]${bang};`);
    }
    let temporaries = 0;
    for (const node of order) {
      if (names[node.id] === undefined && node.op !== 'const') {
        const op = opNamed(node.op);
        if (op.helper) helpers.add(op.helper);
        if (!op.print) throw new Error(`internal: scalar code for '${node.op}', which has no scalar form`);
        const value = op.print(...node.args.map(operand));
        const slot = temporaries++;
        names[node.id] = spill ? `s[${slot}]${bang}` : `t${slot}`;
        lines.push(spill ? `s[${slot}] = ${value};` : `const t${slot} = ${value};`);
      }
      after(node, operand, lines);
    }
    return { lines, operand, slots: spill ? temporaries : 0 };
  };

  const forwardBody = body(forward, () => {});
  // Each gradient is stored as soon as it is computed (a store frees its register);
  // gradients that are constants or params/inputs are stored last.
  const storesAfter: (number[] | undefined)[] = new Array(maxId + 1);
  grads.forEach((g, i) => {
    if (g.op !== 'const' && g.op !== 'param' && g.op !== 'input') (storesAfter[g.id] ??= []).push(i);
  });
  const backwardBody = body(backwardOrder(forward, all), (n, operand, lines) => {
    for (const i of storesAfter[n.id] ?? []) lines.push(`grad[${i}] = ${operand(n)};`);
  });
  grads.forEach((g, i) => {
    if (storesAfter[g.id] === undefined) backwardBody.lines.push(`grad[${i}] = ${backwardBody.operand(g)};`);
  });
  return {
    forwardBody: spill ? forwardBody.lines.parts() : [forwardBody.lines.text()],
    backwardBody: spill ? backwardBody.lines.parts() : [backwardBody.lines.text()],
    forwardResult: forwardBody.operand(value),
    backwardResult: backwardBody.operand(value),
    helpers,
    slots: Math.max(forwardBody.slots, backwardBody.slots),
  };
}

export const quote = (s: string) => JSON.stringify(s);

/**
 * Text quoted in a comment of the module (source lines, the file name): every
 * character outside printable ASCII is written as an escape, so no line
 * terminator (`\r`, U+2028, U+2029 end a JavaScript line comment too) and no
 * `*\/` can end the comment and turn the rest of the text into code.
 */
export function commentText(text: string): string {
  return text
    .replace(/[^\x20-\x7e]|\\/gu, (ch) => (ch === '\\' ? '\\\\' : `\\u{${ch.codePointAt(0)!.toString(16)}}`))
    .replaceAll('*/', '*\\/')
    // Harmless in a module file, but a module inlined in an HTML <script> would end at '</script'.
    .replaceAll('</', '<\\/');
}

/** Identifiers the spec allows: what the module may use in names it declares. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The last line of defence: a module is printable ASCII and newlines only (so
 * nothing can hide a line end or a bidirectional override), and every name
 * the source gave is a plain identifier. A failure here is a bug in autodiff.
 */
export function assertSafe(module: string, names: readonly string[]): void {
  for (const name of names) {
    if (!IDENTIFIER.test(name)) throw new Error(`internal: refusing to emit a name that is not an identifier: ${JSON.stringify(name)}`);
  }
  const bad = /[^\n\x20-\x7e]/.exec(module);
  if (bad) throw new Error(`internal: the generated module holds the character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
}

/** The module's opening comment: what generated it, from what source, and what it takes. */
export function headerLines(options: ModuleOptions, params: readonly string[], inputs: readonly string[]): string[] {
  const out: string[] = [];
  out.push(`// Generated by autodiff from ${commentText(options.sourceName)}. Do not edit: change the source and recompile.`);
  if (options.source !== undefined) {
    out.push('//', '// Source:');
    // Split at the line ends the language has (\n, \r\n, a lone \r); anything else left is escaped.
    for (const line of options.source.replace(/(\r\n|\n|\r)$/, '').split(/\r\n|\n|\r/)) out.push(`//   ${commentText(line)}`.trimEnd());
  }
  out.push('//', `// Parameters (differentiated): ${params.join(', ') || '(none)'}`);
  out.push(`// Inputs (data): ${inputs.join(', ') || '(none)'}`);
  out.push('');
  return out;
}

/** Whether every value of the program is a scalar: then it gets v1's straight-line module. */
export const isScalarProgram = (fn: Program) =>
  [...fn.params, ...fn.inputs].every((n) => n.shape.length === 0)
  && topoOrder(outputsOf(fn)).every((n) => n.shape.length === 0 && (isLeaf(n) || opNamed(n.op).kind === 'elementwise'));

export function generateModule(fn: Program, options: ModuleOptions): string {
  // Exported bindings are written by the tensor generator, for scalar programs too.
  if (!isScalarProgram(fn) || exportsOf(fn).length > 0) return generateTensorModule(fn, options);
  const ts = options.language === 'ts';
  const t = (annotation: string) => (ts ? annotation : '');
  const asBody = options.format === 'function-body';
  const exp = asBody ? '' : 'export ';
  const grads = gradsOf(fn) ?? [];
  const params = fn.params.map((p) => p.name!);
  const inputs = fn.inputs.map((x) => x.name!);

  const code = schedule(valueOf(fn), grads, ts);
  const helpers = OP_LIST.map((op) => op.helper).filter(
    (h, i, all): h is Helper => h !== undefined && all.indexOf(h) === i && code.helpers.has(h),
  );

  const out: string[] = headerLines(options, params, inputs);
  out.push(`${exp}const paramNames = [${params.map(quote).join(', ')}]${t(' as const')};`);
  out.push(`${exp}const inputNames = [${inputs.map(quote).join(', ')}]${t(' as const')};`);
  if (ts) {
    // Quoted keys: any ASCII name is a legal parameter, `__proto__` and `new` included.
    const fields = (names: string[]) => (names.length ? ` ${names.map((n) => `${quote(n)}: number;`).join(' ')} ` : '');
    out.push(`${exp}interface Params {${fields(params)}}`);
    out.push(`${exp}interface Inputs {${fields(inputs)}}`);
  }
  out.push('');

  // The named API checks what plain JavaScript may pass: a missing or non-number
  // value is a TypeError that names it, not a NaN or a silent 0.
  const packer = (name: string, type: string, kind: string, names: string[]) => [
    `function ${name}(v${t(`: ${type}`)})${t(': Float64Array')} {`,
    `  const a = new Float64Array(${names.length});`,
    ...names.map((n, i) => `  a[${i}] = numberIn(v, ${quote(n)}, "${kind}");`),
    '  return a;',
    '}',
  ];
  // One line at a time: spreading 150,000 lines into one push() overflows the stack.
  const pushAll = (lines: readonly string[]) => { for (const line of lines) out.push(line); };
  pushAll([...packer('packParams', 'Params', 'param', params), '']);
  if (inputs.length > 0) pushAll([...packer('packInputs', 'Inputs', 'input', inputs), '']);
  const packedInputs = inputs.length > 0 ? 'packInputs(x)' : 'NO_INPUTS';
  if (params.length + inputs.length > 0) {
    out.push(
      '/** The number named `name` in `v`, or a TypeError that says which one is missing or wrong. */',
      `function numberIn(v${t(': object | undefined')}, name${t(': string')}, kind${t(': string')})${t(': number')} {`,
      `  const x${t(': unknown')} = v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, name)`,
      ts ? '    ? (v as Record<string, unknown>)[name]' : '    ? v[name]',
      '    : undefined;',
      '  if (typeof x !== "number") {',
      '    throw new TypeError(`${kind} \'${name}\' is ${x === undefined ? "missing" : `not a number (it is ${typeof x})`}`);',
      '  }',
      '  return x;',
      '}',
      '',
    );
  }

  out.push(`const NO_INPUTS = new Float64Array(0);`);
  if (code.slots > 0) out.push(`/** Storage for intermediate values (this function is too large for locals). */`, `const SCRATCH = new Float64Array(${code.slots});`);
  out.push('');

  const parts: string[] = []; // functions the split ones call
  /** A function's body: its one part, or a call of each part in turn. */
  const bodyOf = (name: string, body: string[], args: string, types: string) => {
    if (code.slots === 0) return body[0]!;
    const calls = ['  const s = SCRATCH;'];
    body.forEach((part, k) => {
      parts.push(`function ${name}Part${k}(${types})${t(': void')} {`, part, '}', '');
      calls.push(`  ${name}Part${k}(${args});`);
    });
    return calls.join('\n');
  };
  const f64 = t(': Float64Array');
  out.push('/** The value at params `p` and inputs `x` (each in declaration order). Allocates nothing. */');
  out.push(`${exp}function forwardFlat(p${f64}, x${f64} = NO_INPUTS)${t(': number')} {`);
  out.push(bodyOf('forward', code.forwardBody, 'p, x, s', `p${f64}, x${f64}, s${f64}`), `  return ${code.forwardResult};`, '}', '');

  out.push('/** The value, returned, and the gradient, written into `grad` in param order. Allocates nothing. */');
  out.push(`${exp}function backwardFlat(p${f64}, x${f64}, grad${f64})${t(': number')} {`);
  out.push(bodyOf('backward', code.backwardBody, 'p, x, grad, s', `p${f64}, x${f64}, grad${f64}, s${f64}`));
  out.push(`  return ${code.backwardResult};`, '}', '');
  if (parts.length > 0) {
    out.push('// Parts of the functions above: V8 optimises functions of a bounded size only.');
    for (const line of parts) out.push(line);
  }

  out.push('/** The value at named params and inputs. */');
  // Inputs may be omitted only when there are none (spec: "may be passed, or omitted").
  const inputsType = inputs.length ? ': Inputs' : '?: Inputs';
  out.push(`${exp}function forward(p${t(': Params')}, x${t(inputsType)})${t(': number')} {`);
  out.push(`  return forwardFlat(packParams(p), ${packedInputs});`, '}', '');

  out.push('/** The value and the gradient with respect to every param, as plain objects. */');
  out.push(`${exp}function backward(p${t(': Params')}, x${t(inputsType)})${t(': { value: number; grad: Params }')} {`);
  out.push(`  const g = new Float64Array(${params.length});`);
  out.push(`  const value = backwardFlat(packParams(p), ${packedInputs}, g);`);
  // Computed keys make own data properties even for "__proto__".
  const fields = params.map((n, i) => `[${quote(n)}]: g[${i}]${t('!')}`).join(', ');
  out.push(`  const grad${t(': Params')} = {${fields ? ` ${fields} ` : ''}};`);
  out.push('  return { value, grad };', '}');

  for (const h of helpers) {
    out.push('');
    out.push(`function ${h.name}(${h.params.map((p) => `${p}${t(': number')}`).join(', ')})${t(': number')} {`);
    out.push(`  ${h.body}`, '}');
  }
  if (asBody) out.push('', 'return { paramNames, inputNames, forwardFlat, backwardFlat, forward, backward };');
  const module = out.join('\n') + '\n';
  assertSafe(module, [...params, ...inputs]);
  return module;
}
