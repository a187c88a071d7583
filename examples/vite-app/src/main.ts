// Trains the neuron of loss.ad by full-batch gradient descent on points of a known neuron,
// with the gradient code the autodiff plugin compiled at build time, and plots the loss.
import { backwardFlat, inputNames, paramNames } from './loss.ad';

const TARGET = 1e-4;
const STEPS = 400;
const LR = 0.5;
const TRUE = { w1: 0.8, w2: -0.5, b: 0.2 };

// 64 points on a grid in [-1, 1]^2, labelled by the true neuron.
const data: Float64Array[] = [];
for (let i = 0; i < 8; i++) {
  for (let j = 0; j < 8; j++) {
    const x1 = -1 + (2 * i) / 7;
    const x2 = -1 + (2 * j) / 7;
    data.push(Float64Array.of(x1, x2, Math.tanh(TRUE.w1 * x1 + TRUE.w2 * x2 + TRUE.b)));
  }
}

const p = new Float64Array(paramNames.length); // w1, w2, b start at 0
const grad = new Float64Array(paramNames.length);
const sum = new Float64Array(paramNames.length);
const losses: number[] = [];
for (let step = 0; step <= STEPS; step++) {
  sum.fill(0);
  let loss = 0;
  for (const x of data) {
    loss += backwardFlat(p, x, grad);
    for (let k = 0; k < p.length; k++) sum[k]! += grad[k]!;
  }
  losses.push(loss / data.length);
  if (step < STEPS) for (let k = 0; k < p.length; k++) p[k]! -= (LR * sum[k]!) / data.length;
}

function plot(canvas: HTMLCanvasElement, values: readonly number[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const logs = values.map((v) => Math.log10(Math.max(v, 1e-300)));
  const lo = Math.min(...logs, Math.log10(TARGET)) - 0.5;
  const hi = Math.max(...logs) + 0.5;
  const x = (i: number) => 40 + (i / (values.length - 1)) * (canvas.width - 50);
  const y = (l: number) => 10 + ((hi - l) / (hi - lo)) * (canvas.height - 30);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#666';
  for (let e = Math.ceil(lo); e <= hi; e++) ctx.fillText(`1e${e}`, 2, y(e) + 4);
  ctx.strokeStyle = '#c33';
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(40, y(Math.log10(TARGET)));
  ctx.lineTo(canvas.width - 10, y(Math.log10(TARGET)));
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.strokeStyle = '#2563eb';
  ctx.lineWidth = 2;
  ctx.beginPath();
  logs.forEach((l, i) => (i === 0 ? ctx.moveTo(x(i), y(l)) : ctx.lineTo(x(i), y(l))));
  ctx.stroke();
}

const final = losses[losses.length - 1]!;
plot(document.querySelector<HTMLCanvasElement>('#plot')!, losses);
document.querySelector('#final')!.textContent = `final loss: ${final.toExponential(3)} after ${STEPS} steps on ${data.length} points (${inputNames.join(', ')})`;
document.querySelector('#target')!.textContent = `target < ${TARGET}: ${final < TARGET ? 'reached' : 'missed'}`;
document.querySelector('#params')!.textContent = paramNames.map((name, k) => `${name} = ${p[k]!.toFixed(4)}`).join(', ');
