/**
 * Code generation for programs with tensors: loops over Float64Arrays, with
 * every shape specialised at compile time (a dimension name is a loop bound
 * given at the call). Chains of elementwise ops, broadcasts and transposes
 * are fused into the loop of the node that reads them (each element is
 * computed where it is used, when it is used once); every other tensor node
 * is stored in a module-level scratch buffer that grows only when a
 * dimension grows past its largest size so far, so the flat API allocates
 * nothing per call. Scalars are locals, as in v1's straight-line code.
 */
import {
  exportsOf, formatShape, gradsOf, isLeaf, OP_LIST, opNamed, topoOrder, valueOf,
  type Dim, type EmitContext, type Helper, type Node, type Program, type Shape, type StoredView,
} from '@autodiff/ir';
import { unsafeExportName } from './export-names.js';
import { assertSafe, headerLines, literal, quote, type ModuleOptions } from './module.js';
import { wasmMatmulLines } from './wasm/runtime.js';

/** How a node's value is available to the code that reads it. */
type Storage =
  | { kind: 'const' }
  /** `name` is assigned, `value` read (a local, or a slot of SCALARS in a split function). */
  | { kind: 'scalar'; name: string; value: string }
  /** Elements in `array`, row-major from `offset` (an expression). */
  | { kind: 'array'; array: string; offset: string }
  /** Computed where it is read (fused into the reader's loop). */
  | { kind: 'inline' };

const dimVar = (name: string) => `dim_${name}`;

/** The longest chain of ops fused into one expression; past it a value is stored (an expression 100,000 ops deep is no faster). */
export const MAX_FUSED_DEPTH = 32;

/** A shape of one element: [], [1], [1, 1], ... */
const isSingle = (s: Shape) => s.every((d) => d === 1);

function sizeOf(s: Shape): string {
  const literalPart = s.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  const names = s.filter((d): d is string => typeof d === 'string').map(dimVar);
  if (names.length === 0) return String(literalPart);
  return [...(literalPart === 1 ? [] : [String(literalPart)]), ...names].join(' * ');
}

function stridesOf(s: Shape): string[] {
  const strides: string[] = new Array(s.length);
  for (let k = 0; k < s.length; k++) strides[k] = sizeOf(s.slice(k + 1));
  return strides;
}

/** Row-major index of per-axis indices, with the zeros and ones left out. */
function flatIndexOf(s: Shape, axes: readonly string[]): string {
  const strides = stridesOf(s);
  const terms: string[] = [];
  axes.forEach((a, k) => {
    if (a === '0' || s[k] === 1) return;
    const axis = a.includes(' ') ? `(${a})` : a;
    terms.push(strides[k] === '1' ? a : `${axis} * ${strides[k]!.includes(' ') ? `(${strides[k]})` : strides[k]}`);
  });
  return terms.length === 0 ? '0' : terms.join(' + ');
}

const paren = (e: string) => (/^[\w.[\]!]+$/.test(e) ? e : `(${e})`);

interface FunctionCode {
  lines: string[];
  /** Line indices where one node's code ends and the next begins (where a split may fall). */
  boundaries: number[];
  result: string;
  /** Whether the code keeps its scalars in SCALARS, to be cut into parts. */
  split: boolean;
  /** Slots of SCALARS used (split functions). */
  scalarSlots: number;
  /** Adds the lines that copy the result into `out`. */
  copyOut?: () => void;
}

/** The lines cut at node boundaries into parts of at most PART_LINES (a node's own code is never cut). */
function partsOf(code: FunctionCode): string[][] {
  const parts: string[][] = [];
  let start = 0;
  let last = 0;
  for (const b of [...code.boundaries, code.lines.length]) {
    if (b - start > PART_LINES && last > start) {
      parts.push(code.lines.slice(start, last));
      start = last;
    }
    last = b;
  }
  if (code.lines.length > start) parts.push(code.lines.slice(start));
  return parts;
}

/**
 * A tensor function of more lines than this is split into parts of at most
 * PART_LINES (at node boundaries), its scalars kept in a module-level array:
 * V8 does not optimise a function of a few thousand lines (an MLP of 30
 * layers fell from 16 to 280 microseconds per layer unsplit).
 */
export const MAX_TENSOR_LINES = 1500;
export const PART_LINES = 1000;

