/**
 * The event emitter of the companion servers (LwM2mServer, BootstrapServer): listener exceptions
 * become 'error' events instead of reaching the socket loop that emitted.
 */
import { TypedEmitter } from '../util/typed-events.ts';

/**
 * A TypedEmitter whose listener exceptions are emitted as 'error'. One thrown while handling
 * 'error' is rethrown on a fresh stack (like an uncaught error) instead of recursing.
 */
export class ServerEmitter<Events extends { error: Error }> extends TypedEmitter<Events> {
  #reportingError = false;

  constructor() {
    super((error) => {
      this.#listenerFailed(error);
    });
  }

  #listenerFailed(error: unknown): void {
    if (this.#reportingError) {
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    this.#reportingError = true;
    try {
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#reportingError = false;
    }
  }
}
