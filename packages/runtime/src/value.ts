/**
 * A micrograd-style tape engine: every operation creates a `Value` node that
 * remembers its inputs and a closure that adds its local gradient into them.
 *
 * This engine is the project's independent witness for the compiler's
 * gradients, so every local derivative below is written by hand here and
 * shares no code with the compiler's op table.
 */
import { gelu, geluGrad, sech2, sigmoid, sigmoidGrad, softplus } from './scalar-math.js';

/** Adds this node's contribution to its children, given d(root)/d(this node). */
type Backward = (g: number) => void;

const NO_CHILDREN: readonly Value[] = Object.freeze([]);
const noBackward: Backward = () => {};


export class Value {
  data: number;
  /** d(root)/d(this), filled in by `backward()` on some root. */
  grad = 0;
  label: string;
  readonly children: readonly Value[];
  readonly op: string;
  private readonly backwardFn: Backward;

  /**
   * `new Value(x)` makes a leaf. The last three arguments are for the
   * operation methods below, which build interior nodes.
   */
  constructor(data: number, label = '', children: readonly Value[] = NO_CHILDREN, op = '', backward: Backward = noBackward) {
    this.data = data;
    this.label = label;
    this.children = children;
    this.op = op;
    this.backwardFn = backward;
  }

  // ---- binary operations: the other operand may be a plain number (a constant, which gets no gradient) ----

  add(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    return new Value(a.data + num(other), '', kids(a, b), '+', (g) => {
      a.grad += g;
      if (b) b.grad += g;
    });
  }

  sub(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    return new Value(a.data - num(other), '', kids(a, b), '-', (g) => {
      a.grad += g;
      if (b) b.grad += -g;
    });
  }

  mul(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    const bv = num(other);
    return new Value(a.data * bv, '', kids(a, b), '*', (g) => {
      a.grad += g * bv;
      if (b) b.grad += g * a.data;
    });
  }

  div(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    const bv = num(other);
    return new Value(a.data / bv, '', kids(a, b), '/', (g) => {
      a.grad += g / bv;
      // d(a/b)/db = -a/b^2, divided twice so b^2 cannot overflow
      if (b) b.grad += (-g * (a.data / bv)) / bv;
    });
  }

  /**
   * a^b. d/da = b*a^(b-1), d/db = a^b*log(a). Where these formulas give 0*inf
   * we follow PyTorch: d/da = 0 when b == 0 (whatever g is), and the factor
   * a^b*log(a) is 0 when a == 0 and b >= 0 (then multiplied by g).
   */
  pow(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    const bv = num(other);
    const out = Math.pow(a.data, bv);
    return new Value(out, '', kids(a, b), '^', (g) => {
      a.grad += bv === 0 ? 0 : g * (bv * Math.pow(a.data, bv - 1));
      if (b) b.grad += g * (a.data === 0 && bv >= 0 ? 0 : out * Math.log(a.data));
    });
  }

  /**
   * min(a, b). As PyTorch's `minimum`: the larger side gets nothing (even if g
   * is NaN or infinite), a tie sends half of g to each side, and when one side
   * is NaN neither is larger, so both get g.
   */
  min(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    const bv = num(other);
    return new Value(Math.min(a.data, bv), '', kids(a, b), 'min', (g) => {
      a.grad += share(g, a.data > bv, a.data === bv);
      if (b) b.grad += share(g, bv > a.data, a.data === bv);
    });
  }

  /** max(a, b), as PyTorch's `maximum` (see min). */
  max(other: Value | number): Value {
    const a = this;
    const b = other instanceof Value ? other : null;
    const bv = num(other);
    return new Value(Math.max(a.data, bv), '', kids(a, b), 'max', (g) => {
      a.grad += share(g, a.data < bv, a.data === bv);
      if (b) b.grad += share(g, bv < a.data, a.data === bv);
    });
  }

  // ---- unary operations ----

  neg(): Value {
    const x = this;
    return new Value(-x.data, '', [x], 'neg', (g) => {
      x.grad += -g;
    });
  }

  sin(): Value {
    const x = this;
    return new Value(Math.sin(x.data), '', [x], 'sin', (g) => {
      x.grad += g * Math.cos(x.data);
    });
  }

  cos(): Value {
    const x = this;
    return new Value(Math.cos(x.data), '', [x], 'cos', (g) => {
      x.grad += -g * Math.sin(x.data);
    });
  }

  tan(): Value {
    const x = this;
    const t = Math.tan(x.data);
    return new Value(t, '', [x], 'tan', (g) => {
      x.grad += g * (1 + t * t);
    });
  }

  asin(): Value {
    const x = this;
    return new Value(Math.asin(x.data), '', [x], 'asin', (g) => {
      // (1-x)(1+x) instead of 1-x^2: no cancellation near |x| = 1
      x.grad += g / Math.sqrt((1 - x.data) * (1 + x.data));
    });
  }

