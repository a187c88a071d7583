/**
 * IR -> LaTeX, for KaTeX. Each op is written in the LaTeX form the op table
 * gives it (`OPS[op].latex` in @autodiff/ir: a precedence and a printer);
 * each operand is parenthesised when it binds more loosely than the form
 * needs. Shared subexpressions are not expanded again and again: a node gets
 * a name (its source binding's, else t₁, t₂, ...) when a binding names it,
 * when it is used more than once and is not tiny, or when it alone would be
 * too long. Nodes are visited in topological order (no recursion: IR can be
 * very deep).
 */
import { formatNumber, LATEX_PRECEDENCE as P, OPS, topoOrder, type LatexForm, type LatexSlot, type Node } from '@autodiff/ir';

interface Printed {
  text: string;
  precedence: number;
}

/** Every op has a form in the table; one the table does not know (a newer IR) still prints, as a named function. */
const formOf = (op: string): LatexForm =>
  Object.prototype.hasOwnProperty.call(OPS, op)
    ? OPS[op as keyof typeof OPS].latex
    : { precedence: P.atom, print: (a, args) => `\\operatorname{${op.replace(/_/g, '\\_')}}\\left(${args.map((_, i) => a(i, 0)).join(', ')}\\right)` };

const isStructural = (op: string) => Object.prototype.hasOwnProperty.call(OPS, op) && OPS[op as keyof typeof OPS].kind === 'structural';

/** Whether LaTeX text ends in a subscript group (`x_{1}`): another subscript right after it would be a KaTeX error. */
function endsInSubscript(text: string): boolean {
  if (!text.endsWith('}')) return false;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === '}' && text[i - 1] !== '\\') depth++;
    else if (c === '{' && text[i - 1] !== '\\' && --depth === 0) return text[i - 1] === '_';
  }
  return false;
}

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

function constant(n: Node): Printed {
  const text = latexNumber(n.value!);
  return { text, precedence: text.startsWith('-') ? P.unary : text.includes('\\times') ? P.product : P.atom };
}

/**
 * A shaped constant (every element one number) where its shape matters: the
 * operand of a structural op (`@`, a reduction, ...). Zeros and ones are the
 * bold 0 and 1 with the shape under them; other numbers scale a bold 1. In
 * elementwise ops it is just its number, as broadcasting is implicit in math.
 */
function shapedConstant(n: Node): Printed {
  const shape = n.shape.map((d) => (typeof d === 'number' ? String(d) : latexName(d))).join(' \\times ');
  if (n.value === 0 || n.value === 1) return { text: `\\mathbf{${n.value}}_{${shape}}`, precedence: P.atom };
  const number = constant(n);
  return { text: `${number.text}\\,\\mathbf{1}_{${shape}}`, precedence: Math.min(number.precedence, P.product) };
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
    if (n.op === 'param' || n.op === 'input') p = { text: latexName(n.name!), precedence: P.atom };
    else if (n.op === 'const') p = constant(n);
    else {
      const form = formOf(n.op);
      const structural = isStructural(n.op);
      // The form gets a placeholder per operand; the operands go in afterwards, so one the form
      // subscripts that already ends in a subscript can be grouped ({W_{1}}_{0}: W_{1}_{0} is a KaTeX error).
      const pieces: string[] = [];
      const slot: LatexSlot = (i, min = 0) => {
        const arg = n.args[i]!;
        const a = structural && arg.op === 'const' && arg.shape.length > 0 ? shapedConstant(arg) : printed.get(arg)!;
        pieces.push(a.precedence < min ? `\\left(${a.text}\\right)` : a.text);
        return `\u0000${pieces.length - 1}\u0000`;
      };
      const text = form.print(slot, n.args, n).replace(/\u0000(\d+)\u0000(_?)/g, (_, k: string, sub: string) => {
        const piece = pieces[Number(k)]!;
        return (sub && endsInSubscript(piece) ? `{${piece}}` : piece) + sub;
      });
      p = { text, precedence: form.precedence };
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
      printed.set(n, { text: latexName(name), precedence: P.atom });
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
