/**
 * The page's side of the compile worker. Compilations are coalesced: while
 * one runs, only the newest waiting source is kept, so typing into a huge
 * program never queues up a backlog of stale compilations.
 */
import type { Reply, Request, TrainSettings } from './worker/protocol.js';

/** A compilation's answer, with the source it is about. */
export type CompiledReply = Extract<Reply, { kind: 'compiled' }> & { source: string };
type Listener = (reply: Reply) => void;
type Waiting = { source: string; resolve: ((r: CompiledReply) => void)[] };

/** Requests without their id (the client numbers them). */
type WithoutId<R> = R extends Request ? Omit<R, 'id'> : never;
type Body<K extends Request['kind']> = Omit<Extract<Request, { kind: K }>, 'kind' | 'id'>;

export class WorkerClient {
  private readonly worker = new Worker(new URL('./worker/compile-worker.ts', import.meta.url), { type: 'module' });
  private nextId = 1;
  private inFlight: { id: number; source: string; resolve: ((r: CompiledReply) => void)[] } | undefined;
  private waiting: Waiting | undefined;
  private readonly listeners = new Set<Listener>();

  constructor() {
    this.worker.onmessage = (event: MessageEvent<Reply>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      const message = event.message || 'the compile worker failed to start';
      // A compilation waiting on a dead worker would leave the page "compiling" forever: answer it with the failure.
      if (this.inFlight) this.receive({ kind: 'failed', id: this.inFlight.id, message });
      else for (const l of this.listeners) l({ kind: 'failed', id: 0, message });
    };
  }

  /** Whether a compilation is running or waiting. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** Replies other than compilations (evaluations, training progress, failures). */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  compile(source: string): Promise<CompiledReply> {
    return new Promise((resolve) => {
      if (!this.inFlight) {
        this.sendCompile(source, [resolve]);
      } else if (this.waiting) {
        this.waiting.source = source;
        this.waiting.resolve.push(resolve);
      } else {
        this.waiting = { source, resolve: [resolve] };
      }
    });
  }

  evaluate(body: Body<'evaluate'>): number {
    return this.post({ kind: 'evaluate', ...body });
  }

  train(compileId: number, params: number[], settings: TrainSettings): number {
    return this.post({ kind: 'train', compileId, params, settings });
  }

  predict(body: Body<'predict'>): number {
    return this.post({ kind: 'predict', ...body });
  }

  stop(): void {
    this.post({ kind: 'stop' });
  }

  dispose(): void {
    this.worker.terminate();
  }

  private post(request: WithoutId<Request>): number {
    const id = this.nextId++;
    this.worker.postMessage({ ...request, id });
    return id;
  }

  private sendCompile(source: string, resolve: ((r: CompiledReply) => void)[]): void {
    const id = this.post({ kind: 'compile', source });
    this.inFlight = { id, source, resolve };
  }

  private receive(reply: Reply): void {
    if (reply.kind === 'compiled' || (reply.kind === 'failed' && reply.id === this.inFlight?.id)) {
      const done = this.inFlight;
      this.inFlight = undefined;
      if (done) {
        const compiled: CompiledReply = reply.kind === 'compiled'
          ? { ...reply, source: done.source }
          : { kind: 'compiled', id: reply.id, diagnostics: [], error: reply.message, source: done.source };
        done.resolve.forEach((r) => r(compiled));
      }
      const next = this.waiting;
      this.waiting = undefined;
      if (next) this.sendCompile(next.source, next.resolve);
      if (reply.kind === 'compiled') return;
    }
    for (const l of this.listeners) l(reply);
  }
}
