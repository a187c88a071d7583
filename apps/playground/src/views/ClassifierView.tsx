/**
 * How a classifier is doing: training and test accuracy, and for 2-D inputs
 * the decision boundary over the points, for images a grid of test images
 * with the predicted labels.
 */
import type { ClassifierTask } from '../analysis/batch.js';
import type { Metrics } from '../worker/protocol.js';
import { DecisionBoundary, type PlanePoint } from './DecisionBoundary.js';
import { DigitGrid } from './DigitGrid.js';

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

interface ClassifierViewProps {
  task: ClassifierTask;
  metrics: Metrics | undefined;
  points: readonly PlanePoint[];
}

export function ClassifierView({ task, metrics, points }: ClassifierViewProps) {
  if (!metrics) return <p className="muted small">Working out the predictions of `{task.binding}`…</p>;
  const rule = task.kind === 'sign' ? `sign(${task.binding}) = ${task.label}` : `argmax(${task.binding}) = ${task.label}`;
  return (
    <div className="classifier" data-testid="classifier" data-step={metrics.step}>
      <div className="accuracy">
        {metrics.trainAccuracy !== undefined && (
          <span>
            training accuracy{' '}
            <strong data-testid="train-accuracy" data-value={metrics.trainAccuracy}>{percent(metrics.trainAccuracy)}</strong>
          </span>
        )}
        {metrics.testAccuracy !== undefined && (
          <span>
            test accuracy{' '}
            <strong data-testid="test-accuracy" data-value={metrics.testAccuracy}>{percent(metrics.testAccuracy)}</strong>
          </span>
        )}
        {metrics.testLoss !== undefined && <span className="muted">test loss {metrics.testLoss.toPrecision(4)}</span>}
        <span className="muted small">(correct: {rule}, at step {metrics.step})</span>
      </div>
      {metrics.boundary && <DecisionBoundary boundary={metrics.boundary} step={metrics.step} kind={task.kind} points={points} />}
      {metrics.images && <DigitGrid images={metrics.images} />}
    </div>
  );
}
