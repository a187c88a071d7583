/**
 * The computation graph, micrograd style: one box per IR node with its op,
 * value and gradient, laid out left to right by ELK's layered algorithm (in
 * ELK's own web worker). Forward nodes are blue, gradient nodes orange; a node
 * used twice has two outgoing edges, not two boxes. Hovering a box marks its
 * source in the editor.
 */
import ELK, { type ElkNode } from 'elkjs/lib/elk-api.js';
import elkWorkerUrl from 'elkjs/lib/elk-worker.min.js?url';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Span } from '@autodiff/parser';
import type { GraphModel, GraphNode } from '../analysis/graph-model.js';
import type { Evaluation, TooLarge } from '../worker/protocol.js';
import { exact, short } from './format.js';

const elk = new ELK({ workerUrl: elkWorkerUrl });

const HEADER = 22;
const NUMBERS = 20;
const TAGS = 18;
const CHAR = 7.2;

interface Box {
  node: GraphNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Layout {
  width: number;
  height: number;
  boxes: Box[];
  edges: { id: string; from: number; to: number; points: { x: number; y: number }[] }[];
}

const title = (n: GraphNode) => (n.binding !== undefined ? `${n.binding} = ${n.label}` : n.label);
const sizeOf = (n: GraphNode) => ({
  // Room for two numbers side by side when the box shows a gradient, or for the type of a tensor.
  width: Math.max(n.hasGradient && !n.tensor ? 136 : 96, Math.ceil(title(n).length * CHAR) + 20, n.outputs.join('  ').length * 6.5 + 20,
    n.tensor ? Math.ceil(n.type.length * 6.6) + 20 : 0),
  height: HEADER + NUMBERS + (n.outputs.length > 0 ? TAGS : 0),
});

type Direction = 'RIGHT' | 'DOWN';

async function layOut(graph: GraphModel, direction: Direction): Promise<Layout> {
  const edges = graph.nodes.flatMap((n) => n.args.map((a, k) => ({ id: `e${n.id}_${k}`, from: a, to: n.id })));
  const input: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.edgeRouting': 'POLYLINE',
      'elk.spacing.nodeNode': '14',
      'elk.layered.spacing.nodeNodeBetweenLayers': '30',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: graph.nodes.map((n) => ({ id: String(n.id), ...sizeOf(n) })),
    edges: edges.map((e) => ({ id: e.id, sources: [String(e.from)], targets: [String(e.to)] })),
  };
  const result: ElkNode = await elk.layout(input);
  const byId = new Map(graph.nodes.map((n) => [String(n.id), n]));
  const boxes = (result.children ?? []).map((c) => ({
    node: byId.get(c.id)!, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0,
  }));
  const sections = new Map((result.edges ?? []).map((e) => [e.id, e.sections?.[0]]));
  return {
    width: result.width ?? 0,
    height: result.height ?? 0,
    boxes,
    edges: edges.map((e) => {
      const s = sections.get(e.id);
      const points = s ? [s.startPoint, ...(s.bendPoints ?? []), s.endPoint] : [];
      return { ...e, points };
    }),
  };
}

interface GraphViewProps {
  graph: GraphModel | TooLarge;
  evaluation: Evaluation | undefined;
  onHover: (spans: readonly Span[]) => void;
}

