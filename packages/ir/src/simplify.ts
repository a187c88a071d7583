/**
 * Algebraic simplification as data: one rule per line, `pattern -> rewrite`.
 *
 * Every rule gives the same IEEE-754 result as the expression it replaces for
 * every input, bit for bit: NaN, ±Infinity and the sign of a zero included
 * (1/x turns a zero's sign into an infinity's). That is why `x*0 -> 0` and
 * `x-x -> 0` are absent (Inf*0 and Inf-Inf are NaN), `exp(log(x)) -> x` is absent
 * (NaN for x < 0) and so is `log(exp(x)) -> x` (exp overflows past x = 709).
 * No rule drops a subexpression that depends on a variable (`x^0 -> 1` would):
 * its gradient still flows, and is NaN where its derivative is, as in PyTorch.
 * Constant operands are folded by the graph itself.
 *
 * Variables x, y match any node; k, k1, k2 match constants only. A rule may
 * carry a guard on its constants (e.g. exact only for a power of two).
 * Rules are for elementwise ops, whose arguments all have the result's shape
 * (the graph broadcasts explicitly): `x * 1 -> x` can never drop a broadcast,
 * because a 1 that broadcasts x is `mul(broadcast(x), 1)` and gives that.
 */
import type { Graph, Rewriter } from './graph.js';
import type { Node } from './node.js';
import type { OpName } from './op-names.js';

/** ±2^n with n >= 0: multiplying by it is exact unless it overflows. */
export const isPowerOfTwoAtLeastOne = (k: number) => {
  const a = Math.abs(k);
  return a >= 1 && Number.isFinite(a) && 2 ** Math.round(Math.log2(a)) === a;
};

type Guard = (constants: Record<string, number>) => boolean;

const RULES: readonly (readonly [string, string, Guard?])[] = [
  ['add(x, -0)', 'x'],                 // x + -0 -> x (x + 0 is not: -0 + 0 is +0)
  ['add(-0, x)', 'x'],                 // -0 + x -> x
  ['sub(x, 0)', 'x'],                  // x - 0 -> x
  ['sub(-0, x)', 'neg(x)'],            // -0 - x -> -x (0 - x is not: 0 - 0 is +0)
  ['mul(x, 1)', 'x'],                  // x * 1 -> x
  ['mul(1, x)', 'x'],                  // 1 * x -> x
  ['mul(x, -1)', 'neg(x)'],            // x * -1 -> -x
  ['mul(-1, x)', 'neg(x)'],            // -1 * x -> -x
  ['div(x, 1)', 'x'],                  // x / 1 -> x
  ['div(x, -1)', 'neg(x)'],            // x / -1 -> -x
  ['neg(neg(x))', 'x'],                // --x -> x
  ['add(x, neg(y))', 'sub(x, y)'],     // x + -y -> x - y
  ['add(neg(x), y)', 'sub(y, x)'],     // -x + y -> y - x
  ['sub(x, neg(y))', 'add(x, y)'],     // x - -y -> x + y
  ['mul(neg(x), neg(y))', 'mul(x, y)'], // -x * -y -> x * y
  ['mul(neg(x), y)', 'neg(mul(x, y))'], // -x * y -> -(x * y)
  ['mul(x, neg(y))', 'neg(mul(x, y))'], // x * -y -> -(x * y)
  ['div(neg(x), y)', 'neg(div(x, y))'], // -x / y -> -(x / y)
  ['div(x, neg(y))', 'neg(div(x, y))'], // x / -y -> -(x / y)
  ['add(x, x)', 'mul(2, x)'],          // x + x -> 2x (exact in binary floating point)
  ['pow(x, 1)', 'x'],                  // x^1 -> x
  ['pow(x, -1)', 'div(1, x)'],         // x^-1 -> 1/x
  ['neg(mul(k, x))', 'mul(neg(k), x)'], // -(k x) -> (-k) x
  // k1 (k2 x) -> (k1 k2) x: k2 x is exact (it only scales), so both round once;
  // |k1| >= 1 and a finite k1 k2 make both overflow alike.
  ['mul(k1, mul(k2, x))', 'mul(mul(k1, k2), x)', ({ k1, k2 }) => isPowerOfTwoAtLeastOne(k2!) && Math.abs(k1!) >= 1 && Number.isFinite(k1! * k2!)],
];

/** A pattern: a variable name, a numeric literal, or an op applied to patterns. */
export type Pattern = { kind: 'var'; name: string } | { kind: 'num'; value: number } | { kind: 'op'; op: string; args: Pattern[] };