export function generateTensorModule(fn: Program, options: ModuleOptions): string {
  const ts = options.language === 'ts';
  const t = (annotation: string) => (ts ? annotation : '');
  const bang = ts ? '!' : '';
  const asBody = options.format === 'function-body';
  const exp = asBody ? '' : 'export ';
  const params = fn.params.map((p) => p.name!);
  const inputs = fn.inputs.map((x) => x.name!);
  const dimNames = [...new Set(fn.inputs.flatMap((x) => x.shape.filter((d): d is string => typeof d === 'string')))];
  const value = valueOf(fn);
  const grads = gradsOf(fn) ?? [];
  const exported = exportsOf(fn);
  const helpers = new Set<Helper>();
  const wasm = options.wasm ?? true;
  /** View slots of the WebAssembly products' call sites (3 each); none: the module has no kernel. */
  let wasmSlots = 0;

  // Flat layout: offsets of every param (literal) and input (expressions of the dimensions).
  const offsets = (leaves: readonly Node[]) => {
    const out: string[] = [];
    let literalPart = 0;
    const terms: string[] = [];
    for (const leaf of leaves) {
      out.push([...(literalPart ? [String(literalPart)] : []), ...terms].join(' + ') || '0');
      const size = sizeOf(leaf.shape);
      if (/^\d+$/.test(size)) literalPart += Number(size);
      else terms.push(size);
    }
    return { each: out, total: [...(literalPart ? [String(literalPart)] : []), ...terms].join(' + ') || '0' };
  };
  const paramOffsets = offsets(fn.params).each;
  const paramSize = offsets(fn.params).total;
  const inputOffsets = offsets(fn.inputs).each;

  // Buffers: one per stored tensor node, shared by both functions.
  const buffers = new Map<Node, string>();
  const bufferOf = (n: Node) => {
    let name = buffers.get(n);
    if (!name) buffers.set(n, (name = `b${buffers.size}`));
    return name;
  };

  /**
   * One function: the nodes `roots` reach, in order, returning the first
   * root's value; `grads` are stored into `grad` as they are computed.
   */
  const functionCode = (roots: readonly Node[], withGrads: boolean, split: boolean): FunctionCode => {
    const result = roots[0]!;
    let scalarSlots = 0;
    /** A scalar's storage: a fresh local, or the next slot of SCALARS (`s`) in a split function. */
    const scalarStorage = (): Extract<Storage, { kind: 'scalar' }> => {
      if (!split) {
        const name = freshName('t');
        return { kind: 'scalar', name, value: name };
      }
      const slot = scalarSlots++;
      return { kind: 'scalar', name: `s[${slot}]`, value: `s[${slot}]${bang}` };
    };
    const boundaries: number[] = [];
    const order = topoOrder(roots);
    const reached = new Set(order);
    const uses = new Map<Node, number>();
    const readers = new Map<Node, Node[]>();
    for (const n of order) {
      for (const a of n.args) {
        uses.set(a, (uses.get(a) ?? 0) + 1);
        const list = readers.get(a) ?? [];
        list.push(n);
        readers.set(a, list);
      }
    }
    // Gradient outputs that are computed nodes write straight into `grad`.
    const gradTarget = new Map<Node, number>();
    if (withGrads) {
      grads.forEach((g, i) => {
        // A gradient that is a reshape of a value used once (a bias's sum over the batch, kept
        // as [1, 16]): that value is computed into `grad`, and the reshape is free.
        let target = g;
        while (!isLeaf(target) && opNamed(target.op).sameElements && uses.get(target.args[0]!) === 1 && !isLeaf(target.args[0]!)) target = target.args[0]!;
        if (!isLeaf(target) && target.shape.length > 0 && !gradTarget.has(target)) gradTarget.set(target, i);
      });
    }

    const storage = new Map<Node, Storage>();
    const lines: string[] = [];
    let depth = 1;
    const line = (text: string) => {
      if (text.startsWith('}')) depth--;
      lines.push(`${'  '.repeat(depth)}${text}`);
      if (text.endsWith('{')) depth++;
    };
    let fresh = 0;
    const freshName = (base: string) => `${base}${fresh++}`;

    for (const leaf of [...fn.params, ...fn.inputs]) {
      const [array, offset] = leaf.op === 'param' ? ['p', paramOffsets[leaf.index!]!] : ['x', inputOffsets[leaf.index!]!];
      if (leaf.shape.length === 0) {
        if (!reached.has(leaf)) continue;
        if (split) {
          storage.set(leaf, { kind: 'scalar', name: `${array}[${offset}]`, value: `${array}[${offset}]${bang}` });
          continue;
        }
        const name = `${array}_${leaf.name}`;
        line(`const ${name} = ${array}[${offset}]${bang};`);
        storage.set(leaf, { kind: 'scalar', name, value: name });
      } else {
        storage.set(leaf, { kind: 'array', array, offset });
      }
    }

    /**
     * Whether `n` is computed where it is read: an elementwise op or a view
     * (broadcast, transpose, index) used once, by a reader that reads each
     * element once (a view may also serve a reader that reads repeatedly).
     */
    const canInline = (n: Node) => {
      if (isSingle(n.shape) || isLeaf(n) || gradTarget.has(n) || n === result) return false;
      const def = opNamed(n.op);
      if ((def.kind !== 'elementwise' && !def.view) || uses.get(n) !== 1) return false;
      const reads = opNamed(readers.get(n)![0]!.op).argumentReads ?? 'once';
      if (reads === 'flat') return false;
      // A computation is fused only where each of its elements is read once: not under a
      // broadcast (which repeats elements) or a product (which re-reads them), directly or
      // through the views fused on the way.
      return def.view !== undefined || !readRepeatedly(n);
    };
    /** Whether the code reading `n` (through single-use views) reads each of its elements more than once. */
    const readRepeatedly = (n: Node): boolean => {
      for (let at = n; ;) {
        const reader = readers.get(at)![0]!;
        const def = opNamed(reader.op);
        if (def.argumentReads === 'repeated' || def.repeats) return true;
        if (!def.view || uses.get(reader) !== 1 || readers.get(reader) === undefined) return false;
        at = reader;
      }
    };

    /** The element of `n` at per-axis indices of its own shape. */
    const read = (n: Node, axes: readonly string[], loopFlat?: { axes: readonly string[]; flat: string }): string => {
      if (n.op === 'const') return literal(n.value!);
      const s = storage.get(n)!;
      switch (s.kind) {
        case 'const': return literal(n.value!);
        case 'scalar': return s.value;
        case 'array': {
          const index = loopFlat && loopFlat.axes === axes ? loopFlat.flat : flatIndexOf(n.shape, axes);
          const at = s.offset === '0' ? index : index === '0' ? s.offset : `${s.offset} + ${index}`;
          return `${s.array}[${at}]${bang}`;
        }
        case 'inline': {
          const def = opNamed(n.op);
          if (def.kind === 'elementwise') {
            if (def.helper) helpers.add(def.helper);
            return paren(def.print!(...n.args.map((a) => paren(read(a, axes, loopFlat)))));
          }
          return read(n.args[0]!, def.view!(n, axes));
        }
      }
    };

    /** Nested loops over a shape; the body gets the axis indices and the running row-major index. */
    const loop = (shape: Shape, body: (axes: readonly string[], flat: string) => void) => {
      if (shape.length === 0) return body([], '0');
      const axes = shape.map(() => freshName('i'));
      if (shape.length === 1) {
        line(`for (let ${axes[0]} = 0; ${axes[0]} < ${dimExpr(shape[0]!)}; ${axes[0]}++) {`);
        body(axes, axes[0]!);
        line('}');
        return;
      }
      const flat = freshName('f');
      line(`let ${flat} = 0;`);
      shape.forEach((d, k) => line(`for (let ${axes[k]} = 0; ${axes[k]} < ${dimExpr(d)}; ${axes[k]}++) {`));
      body(axes, flat);
      line(`${flat}++;`);
      shape.forEach(() => line('}'));
    };
    const dimExpr = (d: Dim) => (typeof d === 'number' ? String(d) : dimVar(d));

    /** Where a matrix's or vector's elements are, if it is stored or the transpose of a stored matrix. */
    const storedView = (a: Node): StoredView | undefined => {
      const s = storage.get(a);
      if (a.shape.length !== 1 && a.shape.length !== 2) return undefined;
      if (s?.kind === 'array') return { array: s.array, offset: s.offset, rowStride: a.shape.length === 2 ? dimExpr(a.shape[1]!) : '1', colStride: '1' };
      const source = a.op === 'transpose' && a.shape.length === 2 ? storage.get(a.args[0]!) : undefined;
      // a[i, t] = source[t, i], source of shape [a's columns, a's rows].
      if (s?.kind === 'inline' && source?.kind === 'array') return { array: source.array, offset: source.offset, rowStride: '1', colStride: dimExpr(a.shape[0]!) };
      return undefined;
    };

    const inlineDepth = new Map<Node, number>();
    for (const n of order) {
      if (storage.has(n) || n.op === 'const') continue;
      // Fused into its reader, unless the fused expression would nest too deep (it is printed recursively).
      const depth = 1 + Math.max(0, ...n.args.map((a) => inlineDepth.get(a) ?? 0));
      if (canInline(n) && depth <= MAX_FUSED_DEPTH) {
        storage.set(n, { kind: 'inline' });
        inlineDepth.set(n, depth);
        continue;
      }
      const def = opNamed(n.op);
      // A reshape of a stored value is that value: the same elements, in the same order.
      const stored = def.sameElements ? storage.get(n.args[0]!) : undefined;
      if (stored?.kind === 'array' || (stored?.kind === 'scalar' && isSingle(n.shape))) {
        storage.set(n, stored);
        continue;
      }
      let target: Storage;
      // One element ([], [1], [1, 1]...): a local, whatever its shape.
      if (isSingle(n.shape) && !gradTarget.has(n)) target = scalarStorage();
      else if (gradTarget.has(n)) target = { kind: 'array', array: 'grad', offset: paramOffsets[gradTarget.get(n)!]! };
      else target = { kind: 'array', array: bufferOf(n), offset: '0' };
      const self = (flat: string) => {
        if (target.kind === 'scalar') return target.name;
        const t2 = target as { array: string; offset: string };
        return `${t2.array}[${t2.offset === '0' ? flat : flat === '0' ? t2.offset : `${t2.offset} + ${flat}`}]`;
      };
      if (def.kind === 'elementwise') {
        if (def.helper) helpers.add(def.helper);
        if (target.kind === 'scalar') {
          line(`${split ? '' : 'const '}${target.name} = ${def.print!(...n.args.map((a) => paren(read(a, []))))};`);
        } else {
          loop(n.shape, (axes, flat) => {
            const here = { axes, flat };
            line(`${self(flat)} = ${def.print!(...n.args.map((a) => paren(read(a, axes, here))))};`);
          });
        }
        storage.set(n, target);
        boundaries.push(lines.length);
        continue;
      }
      if (target.kind === 'scalar') line(`${split ? '' : 'let '}${target.name} = 0;`);
      const ctx: EmitContext = {
        node: n,
        dim: dimExpr,
        size: sizeOf,
        fresh: freshName,
        line,
        loop,
        read: (k, axes) => read(n.args[k]!, axes),
        readFlat: (k, flat) => {
          const a = n.args[k]!;
          const s = storage.get(a);
          if (a.op === 'const' || s?.kind === 'scalar' || s?.kind === 'const') return read(a, []);
          if (s?.kind !== 'array') throw new Error(`internal: ${n.op} reads an argument that is not stored`);
          return `${s.array}[${s.offset === '0' ? flat : `${s.offset} + ${flat}`}]${bang}`;
        },
        self,
        addTo: (flat, v) => (target.kind === 'scalar' ? `${target.name} = ${target.value} + ${v};` : `${self(flat)} = ${self(flat)}${bang} + ${v};`),
        flatIndex: flatIndexOf,
        fill: (v) => {
          if (target.kind === 'scalar') line(`${target.name} = ${v};`);
          else {
            const t2 = target as { array: string; offset: string };
            const size = sizeOf(n.shape);
            line(t2.offset === '0' ? `${t2.array}.fill(${v}, 0, ${size});` : `${t2.array}.fill(${v}, ${t2.offset}, ${t2.offset} + ${size});`);
          }
        },
        argLabel: (k) => {
          const a = n.args[k]!;
          return a.op === 'input' || a.op === 'param' ? `${a.op} '${a.name}'` : 'its argument';
        },
        stored: (k) => storedView(n.args[k]!),
        wasmMatmul: (a, b, m, k, p) => {
          if (!wasm || target.kind !== 'array') return undefined;
          const slot = wasmSlots;
          wasmSlots += 3;
          const view = (v: StoredView) => `${v.array}, ${v.offset}, ${v.rowStride}, ${v.colStride}`;
          return `mmWasm(${slot}, ${view(a)}, ${view(b)}, ${target.array}, ${target.offset}, ${m}, ${k}, ${p})`;
        },
      };
      def.emit!(ctx);
      storage.set(n, target);
      boundaries.push(lines.length);
    }

    if (withGrads) {
      grads.forEach((g, i) => {
        const offset = paramOffsets[i]!;
        const s = storage.get(g);
        if (s?.kind === 'array' && s.array === 'grad' && s.offset === offset) return; // computed in place
        const p = fn.params[i]!;
        if (p.shape.length === 0) {
          line(`grad[${offset}] = ${read(g, [])};`);
          return;
        }
        const f = freshName('f');
        line(`for (let ${f} = 0; ${f} < ${sizeOf(p.shape)}; ${f}++) grad[${offset === '0' ? f : `${offset} + ${f}`}] = ${readAtFlat(g, f)};`);
      });
    }
    /** A stored (or constant) node's element at a row-major index. */
    function readAtFlat(n: Node, flat: string): string {
      if (n.op === 'const') return literal(n.value!);
      const s = storage.get(n)!;
      if (s.kind === 'array') return `${s.array}[${s.offset === '0' ? flat : `${s.offset} + ${flat}`}]${bang}`;
      if (s.kind === 'scalar') return s.value;
      throw new Error('internal: a gradient output is not stored');
    }
    /** Copies the result (an exported binding's value) into `out`. */
    const copyOut = () => {
      if (result.shape.length === 0) line(`out[0] = ${read(result, [])};`);
      else {
        const f = freshName('f');
        line(`for (let ${f} = 0; ${f} < ${sizeOf(result.shape)}; ${f}++) out[${f}] = ${readAtFlat(result, f)};`);
      }
    };
    return { lines, boundaries, result: read(result, []), split, scalarSlots, copyOut };
  };

  /** A function's code, split into parts when it is too large for V8 to optimise. */
  const codeOf = (roots: readonly Node[], withGrads: boolean) => {
    const whole = functionCode(roots, withGrads, false);
    return whole.lines.length > MAX_TENSOR_LINES ? functionCode(roots, withGrads, true) : whole;
  };
  const forward = codeOf([value], false);
  const backward = codeOf([value, ...grads], true);
  const exportCode = exported.map((e) => {
    const code = codeOf([e.node], false);
    code.copyOut!();
    return code;
  });

  const out = headerLines(options, params, inputs);
  const shapeList = (leaves: readonly Node[]) => `[${leaves.map((l) => `[${l.shape.map((d) => (typeof d === 'number' ? String(d) : quote(d))).join(', ')}]`).join(', ')}]`;
  out.push(`${exp}const paramNames = [${params.map(quote).join(', ')}]${t(' as const')};`);
  out.push(`${exp}const paramShapes = ${shapeList(fn.params)}${t(' as const')};`);
  out.push(`${exp}const paramSize = ${paramSize};`);
  out.push(`${exp}const inputNames = [${inputs.map(quote).join(', ')}]${t(' as const')};`);
  out.push(`${exp}const inputShapes = ${shapeList(fn.inputs)}${t(' as const')};`);
  out.push(`${exp}const dimNames = [${dimNames.map(quote).join(', ')}]${t(' as const')};`);
  const typeOf = (n: Node) => (n.shape.length === 0 ? 'number' : 'Float64Array');
  if (ts) {
    // Quoted keys: any ASCII name is a legal parameter, `__proto__` and `new` included.
    const fields = (leaves: readonly Node[]) => (leaves.length ? ` ${leaves.map((n) => `${quote(n.name!)}: ${typeOf(n)};`).join(' ')} ` : '');
    out.push(`${exp}interface Params {${fields(fn.params)}}`);
    out.push(`${exp}interface Inputs {${fields(fn.inputs)}}`);
  }
  out.push('');

  // Scratch buffers: literal sizes once; sizes with a dimension name grow with it.
  const growing = [...buffers].filter(([n]) => !/^\d+$/.test(sizeOf(n.shape)));
  for (const [n, name] of buffers) {
    const size = sizeOf(n.shape);
    out.push(/^\d+$/.test(size) ? `const ${name} = new Float64Array(${size});` : `let ${name} = new Float64Array(0);`);
  }
  const dimArgs = dimNames.map((d) => `${dimVar(d)}${t(': number')}`);
  if (dimNames.length > 0) {
    out.push(`/** The largest size of each dimension so far: the scratch buffers hold that much. */`);
    out.push(`const capacity = [${dimNames.map(() => '0').join(', ')}];`);
    out.push(`/** Checks the dimension sizes (a bad one would make every later call wrong) and grows the buffers. */`);
    out.push(`function reserve(${dimArgs.join(', ')})${t(': void')} {`);
    for (const d of dimNames) {
      out.push(`  if (!Number.isInteger(${dimVar(d)}) || ${dimVar(d)} < 1) throw new RangeError(\`dimension '${d}' must be a positive integer, not \${${dimVar(d)}}\`);`);
    }
    out.push(`  if (${dimNames.map((d, k) => `${dimVar(d)} <= capacity[${k}]${bang}`).join(' && ')}) return;`);
    if (growing.length > 0) {
      // Sized for the new capacities (never smaller than before; half as large again, so a size
      // that creeps up one at a time does not reallocate on every call), kept once all are allocated.
      dimNames.forEach((d, k) => out.push(`  ${dimVar(d)} = ${dimVar(d)} <= capacity[${k}]${bang} ? capacity[${k}]${bang} : Math.max(${dimVar(d)}, Math.ceil(1.5 * capacity[${k}]${bang}));`));
      growing.forEach(([n], i) => out.push(`  const grown${i} = new Float64Array(${sizeOf(n.shape)});`));
      growing.forEach(([, name], i) => out.push(`  ${name} = grown${i};`));
      dimNames.forEach((d, k) => out.push(`  capacity[${k}] = ${dimVar(d)};`));
    } else {
      dimNames.forEach((d, k) => out.push(`  capacity[${k}] = Math.max(capacity[${k}]${bang}, ${dimVar(d)});`));
    }
    out.push('}');
  }
  const scalarSlots = Math.max(forward.scalarSlots, backward.scalarSlots, ...exportCode.map((c) => c.scalarSlots));
  if (scalarSlots > 0) out.push('/** Scalars of the functions that are split into parts (too large for V8 to optimise whole). */', `const SCALARS = new Float64Array(${scalarSlots});`);
  out.push('const NO_INPUTS = new Float64Array(0);');
  if (wasmSlots > 0) for (const l of wasmMatmulLines(ts, wasmSlots)) out.push(l);
  out.push('');
  const dimParams = dimArgs.length ? `, ${dimArgs.join(', ')}` : '';
  const reserveCall = dimNames.length ? `  reserve(${dimNames.map(dimVar).join(', ')});` : undefined;

  out.push('/** The value at flat params `p` and inputs `x` (declaration order, row-major). Allocates nothing. */');
  const f64 = t(': Float64Array');
  const dimCall = dimNames.map((d) => `, ${dimVar(d)}`).join('');
  const partFunctions: string[] = [];
  /** A function's body: its lines, or (split) a call of each part in turn, the parts kept for after. */
  const bodyOf = (name: string, code: FunctionCode, args: string, types: string) => {
    if (!code.split) return code.lines;
    const calls = ['  const s = SCALARS;'];
    partsOf(code).forEach((part, k) => {
      partFunctions.push(`function ${name}Part${k}(${types}${dimParams})${t(': void')} {`, ...part, '}', '');
      calls.push(`  ${name}Part${k}(${args}${dimCall});`);
    });
    return calls;
  };
  out.push(`${exp}function forwardFlat(p${f64}, x${f64} = NO_INPUTS${dimParams})${t(': number')} {`);
  if (reserveCall) out.push(reserveCall);
  for (const l of bodyOf('forward', forward, 'p, x, s', `p${f64}, x${f64}, s${f64}`)) out.push(l);
  out.push(`  return ${forward.result};`, '}', '');

  out.push('/** The value, returned, and the gradient, written into `grad` (the layout of `p`). Allocates nothing. */');
  out.push(`${exp}function backwardFlat(p${f64}, x${f64}, grad${f64}${dimParams})${t(': number')} {`);
  if (reserveCall) out.push(reserveCall);
  for (const l of bodyOf('backward', backward, 'p, x, grad, s', `p${f64}, x${f64}, grad${f64}, s${f64}`)) out.push(l);
  out.push(`  return ${backward.result};`, '}', '');
  exported.forEach(({ binding, node }, i) => {
    out.push(`/** The value of binding \`${binding}\` (shape ${formatShape(node.shape).replace(/[`$\\]/g, '')}), written into \`out\` row-major. Allocates nothing. */`);
    out.push(`${exp}function ${binding}Flat(p${f64}, x${f64}, out${f64}${dimParams})${t(': void')} {`);
    if (reserveCall) out.push(reserveCall);
    for (const l of bodyOf(binding, exportCode[i]!, 'p, x, out, s', `p${f64}, x${f64}, out${f64}, s${f64}`)) out.push(l);
    out.push('}', '');
  });
  if (partFunctions.length > 0) {
    out.push('// Parts of the functions above: V8 optimises functions of a bounded size only.');
    for (const l of partFunctions) out.push(l);
  }

  const errorClass = [...fn.params, ...fn.inputs].some((n) => n.shape.length > 0) ? 'RangeError' : 'TypeError';
  pushNamedApi(out, fn, { errorClass, ts, exp, dimNames, paramOffsets, inputOffsets, paramSize });
  checkExportNames(out, exported.map((e) => e.binding), dimNames.map(dimVar));

  const used = OP_LIST.map((op) => op.helper).filter((h, i, all): h is Helper => h !== undefined && all.indexOf(h) === i && helpers.has(h));
  for (const h of used) {
    out.push('');
    out.push(`function ${h.name}(${h.params.map((p) => `${p}${t(': number')}`).join(', ')})${t(': number')} {`);
    out.push(`  ${h.body}`, '}');
  }
  // Computed keys: `__proto__` is an own key too.
  const exportFlat = exported.map((e) => `[${quote(e.binding)}]: ${e.binding}Flat`).join(', ');
  if (asBody) out.push('', `return { paramNames, paramShapes, paramSize, inputNames, inputShapes, dimNames, forwardFlat, backwardFlat, forward, backward, exportFlat: {${exportFlat ? ` ${exportFlat} ` : ''}} };`);
  const module = out.join('\n') + '\n';
  assertSafe(module, [...params, ...inputs, ...dimNames]);
  return module;
}