export function GraphView({ graph, evaluation, onHover }: GraphViewProps) {
  // Both directions' layouts, and the graph they are for (the previous graph's stay up until the new ones are ready).
  const [layouts, setLayouts] = useState<Record<Direction, Layout> & { of: GraphModel } | undefined>();
  const [direction, setDirection] = useState<Direction | 'auto'>('auto');
  const [hovered, setHovered] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [zoom, setZoom] = useState<number | 'fit'>('fit');
  const scroller = useRef<HTMLDivElement>(null);
  const [available, setAvailable] = useState(0);

  useEffect(() => {
    const host = scroller.current;
    if (!host) return;
    const observer = new ResizeObserver(() => setAvailable(host.clientWidth));
    observer.observe(host);
    return () => observer.disconnect();
  }, [layouts]);

  useEffect(() => {
    if ('tooLarge' in graph) return;
    let current = true;
    Promise.all([layOut(graph, 'RIGHT'), layOut(graph, 'DOWN')]).then(
      ([right, down]) => { if (current) { setLayouts({ RIGHT: right, DOWN: down, of: graph }); setError(undefined); } },
      (e: unknown) => { if (current) setError(e instanceof Error ? e.message : String(e)); },
    );
    return () => { current = false; };
  }, [graph]);

  // The scroller's inner size (its max-height is 74vh), less a pixel of rounding.
  const room = { width: available - 1, height: window.innerHeight * 0.74 - 3 };
  const fitScale = (l: Layout) => Math.min(1, room.width / l.width, room.height / l.height);
  // Micrograd draws left to right; a long chain reads better top to bottom when that is larger on screen.
  const chosen: Direction | undefined = !layouts ? undefined : direction !== 'auto' ? direction
    : available > 0 && fitScale(layouts.DOWN) > fitScale(layouts.RIGHT) * 1.15 ? 'DOWN' : 'RIGHT';
  const layout = layouts && chosen ? layouts[chosen] : undefined;

  const neighbours = useMemo(() => {
    if (hovered === undefined || !layout) return new Set<string>();
    return new Set(layout.edges.filter((e) => e.from === hovered || e.to === hovered).map((e) => e.id));
  }, [hovered, layout]);

  if ('tooLarge' in graph) {
    return (
      <p className="notice" data-testid="graph-too-large">
        This program's graph has {graph.nodeCount} nodes; the graph view draws at most {graph.limit}. The values,
        derivatives and generated code still work. Try a smaller program to see its graph.
      </p>
    );
  }
  if (error) return <p className="notice bad">The graph could not be laid out: {error}</p>;
  if (!layout) return <p className="muted" data-testid="graph-pending">Laying out {graph.nodes.length} nodes…</p>;

  const enter = (box: Box) => {
    setHovered(box.node.id);
    onHover(box.node.spans);
  };
  const leave = () => {
    setHovered(undefined);
    onHover([]);
  };

  // "Fit" shows every box (zoom in to read a large graph; it then scrolls).
  const fit = available > 0 ? fitScale(layout) : 1;
  const scale = zoom === 'fit' ? fit : zoom;
  const zoomBy = (factor: number) => setZoom(Math.max(0.05, Math.min(3, scale * factor)));

  return (
    <div
      className={`graph${layouts?.of === graph ? '' : ' stale'}`}
      data-testid="graph"
      data-current={String(layouts?.of === graph)}
      data-node-count={layout.boxes.length}
      data-scale={scale}
    >
      <div className="graph-tools">
        <Legend />
        <span className="zoom">
          <button type="button" onClick={() => zoomBy(1 / 1.25)} aria-label="zoom out">−</button>
          <button type="button" onClick={() => setZoom('fit')} className={zoom === 'fit' ? 'active' : ''}>fit</button>
          <button type="button" onClick={() => setZoom(1)}>100%</button>
          <button type="button" onClick={() => zoomBy(1.25)} aria-label="zoom in">+</button>
          <button
            type="button"
            onClick={() => setDirection(chosen === 'RIGHT' ? 'DOWN' : 'RIGHT')}
            title="lay out left to right or top to bottom"
          >
            {chosen === 'RIGHT' ? '↓' : '→'}
          </button>
        </span>
      </div>
      <div className="graph-scroll" ref={scroller}>
        <svg
          width={layout.width * scale}
          height={layout.height * scale}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label="computation graph"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6" />
            </marker>
          </defs>
          {layout.edges.map((e) => (
            <polyline
              key={e.id}
              className={`edge${neighbours.has(e.id) ? ' lit' : ''}`}
              points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
              markerEnd="url(#arrow)"
            />
          ))}
          {layout.boxes.map((box) => (
            <NodeBox
              key={box.node.id}
              box={box}
              numbers={evaluation?.nodes[box.node.id]}
              lit={hovered === box.node.id}
              onEnter={() => enter(box)}
              onLeave={leave}
            />
          ))}
        </svg>
      </div>
    </div>
  );
}

function NodeBox({ box, numbers, lit, onEnter, onLeave }: {
  box: Box;
  numbers: { value?: number; grad?: number } | undefined;
  lit: boolean;
  onEnter: () => void;
  onLeave: () => void;
}) {
  const { node, x, y, width, height } = box;
  const value = numbers?.value;
  const showGrad = node.hasGradient && value !== undefined && numbers?.grad !== undefined;
  const mid = x + width / 2;
  return (
    <g
      className={`node ${node.kind}${lit ? ' lit' : ''}`}
      data-testid="graph-node"
      data-node-id={node.id}
      data-kind={node.kind}
      data-op={node.op}
      data-type={node.type}
      data-value={value !== undefined ? exact(value) : undefined}
      data-grad={showGrad ? exact(numbers!.grad!) : undefined}
      onMouseEnter={onEnter}
      onMouseLeave={onLeave}
    >
      <title>{`${node.op} ${node.type}${node.spans.length === 0 ? ' (no source: made by differentiation or simplification)' : ''}`}</title>
      <rect x={x} y={y} width={width} height={height} rx={5} />
      <line x1={x} x2={x + width} y1={y + HEADER} y2={y + HEADER} />
      <text x={mid} y={y + 15} className="label">{title(node)}</text>
      {showGrad ? (
        <>
          <line x1={mid} x2={mid} y1={y + HEADER} y2={y + HEADER + NUMBERS} />
          <text x={x + width / 4} y={y + HEADER + 14} className="num">{short(value, 4)}</text>
          <text x={x + (3 * width) / 4} y={y + HEADER + 14} className="num grad">∇ {short(numbers?.grad, 4)}</text>
        </>
      ) : value !== undefined ? (
        <text x={mid} y={y + HEADER + 14} className="num">{short(value, 5)}</text>
      ) : (
        // A tensor (or a scalar computed from one): its type, `f64[n,16]`, instead of numbers.
        <text x={mid} y={y + HEADER + 14} className="num type" data-testid="graph-node-type">{numbers || node.tensor ? node.type : ''}</text>
      )}
      {node.outputs.length > 0 && (
        <text x={mid} y={y + HEADER + NUMBERS + 13} className="tags">{node.outputs.join('  ')}</text>
      )}
    </g>
  );
}

function Legend() {
  return (
    <div className="legend" aria-label="legend">
      <span className="key param">param</span>
      <span className="key input">input</span>
      <span className="key forward">forward</span>
      <span className="key gradient">gradient</span>
      <span className="muted">
        each box: an IR node, its value and ∇ = ∂value/∂node (a tensor: its type, e.g. f64[n,16]); constants are written inside the boxes that use them
      </span>
    </div>
  );
}
