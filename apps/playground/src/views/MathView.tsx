/** The value and each partial derivative as typeset math (KaTeX), from the simplified IR. */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';
import type { MathModel, TooLarge } from '../worker/protocol.js';

function TeX({ latex, testId }: { latex: string; testId?: string }) {
  const html = useMemo(
    () => katex.renderToString(latex, { displayMode: true, throwOnError: false, strict: 'ignore', maxExpand: 10_000 }),
    [latex],
  );
  return <div className="tex" data-testid={testId} data-latex={latex} dangerouslySetInnerHTML={{ __html: html }} />;
}

export function MathView({ math }: { math: MathModel | TooLarge }) {
  if ('tooLarge' in math) {
    return (
      <p className="notice" data-testid="math-too-large">
        The program has {math.nodeCount} IR nodes; derivatives are typeset for programs up to {math.limit}.
      </p>
    );
  }
  const y = math.outputName;
  return (
    <div className="math">
      <TeX latex={`${y} = ${math.value}`} testId="math-value" />
      {math.partials.map((p) => (
        <TeX key={p.param} latex={`\\frac{\\partial ${y}}{\\partial ${p.param}} = ${p.latex}`} testId="math-partial" />
      ))}
      {math.partials.length === 0 && <p className="muted">The program has no params, so there is nothing to differentiate.</p>}
      {math.definitions.length > 0 && (
        <>
          <h3>where</h3>
          {math.definitions.map((d) => <TeX key={d.name} latex={`${d.name} = ${d.latex}`} />)}
        </>
      )}
      <p className="muted small">
        Read off the simplified IR that the code is generated from: shared subexpressions keep their names
        from the source (or get t₁, t₂, …) instead of being written out again.
      </p>
    </div>
  );
}