  acos(): Value {
    const x = this;
    return new Value(Math.acos(x.data), '', [x], 'acos', (g) => {
      x.grad += -g / Math.sqrt((1 - x.data) * (1 + x.data));
    });
  }

  atan(): Value {
    const x = this;
    return new Value(Math.atan(x.data), '', [x], 'atan', (g) => {
      x.grad += g / (1 + x.data * x.data);
    });
  }

  sinh(): Value {
    const x = this;
    return new Value(Math.sinh(x.data), '', [x], 'sinh', (g) => {
      x.grad += g * Math.cosh(x.data);
    });
  }

  cosh(): Value {
    const x = this;
    return new Value(Math.cosh(x.data), '', [x], 'cosh', (g) => {
      x.grad += g * Math.sinh(x.data);
    });
  }

  tanh(): Value {
    const x = this;
    return new Value(Math.tanh(x.data), '', [x], 'tanh', (g) => {
      x.grad += g * sech2(x.data);
    });
  }

  exp(): Value {
    const x = this;
    const e = Math.exp(x.data);
    return new Value(e, '', [x], 'exp', (g) => {
      x.grad += g * e;
    });
  }

  log(): Value {
    const x = this;
    return new Value(Math.log(x.data), '', [x], 'log', (g) => {
      x.grad += g / x.data;
    });
  }

  log1p(): Value {
    const x = this;
    return new Value(Math.log1p(x.data), '', [x], 'log1p', (g) => {
      x.grad += g / (1 + x.data);
    });
  }

  sqrt(): Value {
    const x = this;
    const r = Math.sqrt(x.data);
    return new Value(r, '', [x], 'sqrt', (g) => {
      x.grad += g / (2 * r);
    });
  }

  /** abs' is the sign, 0 at 0 and at NaN (PyTorch's convention, torch.sign). */
  abs(): Value {
    const x = this;
    return new Value(Math.abs(x.data), '', [x], 'abs', (g) => {
      x.grad += g * (x.data > 0 ? 1 : x.data < 0 ? -1 : 0);
    });
  }

  sigmoid(): Value {
    const x = this;
    return new Value(sigmoid(x.data), '', [x], 'sigmoid', (g) => {
      x.grad += g * sigmoidGrad(x.data);
    });
  }

  /** relu' is 0 where x <= 0, else 1: relu'(0) = 0 and relu'(NaN) = 1 (PyTorch's convention). */
  relu(): Value {
    const x = this;
    return new Value(Math.max(x.data, 0), '', [x], 'relu', (g) => {
      x.grad += x.data <= 0 ? 0 : g;
    });
  }

  softplus(): Value {
    const x = this;
    return new Value(softplus(x.data), '', [x], 'softplus', (g) => {
      x.grad += g * sigmoid(x.data);
    });
  }

  /**
   * gelu, tanh approximation, in the stable form of scalar-math.ts.
   */
  gelu(): Value {
    const x = this;
    return new Value(gelu(x.data), '', [x], 'gelu', (g) => {
      x.grad += g * geluGrad(x.data);
    });
  }

  // ---- gradients ----

  /**
   * Sets `grad` on every node of the graph to d(this)/d(node).
   *
   * Every grad in the graph is first reset to 0, so calling `backward()` twice
   * gives the same grads as calling it once (no silent double counting). The
   * flip side: gradients of two different roots are not summed into shared
   * nodes; add the roots first and call `backward()` on the sum for that.
   */
  backward(): void {
    const order = topologicalOrder(this);
    for (const v of order) v.grad = 0;
    this.grad = 1;
    for (let i = order.length - 1; i >= 0; i--) {
      const v = order[i]!;
      v.backwardFn(v.grad);
    }
  }

  /** Sets grad = 0 on every node of the graph under this one. */
  zeroGrad(): void {
    for (const v of topologicalOrder(this)) v.grad = 0;
  }
}

/**
 * Every node reachable from `root`, each once, children before parents (so
 * `root` is last). Depth-first with an explicit stack: a graph a million
 * nodes deep must not overflow the call stack.
 */
export function topologicalOrder(root: Value): Value[] {
  const order: Value[] = [];
  const seen = new Set<Value>([root]);
  const stack: Value[] = [root];
  const nextChild: number[] = [0]; // per stack entry: which child to visit next
  while (stack.length > 0) {
    const top = stack.length - 1;
    const v = stack[top]!;
    const i = nextChild[top]!;
    if (i < v.children.length) {
      nextChild[top] = i + 1;
      const c = v.children[i]!;
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
        nextChild.push(0);
      }
    } else {
      order.push(v);
      stack.pop();
      nextChild.pop();
    }
  }
  return order;
}

function num(x: Value | number): number {
  return x instanceof Value ? x.data : x;
}

function kids(a: Value, b: Value | null): readonly Value[] {
  return b ? [a, b] : [a];
}

/** What one side of min/max gets of the cotangent g: nothing if it loses, half on a tie, else all. */
function share(g: number, loses: boolean, tie: boolean): number {
  return loses ? 0 : tie ? g / 2 : g;
}
