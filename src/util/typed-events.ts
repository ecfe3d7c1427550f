/**
 * A small typed event emitter: `Events` maps an event name to its listener's argument.
 * Listener exceptions are reported to the 'error' path of the owner via `onListenerError`, never
 * thrown back into the socket loop that emitted the event.
 */
export class TypedEmitter<Events extends object> {
  #listeners = new Map<keyof Events, Set<(arg: never) => void>>();
  #onListenerError: (error: unknown) => void;

  constructor(onListenerError?: (error: unknown) => void) {
    this.#onListenerError =
      onListenerError ??
      ((error: unknown) => {
        queueMicrotask(() => {
          throw error;
        });
      });
  }

  on<K extends keyof Events>(event: K, listener: (arg: Events[K]) => void): this {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: (arg: Events[K]) => void): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: (arg: Events[K]) => void): this {
    const wrapper = (arg: Events[K]): void => {
      this.off(event, wrapper);
      listener(arg);
    };
    return this.on(event, wrapper);
  }

  /** Resolves with the next emission of `event` (optionally one that satisfies `filter`). */
  next<K extends keyof Events>(event: K, filter?: (arg: Events[K]) => boolean, signal?: AbortSignal): Promise<Events[K]> {
    return new Promise((resolve, reject) => {
      const listener = (arg: Events[K]): void => {
        if (filter !== undefined && !filter(arg)) return;
        this.off(event, listener);
        signal?.removeEventListener('abort', onAbort);
        resolve(arg);
      };
      const onAbort = (): void => {
        this.off(event, listener);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted === true) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.on(event, listener);
    });
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, arg: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    for (const listener of [...set]) {
      try {
        (listener as (arg: Events[K]) => void)(arg);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
