/**
 * IR -> LaTeX, for KaTeX. One table from op name to a template; each operand
 * is parenthesised when it binds more loosely than the template needs.
 * Shared subexpressions are not expanded again and again: a node gets a name
 * (its source binding's, else t₁, t₂, ...) when a binding names it, when it is
 * used more than once and is not tiny, or when it alone would be too long.
 * Nodes are visited in topological order (no recursion: IR can be very deep).
 */
import { formatNumber, topoOrder, type Node } from '@autodiff/ir';

/** How tightly a printed form binds: operands looser than an operator needs get parentheses. */
const SUM = 1;
const PRODUCT = 2;
const UNARY = 3;
const POWER = 4;
const ATOM = 5;

interface Printed {
  text: string;
  precedence: number;
}

/** An operand slot: the operand's text, parenthesised if it binds looser than `min`. */
type Slot = (i: number, min?: number) => string;

interface Template {
  precedence: number;
  print: (arg: Slot, args: readonly Node[]) => string;
}

const call = (name: string): Template => ({
  precedence: ATOM,
  print: (arg, args) => `${name}\\left(${args.map((_, i) => arg(i, 0)).join(', ')}\\right)`,
});

const TEMPLATES: Readonly<Record<string, Template>> = {
  add: { precedence: SUM, print: (a) => `${a(0, SUM)} + ${a(1, SUM)}` },
  sub: { precedence: SUM, print: (a) => `${a(0, SUM)} - ${a(1, PRODUCT)}` },
  mul: {
    precedence: PRODUCT,
    print: (a, args) => {
      if (args[0] === args[1]) return `${a(0, ATOM)}^{2}`;
      // A number first reads as a coefficient: 2 x, not 2 \cdot x.
      const coefficient = args[0]!.op === 'const' && args[1]!.op !== 'const';
      return coefficient ? `${a(0, UNARY)}\\,${a(1, PRODUCT)}` : `${a(0, PRODUCT)} \\cdot ${a(1, PRODUCT)}`;
    },
  },
  div: { precedence: POWER, print: (a) => `\\frac{${a(0, 0)}}{${a(1, 0)}}` },
  neg: { precedence: UNARY, print: (a) => `-${a(0, PRODUCT)}` },
  pow: { precedence: POWER, print: (a) => `${a(0, ATOM)}^{${a(1, 0)}}` },
  sqrt: { precedence: ATOM, print: (a) => `\\sqrt{${a(0, 0)}}` },
  abs: { precedence: ATOM, print: (a) => `\\left|${a(0, 0)}\\right|` },
  exp: call('\\exp'),
  log: call('\\log'),
  sin: call('\\sin'),
  cos: call('\\cos'),
  tan: call('\\tan'),
  asin: call('\\arcsin'),
  acos: call('\\arccos'),
  atan: call('\\arctan'),
  sinh: call('\\sinh'),
  cosh: call('\\cosh'),
  tanh: call('\\tanh'),
  sech2: { precedence: ATOM, print: (a) => `\\operatorname{sech}^{2}\\left(${a(0, 0)}\\right)` },
  sigmoid: call('\\sigma'),
  min: call('\\min'),
  max: call('\\max'),
  sign: call('\\operatorname{sign}'),
  // step(x) is 1 for x > 0, else 0: an Iverson bracket.
  step: { precedence: ATOM, print: (a) => `\\left[${a(0, 0)} > 0\\right]` },
};

/** Any op without a row prints as a named function: new ops still render. */
const templateOf = (op: string): Template => TEMPLATES[op] ?? call(`\\operatorname{${op.replace(/_/g, '\\_')}}`);

const GREEK = new Set(['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda',
  'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'phi', 'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi',
  'Sigma', 'Phi', 'Psi', 'Omega']);