export function parsePattern(text: string): Pattern {
  let pos = 0;
  const skip = () => { while (text[pos] === ' ') pos++; };
  const read = (): Pattern => {
    skip();
    const m = /^(-?[0-9.]+|[a-zA-Z_]\w*)/.exec(text.slice(pos));
    if (!m) throw new Error(`internal: bad rule pattern '${text}'`);
    const word = m[1]!;
    pos += word.length;
    if (/^-?[0-9.]/.test(word)) return { kind: 'num', value: Number(word) };
    skip();
    if (text[pos] !== '(') return { kind: 'var', name: word };
    pos++;
    const args: Pattern[] = [];
    for (;;) {
      args.push(read());
      skip();
      const c = text[pos++];
      if (c === ')') break;
      if (c !== ',') throw new Error(`internal: bad rule pattern '${text}'`);
    }
    return { kind: 'op', op: word, args };
  };
  const p = read();
  skip();
  if (pos !== text.length) throw new Error(`internal: bad rule pattern '${text}'`);
  return p;
}

/** A compiled pattern: tests a node, binding variables into slots of `env`. */
type Matcher = (n: Node, env: (Node | undefined)[]) => boolean;

function compileMatcher(p: Pattern, slots: Map<string, number>): Matcher {
  switch (p.kind) {
    case 'num': {
      const value = p.value;
      return (n) => n.op === 'const' && Object.is(n.value, value); // 0 and -0 are different constants
    }
    case 'var': {
      let slot = slots.get(p.name);
      if (slot === undefined) slots.set(p.name, (slot = slots.size));
      const i = slot;
      const constantOnly = isConstantVariable(p.name);
      return (n, env) => {
        const bound = env[i];
        if (bound) return bound === n; // hash-consing: equal structure is identity
        if (constantOnly && n.op !== 'const') return false;
        env[i] = n;
        return true;
      };
    }
    case 'op': {
      const { op } = p;
      const args = p.args.map((a) => compileMatcher(a, slots));
      return (n, env) => {
        if (n.op !== op) return false;
        for (let k = 0; k < args.length; k++) if (!args[k]!(n.args[k]!, env)) return false;
        return true;
      };
    }
  }
}

function build(g: Graph, p: Pattern, slots: Map<string, number>, env: (Node | undefined)[]): Node {
  switch (p.kind) {
    case 'num': return g.const(p.value);
    case 'var': return env[slots.get(p.name)!]!;
    case 'op': return g.make(p.op as OpName, p.args.map((a) => build(g, a, slots, env)));
  }
}

/** Pattern variables named k, k1, k2, ... match constants only. */
export const isConstantVariable = (name: string) => /^k\d*$/.test(name);

interface Rule {
  /** Matches the rule's left side, given the node's op already matches. */
  matchArgs: Matcher[];
  slots: Map<string, number>;
  rhs: Pattern;
  guard?: Guard;
}

function guardHolds(rule: Rule, env: (Node | undefined)[]): boolean {
  if (!rule.guard) return true;
  const constants: Record<string, number> = {};
  for (const [name, slot] of rule.slots) if (isConstantVariable(name)) constants[name] = env[slot]!.value!;
  return rule.guard(constants);
}

const rulesByOp = new Map<string, Rule[]>();
for (const [lhsText, rhsText, guard] of RULES) {
  const lhs = parsePattern(lhsText);
  if (lhs.kind !== 'op') throw new Error(`internal: rule '${lhsText}' must start with an op`);
  const slots = new Map<string, number>();
  const rule: Rule = { matchArgs: lhs.args.map((a) => compileMatcher(a, slots)), slots, rhs: parsePattern(rhsText), ...(guard ? { guard } : {}) };
  const list = rulesByOp.get(lhs.op) ?? [];
  list.push(rule);
  rulesByOp.set(lhs.op, list);
}

/** Pattern variables of the rule with the most: the length of a matching environment. */
const MAX_SLOTS = Math.max(...[...rulesByOp.values()].flat().map((r) => r.slots.size));
// Matching and guards never re-enter the simplifier, so every attempt can share
// one environment (most attempts fail); a match builds from its own copy, since
// `build` may re-enter the simplifier and match other rules.
const scratch: (Node | undefined)[] = new Array(MAX_SLOTS).fill(undefined);

/** The graph rewriter that applies the rules above to every node as it is made. */
export const simplifier: Rewriter = (g, op, args) => {
  const rules = rulesByOp.get(op);
  if (!rules) return undefined;
  for (const rule of rules) {
    scratch.fill(undefined);
    let matched = true;
    for (let k = 0; k < rule.matchArgs.length && matched; k++) matched = rule.matchArgs[k]!(args[k]!, scratch);
    if (matched && guardHolds(rule, scratch)) return build(g, rule.rhs, rule.slots, scratch.slice());
  }
  return undefined;
};

export const SIMPLIFY_RULES = RULES;