/** An exported binding whose function names (`NAME`, `NAMEFlat`) the module already uses for something else. */
export class ExportNameError extends Error {
  constructor(readonly binding: string, readonly taken: string, reason?: string) {
    super(reason ?? `cannot export '${binding}': the module already defines '${taken}'; rename the binding`);
  }
}

/**
 * Each export's two functions must be the only module-level declarations of
 * their names (a binding may be called `forward`, `b0` or `reserve`), and no
 * dimension's local may hide them.
 */
function checkExportNames(lines: readonly string[], bindings: readonly string[], locals: readonly string[]): void {
  if (bindings.length === 0) return;
  const declared = new Map<string, number>();
  for (const l of lines) {
    const m = /^(?:export )?(?:function|const|let|interface) ([A-Za-z_$][\w$]*)/.exec(l);
    if (m) declared.set(m[1]!, (declared.get(m[1]!) ?? 0) + 1);
  }
  for (const b of bindings) {
    const unsafe = unsafeExportName(b);
    if (unsafe !== undefined) throw new ExportNameError(b, b, unsafe);
    for (const name of [b, `${b}Flat`]) {
      if ((declared.get(name) ?? 0) > 1 || locals.includes(name)) throw new ExportNameError(b, name);
    }
  }
}

interface NamedApiOptions {
  /** RangeError (generated.md, v2); TypeError for a module whose params and inputs are all numbers, as v1's. */
  errorClass: 'RangeError' | 'TypeError';
  ts: boolean;
  exp: string;
  dimNames: readonly string[];
  paramOffsets: readonly string[];
  inputOffsets: readonly string[];
  paramSize: string;
}