/** A source name as a math symbol: `x1` -> x_{1}, `alpha` -> \alpha, `lr_decay` -> \mathit{lr\_decay}. */
export function latexName(name: string): string {
  const m = /^([A-Za-z]+)(\d+)$/.exec(name);
  if (m && (m[1]!.length === 1 || GREEK.has(m[1]!))) return `${latexName(m[1]!)}_{${m[2]}}`;
  if (name.length === 1) return name;
  if (GREEK.has(name)) return `\\${name}`;
  return `\\mathit{${name.replace(/_/g, '\\_')}}`;
}

export function latexNumber(v: number): string {
  if (v === Math.PI) return '\\pi';
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (!Number.isFinite(v)) return v > 0 ? '\\infty' : '-\\infty';
  const text = formatNumber(v);
  const e = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  return e ? `${e[1]} \\times 10^{${Number(e[2])}}` : text;
}

export interface LatexOptions {
  /** Names for nodes (source bindings); a named node prints as its name inside other expressions. */
  names: ReadonlyMap<Node, string>;
  /** A node used more than once is named when it has more than this many ops. */
  sharedSize?: number;
  /** Any node is named when it alone would have more than this many ops. */
  maxSize?: number;
}

export interface LatexResult {
  /** Each root's expression. */
  roots: string[];
  /** The named subexpressions the roots use, each after the ones it uses. */
  definitions: { name: string; latex: string }[];
}

/** LaTeX for each root, naming shared and large subexpressions. */
export function toLatex(roots: readonly Node[], options: LatexOptions): LatexResult {
  const sharedSize = options.sharedSize ?? 3;
  const maxSize = options.maxSize ?? 24;
  const order = topoOrder(roots);
  const uses = new Map<Node, number>();
  for (const n of order) for (const a of n.args) uses.set(a, (uses.get(a) ?? 0) + 1);

  const printed = new Map<Node, Printed>();
  const size = new Map<Node, number>();
  const named = new Map<Node, string>();
  const definitions: { name: string; latex: string }[] = [];
  const usedNames = new Set(options.names.values());
  for (const n of order) if (n.name !== undefined) usedNames.add(n.name);
  let counter = 0;
  const freshName = () => {
    let name: string;
    do name = `t${++counter}`; while (usedNames.has(name));
    usedNames.add(name);
    return name;
  };

  const rootSet = new Set(roots);
  const rootText = new Map<Node, string>();
  for (const n of order) {
    let p: Printed;
    let ops = 0;
    if (n.op === 'param' || n.op === 'input') p = { text: latexName(n.name!), precedence: ATOM };
    else if (n.op === 'const') {
      const text = latexNumber(n.value!);
      p = { text, precedence: text.startsWith('-') ? UNARY : text.includes('\\times') ? PRODUCT : ATOM };
    } else {
      const template = templateOf(n.op);
      const slot: Slot = (i, min = 0) => {
        const a = printed.get(n.args[i]!)!;
        return a.precedence < min ? `\\left(${a.text}\\right)` : a.text;
      };
      p = { text: template.print(slot, n.args), precedence: template.precedence };
      ops = 1 + n.args.reduce((s, a) => s + (size.get(a) ?? 0), 0);
    }
    const sourceName = options.names.get(n);
    const shouldName = ops > 0 && (sourceName !== undefined
      || ((uses.get(n) ?? 0) > 1 && ops > sharedSize)
      || ops > maxSize);
    // A root prints in full; it is named only if something else uses it too.
    if (shouldName && (!rootSet.has(n) || (uses.get(n) ?? 0) > 0)) {
      const name = sourceName ?? freshName();
      named.set(n, name);
      definitions.push({ name: latexName(name), latex: p.text });
      printed.set(n, { text: latexName(name), precedence: ATOM });
      size.set(n, 0);
    } else {
      printed.set(n, p);
      size.set(n, ops);
    }
    if (rootSet.has(n) && named.has(n)) rootText.set(n, p.text);
  }
  return {
    roots: roots.map((r) => rootText.get(r) ?? printed.get(r)!.text),
    definitions,
  };
}
