/** A grid of (test) images, each with its predicted label; the mistakes framed in red, with the true label. */
import { useEffect, useRef } from 'react';
import type { Metrics } from '../worker/protocol.js';

/** Screen pixels per image pixel. */
const ZOOM = 5;

export function DigitGrid({ images }: { images: NonNullable<Metrics['images']> }) {
  const [h, w] = images.shape;
  const size = h * w;
  const wrong = images.predicted.filter((p, i) => p !== images.labels[i]).length;
  return (
    <div className="digits">
      <div className="muted small">
        The first {images.labels.length} {images.of === 'test' ? 'test' : 'training'} images and the digit the model predicts
        {' '}({wrong} wrong, framed in red with the true label after the arrow).
      </div>
      <div className="digit-grid" data-testid="digit-grid">
        {images.labels.map((label, i) => (
          <Digit key={i} pixels={images.pixels.subarray(i * size, (i + 1) * size)} shape={images.shape} label={label} predicted={images.predicted[i]!} />
        ))}
      </div>
    </div>
  );
}

function Digit({ pixels, shape, label, predicted }: { pixels: Float32Array; shape: [number, number]; label: number; predicted: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [h, w] = shape;
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    let max = 0;
    for (const v of pixels) max = Math.max(max, v);
    const image = new ImageData(w, h);
    for (let k = 0; k < w * h; k++) {
      // Ink dark on white, as the digits were written.
      const ink = Math.round(255 * (1 - (max > 0 ? pixels[k]! / max : 0)));
      image.data.set([ink, ink, ink, 255], 4 * k);
    }
    const small = new OffscreenCanvas(w, h);
    small.getContext('2d')!.putImageData(image, 0, 0);
    context.imageSmoothingEnabled = false;
    context.drawImage(small, 0, 0, w * ZOOM, h * ZOOM);
  }, [pixels, w, h]);
  const mistake = predicted !== label;
  return (
    <figure className={`digit${mistake ? ' wrong' : ''}`} data-testid="digit" data-label={label} data-predicted={predicted}>
      <canvas ref={canvas} width={w * ZOOM} height={h * ZOOM} />
      <figcaption>{mistake ? `${predicted}→${label}` : predicted}</figcaption>
    </figure>
  );
}
