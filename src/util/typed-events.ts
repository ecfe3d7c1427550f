/**
 * A small typed event emitter: `Events` maps an event name to its listener's argument.
 * Listener exceptions are reported to the 'error' path of the owner via `onListenerError`, never
 * thrown back into the socket loop that emitted the event.
 *
 * Thousands of emitters live in one process (a client fleet), so an emitter without listeners holds
 * no table, and an event with one listener holds the function itself rather than a collection.
 */

type Listener = (arg: never) => void;

/**
 * Receives every event of an emitter (see `TypedEmitter.forwardTo`): lets an owner wire all of a
 * component's events through one object with prototype methods instead of a closure per event.
 */
export interface EventReceiver<Events extends object> {
  receive<K extends keyof Events>(event: K, arg: Events[K]): void;
}

/** The default for listener exceptions: rethrown on a fresh stack, like an uncaught error. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

export class TypedEmitter<Events extends object> {
  /**
   * One function, or (two or more) an array that is replaced rather than changed, so that emit()
   * iterates a stable list: listeners added or removed by a listener take effect at the next emit.
   */
  #listeners: Map<keyof Events, Listener | readonly Listener[]> | undefined;
  #receiver: EventReceiver<Events> | undefined;
  readonly #onListenerError: ((error: unknown) => void) | undefined;

  constructor(onListenerError?: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  on<K extends keyof Events>(event: K, listener: (arg: Events[K]) => void): this {
    const map = (this.#listeners ??= new Map<keyof Events, Listener | readonly Listener[]>());
    const current = map.get(event);
    const l = listener as Listener;
    if (current === undefined) map.set(event, l);
    else if (typeof current === 'function') {
      if (current !== l) map.set(event, [current, l]);
    } else if (!current.includes(l)) map.set(event, [...current, l]);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: (arg: Events[K]) => void): this {
    const map = this.#listeners;
    const current = map?.get(event);
    if (map === undefined || current === undefined) return this;
    const l = listener as Listener;
    if (typeof current === 'function') {
      if (current !== l) return this;
      map.delete(event);
      if (map.size === 0) this.#listeners = undefined;
      return this;
    }
    if (!current.includes(l)) return this;
    const rest = current.filter((x) => x !== l);
    map.set(event, rest.length === 1 ? rest[0]! : rest);
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

  /**
   * Sends every event to `receiver` before the listeners (the owner of a component, e.g. a client
   * of its engine); replaces the previous receiver, `undefined` removes it. Its exceptions are
   * handled like a listener's.
   */
  forwardTo(receiver: EventReceiver<Events> | undefined): void {
    this.#receiver = receiver;
  }

  listenerCount(event: keyof Events): number {
    const current = this.#listeners?.get(event);
    return current === undefined ? 0 : typeof current === 'function' ? 1 : current.length;
  }

  protected emit<K extends keyof Events>(event: K, arg: Events[K]): void {
    const receiver = this.#receiver;
    if (receiver !== undefined) {
      try {
        receiver.receive(event, arg);
      } catch (error) {
        (this.#onListenerError ?? rethrowLater)(error);
      }
    }
    const current = this.#listeners?.get(event);
    if (current === undefined) return;
    if (typeof current === 'function') {
      this.#call(current, arg);
      return;
    }
    for (const listener of current) this.#call(listener, arg);
  }

  #call(listener: Listener, arg: unknown): void {
    try {
      (listener as (arg: unknown) => void)(arg);
    } catch (error) {
      (this.#onListenerError ?? rethrowLater)(error);
    }
  }
}
