/**
 * Where the server keeps registrations (LwM2M Core 6.2): by id, by endpoint name and by the address
 * requests go to. The interface is synchronous so that the registration path stays allocation-light;
 * a persistent or shared store can implement it over a local cache.
 */
import { peerKey, type Peer } from '../transport/transport.ts';
import type { ListenerKind, Registration } from './registration.ts';

/** The key of the address a registration is reached at, per listener. */
export function addressKey(listener: ListenerKind, address: Peer): string {
  return `${listener} ${peerKey(address)}`;
}

export interface RegistrationStore {
  /**
   * Stores a new registration. Returns the earlier registration of the same endpoint, which the
   * store has removed (LwM2M Core 6.2.1: a new Register replaces it), if there was one.
   */
  add(registration: Registration): Registration | undefined;
  /** Replaces a stored registration (same id) after an Update; false when the id is unknown. */
  update(registration: Registration): boolean;
  /** Removes a registration by id and returns it. */
  remove(id: string): Registration | undefined;
  get(id: string): Registration | undefined;
  byEndpoint(endpoint: string): Registration | undefined;
  /** The registration reached at this address (see `addressKey`), if any. */
  byAddress(key: string): Registration | undefined;
  all(): IterableIterator<Registration>;
  readonly size: number;
  /** Called when the server closes: a persistent store writes what is pending. */
  close?(): Promise<void>;
}

/** A RegistrationStore in process memory. */
export class InMemoryRegistrationStore implements RegistrationStore {
  readonly #byId = new Map<string, Registration>();
  readonly #byEndpoint = new Map<string, string>();
  readonly #byAddress = new Map<string, string>();

  add(registration: Registration): Registration | undefined {
    const previousId = this.#byEndpoint.get(registration.endpoint);
    const previous = previousId === undefined ? undefined : this.remove(previousId);
    this.#byId.set(registration.id, registration);
    this.#byEndpoint.set(registration.endpoint, registration.id);
    this.#byAddress.set(addressKey(registration.listener, registration.address), registration.id);
    return previous;
  }

  update(registration: Registration): boolean {
    const old = this.#byId.get(registration.id);
    if (old === undefined) return false;
    const oldKey = addressKey(old.listener, old.address);
    const newKey = addressKey(registration.listener, registration.address);
    if (oldKey !== newKey && this.#byAddress.get(oldKey) === old.id) this.#byAddress.delete(oldKey);
    this.#byAddress.set(newKey, registration.id);
    this.#byId.set(registration.id, registration);
    return true;
  }

  remove(id: string): Registration | undefined {
    const reg = this.#byId.get(id);
    if (reg === undefined) return undefined;
    this.#byId.delete(id);
    if (this.#byEndpoint.get(reg.endpoint) === id) this.#byEndpoint.delete(reg.endpoint);
    const key = addressKey(reg.listener, reg.address);
    if (this.#byAddress.get(key) === id) this.#byAddress.delete(key);
    return reg;
  }

  get(id: string): Registration | undefined {
    return this.#byId.get(id);
  }

  byEndpoint(endpoint: string): Registration | undefined {
    const id = this.#byEndpoint.get(endpoint);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  byAddress(key: string): Registration | undefined {
    const id = this.#byAddress.get(key);
    return id === undefined ? undefined : this.#byId.get(id);
  }

  all(): IterableIterator<Registration> {
    return this.#byId.values();
  }

  get size(): number {
    return this.#byId.size;
  }
}
