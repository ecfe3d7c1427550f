/**
 * Registration order across LwM2M Servers (LwM2M Core 1.1.1 6.2.1.1, Server object E.2 resources
 * 13-15) as a pure machine plus a small driver that owns its one timer.
 *
 * - /1/x/13 Registration Priority Order: servers holding it register one after another, lowest value
 *   first (equal values by Short Server ID). Servers without it are not part of the order: they start
 *   together once the ordered ones have run their course (registered, failed, or blocked), or at once
 *   when no server has the resource (the behaviour without ordering).
 * - /1/x/14 Initial Registration Delay Timer: an ordered server waits this long after the previous
 *   server in the order completed (or failed) before its registration starts; the first server waits
 *   it from the start. The client passes zero for servers that registered since the last bootstrap.
 * - /1/x/15 Registration Failure Block: when the registration with an ordered server fails (its retry
 *   procedure is exhausted) and this is true, the servers after it in the order wait until that
 *   server registers after all; when false (the default) the next server starts.
 */
import type { Clock, Timer } from '../../util/clock.ts';

/** One server account as the order needs it (a subset of ServerAccount). */
export interface OrderAccount {
  readonly ssid: number;
  /** /1/x/13, when present. */
  readonly priorityOrder?: number;
  /** /1/x/14 in ms, when present. */
  readonly initialDelayMs?: number;
  /** /1/x/15, when present (absent counts as false). */
  readonly failureBlock?: boolean;
}

export interface OrderEntry {
  readonly ssid: number;
  readonly delayMs: number;
  readonly block: boolean;
}

export interface OrderState {
  /** The ordered servers, in registration order. */
  readonly chain: readonly OrderEntry[];
  /** Servers without /1/x/13, started together after the chain. */
  readonly unordered: readonly number[];
  /** Index in `chain` of the next server to start. */
  readonly next: number;
  /** The started chain server whose registration the order waits for. */
  readonly current?: number;
  /** A chain server that failed with Registration Failure Block: the rest waits for it to register. */
  readonly blockedBy?: number;
  readonly unorderedStarted: boolean;
  /** When `chain[next]` may start (its Initial Registration Delay Timer). */
  readonly wakeAt?: number;
}

export type OrderInput =
  | { readonly type: 'begin' }
  /** REGISTRATION_COMPLETE of a server. */
  | { readonly type: 'registered'; readonly ssid: number }
  /** A server's registration failed: its retry procedure is exhausted. */
  | { readonly type: 'failed'; readonly ssid: number }
  | { readonly type: 'wake' };

export interface OrderTransition {
  readonly state: OrderState;
  /** Short Server IDs whose registration starts now, in this order. */
  readonly start: readonly number[];
}

/**
 * The registration plan of a set of accounts, or undefined when none has a Registration Priority
 * Order (then every registration starts at once). `noDelay` names servers for which /1/x/14 no
 * longer applies (registered since the last bootstrap).
 */
export function planOrder(accounts: readonly OrderAccount[], noDelay?: ReadonlySet<number>): OrderState | undefined {
  const ordered = accounts.filter((a) => a.priorityOrder !== undefined);
  if (ordered.length === 0) return undefined;
  ordered.sort((a, b) => (a.priorityOrder ?? 0) - (b.priorityOrder ?? 0) || a.ssid - b.ssid);
  return {
    chain: ordered.map((a) => ({
      ssid: a.ssid,
      delayMs: noDelay?.has(a.ssid) === true ? 0 : Math.max(0, a.initialDelayMs ?? 0),
      block: a.failureBlock === true,
    })),
    unordered: accounts.filter((a) => a.priorityOrder === undefined).map((a) => a.ssid),
    next: 0,
    unorderedStarted: false,
  };
}

/** True when the order has nothing more to start. */
export function orderDone(state: OrderState): boolean {
  return state.unorderedStarted && state.next >= state.chain.length && state.current === undefined && state.wakeAt === undefined;
}

function startUnordered(state: OrderState, start: number[]): OrderState {
  if (state.unorderedStarted) return state;
  start.push(...state.unordered);
  return { ...state, unorderedStarted: true };
}

