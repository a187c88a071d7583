/**
 * The decision boundary, as micrograd draws it: the model's prediction over
 * the plane (a grid of cells, each coloured by its score: blue below 0, red
 * above, white at the boundary) with the training points on top, redrawn
 * whenever the worker sends new metrics.
 */
import { useEffect, useRef } from 'react';
import type { Metrics } from '../worker/protocol.js';

/** The canvas's side, in pixels. */
const SIDE = 360;
const CLASS_COLOURS = ['#1f5fbf', '#c62828', '#2e7d4f', '#b8860b', '#7a3fb0', '#00838f', '#6d4c41', '#ad1457', '#455a64', '#9e9d24'];

export interface PlanePoint {
  x: number;
  y: number;
  label: number;
}

interface DecisionBoundaryProps {
  boundary: NonNullable<Metrics['boundary']>;
  step: number;
  /** 'sign': the cell's colour follows its score; 'argmax': the class it predicts. */
  kind: 'sign' | 'argmax';
  points: readonly PlanePoint[];
}

export function DecisionBoundary({ boundary, step, kind, points }: DecisionBoundaryProps) {
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const { size, extent, scores } = boundary;
    const cells = new ImageData(size, size);
    for (let k = 0; k < size * size; k++) {
      const [r, g, b] = kind === 'sign' ? scoreColour(scores[k]!) : classColour(scores[k]!);
      cells.data.set([r, g, b, 255], 4 * k);
    }
    // Draw the cells at their own size and scale them up: crisp squares, no smoothing between classes.
    const small = new OffscreenCanvas(size, size);
    small.getContext('2d')!.putImageData(cells, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, SIDE, SIDE);
    const [x0, x1, y0, y1] = extent;
    for (const p of points) {
      const px = ((p.x - x0) / (x1 - x0)) * SIDE;
      const py = ((y1 - p.y) / (y1 - y0)) * SIDE;
      context.beginPath();
      context.arc(px, py, 4, 0, 2 * Math.PI);
      context.fillStyle = kind === 'sign' ? (p.label > 0 ? '#c62828' : '#1f5fbf') : CLASS_COLOURS[p.label % CLASS_COLOURS.length]!;
      context.fill();
      context.lineWidth = 1.2;
      context.strokeStyle = '#fff';
      context.stroke();
    }
  }, [boundary, kind, points]);

  return (
    <figure className="boundary">
      <canvas ref={canvas} width={SIDE} height={SIDE} data-testid="decision-boundary" data-step={step} />
      <figcaption className="muted small">
        The model's {kind === 'sign' ? 'score' : 'predicted class'} over the plane at step {step}
        {kind === 'sign' ? ' (red: > 0, blue: < 0)' : ''}; dots: the training points, coloured by label.
      </figcaption>
    </figure>
  );
}

/** White at 0, saturating to red (positive) or blue (negative) by |score| = 1. */
function scoreColour(score: number): [number, number, number] {
  if (!Number.isFinite(score)) return [154, 161, 172];
  const t = Math.min(1, Math.abs(score));
  const fade = (full: number) => Math.round(255 + (full - 255) * (0.25 + 0.6 * t));
  return score >= 0 ? [fade(214), fade(69), fade(65)] : [fade(49), fade(110), fade(205)];
}

function classColour(c: number): [number, number, number] {
  const hex = CLASS_COLOURS[Math.max(0, c) % CLASS_COLOURS.length]!;
  const v = (i: number) => Math.round(255 - (255 - parseInt(hex.slice(i, i + 2), 16)) * 0.35);
  return [v(1), v(3), v(5)];
}