/**
 * forward/backward with named values: dimension sizes inferred from the
 * arrays' lengths, every length and type checked (RangeError/TypeError that
 * names the value), then the flat functions.
 */
function pushNamedApi(out: string[], fn: Program, o: NamedApiOptions): void {
  const { ts, exp, dimNames } = o;
  const t = (annotation: string) => (ts ? annotation : '');
  const bang = ts ? '!' : '';
  out.push(
    '/** The value named `name` in `v`: a number, or a Float64Array for a tensor; else a RangeError that names it and says what was expected. */',
    `function valueIn(v${t(': object | undefined')}, name${t(': string')}, kind${t(': string')}, tensor${t(': boolean')}, want${t(': string')})${t(': number | Float64Array')} {`,
    `  const x${t(': unknown')} = v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(v, name)`,
    ts ? '    ? (v as Record<string, unknown>)[name]' : '    ? v[name]',
    '    : undefined;',
    '  if (tensor ? !(x instanceof Float64Array) : typeof x !== "number") {',
    '    const got = x === undefined ? "missing" : `not ${want.split(" of ")[0]} (it is ${typeof x === "object" ? Object.prototype.toString.call(x).slice(8, -1) : typeof x})`;',
    `    throw new ${o.errorClass}(\`\${kind} '\${name}' is \${got}: expected \${want}\`);`,
    '  }',
    ts ? '  return x as number | Float64Array;' : '  return x;',
    '}',
    '',
  );
  // Dimensions: each from the first input whose shape holds it as its only dimension name.
  // Dimensions from the inputs' lengths, in passes: an input with one dimension name not yet known
  // (written once in its shape) gives it. Any left (e.g. X: [n, m] alone) come from a `dims` argument.
  const solved: { dim: string; input: Node; literal: number; known: string[] }[] = [];
  const known = new Set<string>();
  for (let progress = true; progress;) {
    progress = false;
    for (const x of fn.inputs) {
      const names = x.shape.filter((d): d is string => typeof d === 'string');
      const unknown = [...new Set(names)].filter((d) => !known.has(d));
      if (unknown.length !== 1 || names.filter((d) => d === unknown[0]).length !== 1) continue;
      const literal = x.shape.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
      solved.push({ dim: unknown[0]!, input: x, literal, known: names.filter((d) => d !== unknown[0]) });
      known.add(unknown[0]!);
      progress = true;
    }
  }
  const given = dimNames.filter((d) => !known.has(d));
  const shapeText = (s: Shape) => formatShape(s).replace(/[`$\\]/g, '');
  const sizeExpr = (s: Shape) => sizeOf(s);
  const inputsArg = (fn.inputs.length > 0 ? `x${t(': Inputs')}` : `x${t('?: Inputs')}`) + (given.length > 0 ? `, dims${t(': Dims')}` : '');
  if (given.length > 0) {
    out.push('/** Sizes of the dimension names no input\'s length determines alone. */');
    if (ts) out.push(`${exp}interface Dims { ${given.map((d) => `${quote(d)}: number;`).join(' ')} }`);
    out.push('');
  }
  const packLines = (call: 'forward' | 'backward' | { binding: string; shape: Shape }) => {
    const lines: string[] = [];
    const want = (n: Node) => quote(n.shape.length === 0 ? 'a number'
      : `a Float64Array of shape ${shapeText(n.shape)}${/^\d+$/.test(sizeOf(n.shape)) ? ` (${sizeOf(n.shape)} elements)` : ''}`);
    fn.inputs.forEach((x, i) => lines.push(`  const in${i} = valueIn(x, ${quote(x.name!)}, "input", ${x.shape.length > 0}, ${want(x)});`));
    for (const d of given) {
      lines.push(`  const ${dimVar(d)} = dims !== null && typeof dims === "object" ? ${ts ? '(dims as unknown as Record<string, unknown>)' : 'dims'}[${quote(d)}] : undefined;`);
      lines.push(`  if (typeof ${dimVar(d)} !== "number" || !Number.isInteger(${dimVar(d)}) || ${dimVar(d)} < 1) throw new RangeError(\`dimension '${d}' must be given in dims as a positive integer, not \${String(${dimVar(d)})}\`);`);
    }
    for (const { dim, input, literal, known: others } of solved) {
      const i = input.index!;
      const divisor = [...(literal === 1 && others.length > 0 ? [] : [String(literal)]), ...others.map(dimVar)].join(' * ');
      lines.push(`  const ${dimVar(dim)} = (in${i} as Float64Array).length / ${others.length > 0 ? `(${divisor})` : divisor};`);
      lines.push(`  if (!Number.isInteger(${dimVar(dim)}) || ${dimVar(dim)} < 1) throw new RangeError(\`input '${input.name}' has \${(in${i} as Float64Array).length} elements: shape ${shapeText(input.shape)} needs a positive multiple of \${${divisor}}\`);`);
    }
    fn.inputs.forEach((x, i) => {
      if (x.shape.length === 0) return;
      lines.push(`  if ((in${i} as Float64Array).length !== ${sizeExpr(x.shape)}) throw new RangeError(\`input '${x.name}' has \${(in${i} as Float64Array).length} elements; shape ${shapeText(x.shape)} needs \${${sizeExpr(x.shape)}}${dimNames.length ? ` (${dimNames.map((d) => `${d} = \${${dimVar(d)}}`).join(', ')})` : ''}\`);`);
    });
    lines.push(`  const pf = new Float64Array(${o.paramSize});`);
    fn.params.forEach((p, i) => {
      const v = `valueIn(p, ${quote(p.name!)}, "param", ${p.shape.length > 0}, ${want(p)})`;
      if (p.shape.length === 0) lines.push(`  pf[${o.paramOffsets[i]}] = ${v} as number;`);
      else {
        lines.push(`  const p${i} = ${v} as Float64Array;`);
        lines.push(`  if (p${i}.length !== ${sizeExpr(p.shape)}) throw new RangeError(\`param '${p.name}' has \${p${i}.length} elements; shape ${shapeText(p.shape)} needs ${sizeExpr(p.shape)}\`);`);
        lines.push(`  pf.set(p${i}, ${o.paramOffsets[i]});`);
      }
    });
    const inputSize = fn.inputs.length ? fn.inputs.map((x) => `(${sizeExpr(x.shape)})`).join(' + ') : '0';
    lines.push(`  const xf = new Float64Array(${inputSize});`);
    fn.inputs.forEach((x, i) => {
      lines.push(x.shape.length === 0 ? `  xf[${o.inputOffsets[i]}] = in${i} as number;` : `  xf.set(in${i} as Float64Array, ${o.inputOffsets[i]});`);
    });
    const dims = dimNames.map((d) => `, ${dimVar(d)}`).join('');
    if (call === 'backward') {
      lines.push(`  const g = new Float64Array(${o.paramSize});`);
      lines.push(`  const value = backwardFlat(pf, xf, g${dims});`);
    } else if (call === 'forward') {
      lines.push(`  return forwardFlat(pf, xf${dims});`);
    } else {
      lines.push(`  const out = new Float64Array(${sizeOf(call.shape)});`);
      lines.push(`  ${call.binding}Flat(pf, xf, out${dims});`);
      lines.push(call.shape.length === 0 ? `  return out[0]${bang};` : '  return out;');
    }
    return lines;
  };
  const strip = (lines: string[]) => (ts ? lines : lines.map((l) => l.replace(/ as (Float64Array|number)\b/g, '')));
  out.push('/** The value at named params and inputs (tensors as Float64Arrays, row-major). */');
  out.push(`${exp}function forward(p${t(': Params')}, ${inputsArg})${t(': number')} {`);
  for (const l of strip(packLines('forward'))) out.push(l);
  out.push('}', '');
  out.push('/** The value and the gradient with respect to every param (fresh Float64Arrays for tensors). */');
  out.push(`${exp}function backward(p${t(': Params')}, ${inputsArg})${t(': { value: number; grad: Params }')} {`);
  for (const l of strip(packLines('backward'))) out.push(l);
  const fields = fn.params.map((p, i) => {
    const off = o.paramOffsets[i]!;
    return p.shape.length === 0 ? `[${quote(p.name!)}]: g[${off}]${bang}` : `[${quote(p.name!)}]: g.slice(${off}, ${off === '0' ? '' : `${off} + `}${sizeOf(p.shape)})`;
  });
  out.push(`  const grad${t(': Params')} = {${fields.length ? ` ${fields.join(', ')} ` : ''}};`);
  out.push('  return { value, grad };', '}');
  for (const { binding, node } of exportsOf(fn)) {
    out.push('', `/** The value of binding \`${binding}\` at named params and inputs${node.shape.length ? ' (a fresh Float64Array, row-major)' : ''}. */`);
    out.push(`${exp}function ${binding}(p${t(': Params')}, ${inputsArg})${t(node.shape.length ? ': Float64Array' : ': number')} {`);
    for (const l of strip(packLines({ binding, shape: node.shape }))) out.push(l);
    out.push('}');
  }
}