function startEntry(state: OrderState, entry: OrderEntry, start: number[]): OrderState {
  const { wakeAt: _w, ...rest } = state;
  start.push(entry.ssid);
  return { ...rest, current: entry.ssid, next: state.next + 1 };
}

/** Starts the next chain server (or arms its delay, counted from `from`), or the unordered ones after the chain. */
function advance(state: OrderState, from: number, now: number, start: number[]): OrderState {
  const { current: _c, blockedBy: _b, wakeAt: _w, ...rest } = state;
  const entry = rest.chain[rest.next];
  if (entry === undefined) return startUnordered(rest, start);
  if (from + entry.delayMs > now) return { ...rest, wakeAt: from + entry.delayMs };
  return startEntry(rest, entry, start);
}

/** One step of the registration order (LwM2M Core 1.1.1 6.2.1.1). */
export function orderStep(state: OrderState, input: OrderInput, now: number): OrderTransition {
  const start: number[] = [];
  const done = (s: OrderState): OrderTransition => ({ state: s, start });
  switch (input.type) {
    case 'begin':
      if (state.next > 0 || state.current !== undefined || state.wakeAt !== undefined || state.unorderedStarted) return done(state);
      return done(advance(state, now, now, start));
    case 'registered':
      if (input.ssid !== state.current && input.ssid !== state.blockedBy) return done(state);
      return done(advance(state, now, now, start));
    case 'failed': {
      if (input.ssid !== state.current) return done(state);
      const entry = state.chain[state.next - 1];
      if (entry?.block === true) {
        const { current: _c, ...rest } = state;
        // The servers after it in the order wait; those outside the order are not held up.
        return done(startUnordered({ ...rest, blockedBy: input.ssid }, start));
      }
      return done(advance(state, now, now, start));
    }
    case 'wake': {
      const entry = state.chain[state.next];
      if (state.wakeAt === undefined || now < state.wakeAt || entry === undefined) return done(state);
      return done(startEntry(state, entry, start));
    }
  }
}

/** What the driver needs from the client. */
export interface OrderHost {
  readonly clock: Clock;
  /** Start the registration with this server. */
  startRegistration(ssid: number): void;
}

/**
 * Drives an OrderState: feeds inputs, starts registrations through the host and keeps the one
 * timer of the Initial Registration Delay. Remembers which servers registered, so that /1/x/14 is
 * applied only until their first successful registration (a new order after stop/start passes it on;
 * one after a bootstrap starts afresh).
 */
export class RegistrationOrder {
  readonly #host: OrderHost;
  #state: OrderState;
  #timer: Timer | undefined;
  #paused = false;
  readonly registeredOnce: Set<number>;

  constructor(host: OrderHost, state: OrderState, registeredOnce?: Set<number>) {
    this.#host = host;
    this.#state = state;
    this.registeredOnce = registeredOnce ?? new Set();
  }

  get state(): OrderState {
    return this.#state;
  }

  /** Starts the first registrations. */
  begin(): void {
    this.#feed({ type: 'begin' });
  }
  registered(ssid: number): void {
    this.registeredOnce.add(ssid);
    this.#feed({ type: 'registered', ssid });
  }
  failed(ssid: number): void {
    this.#feed({ type: 'failed', ssid });
  }
  /** Stops the delay timer (the engine is paused); `resume` re-arms it (firing at once when due). */
  pause(): void {
    this.#paused = true;
    this.#cancel();
  }
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#schedule();
  }
  dispose(): void {
    this.#paused = true;
    this.#cancel();
  }

  #feed(input: OrderInput): void {
    const t = orderStep(this.#state, input, this.#host.clock.now());
    this.#state = t.state;
    this.#schedule();
    for (const ssid of t.start) this.#host.startRegistration(ssid);
  }

  #cancel(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#cancel();
    const at = this.#state.wakeAt;
    if (at === undefined || this.#paused) return;
    this.#timer = this.#host.clock.setTimer(Math.max(0, at - this.#host.clock.now()), () => {
      this.#timer = undefined;
      this.#feed({ type: 'wake' });
    });
  }
}
