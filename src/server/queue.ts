/**
 * Queue mode on the server side (LwM2M Core 1.1.1 6.5): requests for a sleeping client wait here,
 * per registration, until the client is heard from again, then go out in the order they were made.
 */
import { AbortedError } from '../errors.ts';

/** One waiting request. `run` sends it; `fail` rejects it. */
export interface QueuedRequest {
  run(): void;
  fail(error: Error): void;
}

export class RequestQueue {
  readonly #pending = new Map<string, Set<QueuedRequest>>();

  /** Queues a request for registration `id`; aborting `signal` removes and rejects it. */
  enqueue(id: string, request: QueuedRequest, signal?: AbortSignal): void {
    if (signal?.aborted === true) {
      request.fail(new AbortedError('request aborted', { cause: signal.reason }));
      return;
    }
    let set = this.#pending.get(id);
    if (set === undefined) {
      set = new Set();
      this.#pending.set(id, set);
    }
    const entry: QueuedRequest = signal === undefined
      ? request
      : {
          run: () => {
            signal.removeEventListener('abort', onAbort);
            request.run();
          },
          fail: (e) => {
            signal.removeEventListener('abort', onAbort);
            request.fail(e);
          },
        };
    const onAbort = (): void => {
      const s = this.#pending.get(id);
      if (s?.delete(entry) === true && s.size === 0) this.#pending.delete(id);
      request.fail(new AbortedError('request aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    set.add(entry);
  }

  /** Number of requests waiting for registration `id`. */
  size(id: string): number {
    return this.#pending.get(id)?.size ?? 0;
  }

  /** Sends everything waiting for `id`, oldest first. */
  flush(id: string): void {
    const set = this.#pending.get(id);
    if (set === undefined) return;
    this.#pending.delete(id);
    for (const r of set) r.run();
  }

  /** Rejects everything waiting for `id`. */
  fail(id: string, error: Error): void {
    const set = this.#pending.get(id);
    if (set === undefined) return;
    this.#pending.delete(id);
    for (const r of set) r.fail(error);
  }

  /** Rejects everything. */
  failAll(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, error);
  }
}
