/**
 * Observations and notification scheduling (LwM2M Core 1.1.1 section 6.4 Information Reporting,
 * attributes of 5.1.2; RFC 7641). An observation is a single path (Observe) or a list of paths
 * (Observe-Composite) of one LwM2M Server. It notifies when the data changes, subject to:
 *
 * - pmin: no two notifications closer than pmin seconds (a change inside waits for pmin);
 * - pmax: a notification at least every pmax seconds, changed or not (ignored when 0 or < pmin);
 * - gt / lt: on a numeric resource, only crossings of the threshold count as a change;
 * - st: on a numeric resource, only a move of at least st since the last notified value counts;
 * - edge (1.2): on a boolean resource, only the rising (1) or falling (0) edge counts;
 * - epmin: the value is not evaluated more often than every epmin seconds;
 * - epmax: the value is evaluated (sampled, read callbacks included) at least every epmax seconds;
 * - con (1.2): 1 sends the notifications as Confirmable.
 *
 * A composite observation takes the largest pmin/epmin and the smallest pmax/epmax of its paths
 * and counts any change as a change. All timing runs on ONE coalesced timer queue per engine, on
 * the injected clock (exact on a FakeClock). While the server is not reachable (queue mode, not
 * registered) due notifications are held - each one's latest state, or every notification when the
 * server account stores notifications (/1/x/6) - and the host is asked to wake up.
 */
import type { CoapResponse } from '../coap/message.ts';
import type { NotifyResult, ObservationCancelReason } from '../coap/server-observe.ts';
import { TimerQueue, type QueuedTimer, type TimerTarget } from '../coap/timer-queue.ts';
import { StatusError } from '../errors.ts';
import type { LwM2mPath } from '../model/path.ts';
import { ownBytes } from '../util/bytes.ts';
import type { Clock } from '../util/clock.ts';
import type { Attributes } from './attributes.ts';

/** The CoAP side of an observation (a ServerObservation of the endpoint, or a test double). */
export interface NotificationSink {
  notify(response: CoapResponse, options?: { confirmable?: boolean }): Promise<NotifyResult>;
  onCancel(listener: (reason: ObservationCancelReason) => void): void;
  cancel(final?: CoapResponse): void;
  readonly cancelled: boolean;
}

/** What is observed. */
export interface ObserveTarget {
  readonly ssid: number;
  readonly paths: readonly LwM2mPath[];
  readonly composite: boolean;
  /** Content format of the notifications (that of the Observe response). */
  readonly format: number;
}

/** A built notification: the response and, for cached entries it carries, the newest time per path. */
export interface BuiltNotification {
  readonly response: CoapResponse;
  readonly cacheTimes?: ReadonlyMap<string, number> | undefined;
}

/**
 * Why an observation ended (the seed's OBSERVER_REMOVED, with its cause):
 * - 'reset': the server answered a notification with RST (RFC 7641 3.6);
 * - 'cancel': the server cancelled it with Observe=1 (LwM2M Core 1.1.1 6.4.3 Cancel Observation);
 * - 'timeout': a Confirmable notification was not acknowledged (RFC 7641 4.5);
 * - 'path-gone': the observed object, instance or resource no longer exists or reads (final error notification);
 * - 'deregistration': the registration ended (de-register, a new Register, the server detached);
 * - 'replaced': the server observed again with the same token;
 * - 'closed': the engine or its endpoint closed.
 */
export type ObservationEndReason = 'reset' | 'cancel' | 'timeout' | 'path-gone' | 'deregistration' | 'replaced' | 'closed';

/** The LwM2M meaning of the CoAP layer's reason an observation ended. */
export function endReasonOf(reason: ObservationCancelReason): ObservationEndReason {
  switch (reason) {
    case 'reset':
    case 'timeout':
    case 'replaced':
    case 'closed':
      return reason;
    case 'deregistered':
    case 'cancelled':
      return 'cancel';
    case 'final':
    case 'rejected':
      return 'path-gone';
  }
}

/** What the manager needs from the engine. */
export interface ObservationHost {
  readonly clock: Clock;
  /** Attributes in force for `ssid` at `path` (server defaults included). */
  attributes(ssid: number, path: LwM2mPath): Attributes;
  /** Builds the notification of an observation now; throws a StatusError when a single path is gone. */
  build(obs: Observation): BuiltNotification;
  /** The current value of a single resource (instance), for gt/lt/st/edge. */
  sample(path: LwM2mPath): number | boolean | undefined;
  reachable(ssid: number): boolean;
  outbound(ssid: number): void;
  traffic(ssid: number): void;
  /** Whether the server account stores notifications while offline (/1/x/6). */
  storing(ssid: number): boolean;
  /** The engine's default for Confirmable notifications. */
  confirmable(ssid: number): boolean;
  /** An observation started (its Observe response is going out). */
  started(obs: Observation): void;
  /** A Confirmable notification of the observation was acknowledged. */
  acknowledged(obs: Observation): void;
  /** An observation ended (RST, Observe=1, CON timeout, path gone, de-registration...). */
  ended(obs: Observation, reason: ObservationEndReason): void;
  reportError(error: unknown): void;
}

/** Attributes resolved for scheduling, in milliseconds; 0 means "not set". */
interface Timing {
  readonly pmin: number;
  readonly pmax: number;
  readonly epmin: number;
  readonly epmax: number;
  readonly con: boolean;
  readonly gt: number | undefined;
  readonly lt: number | undefined;
  readonly st: number | undefined;
  readonly edge: number | undefined;
  /** hqmax (1.2): how many notifications to store while the server is unreachable; undefined: our own bound. */
  readonly hqmax: number | undefined;
}

const Pending = { NONE: 0, COMPARE: 1, CHANGED: 2 } as const;
type Pending = (typeof Pending)[keyof typeof Pending];

/** Notifications kept per observation while the server is unreachable and stores them. */
export const MAX_STORED_NOTIFICATIONS = 32;

/** One observation. Public fields are read-only views for the host and tests. */
export class Observation implements TimerTarget {
  readonly ssid: number;
  readonly paths: readonly LwM2mPath[];
  readonly composite: boolean;
  readonly format: number;
  readonly sink: NotificationSink;
  /** Clock time of the last notification (or of the Observe response). */
  lastNotifyAt: number;
  /** Clock time of the last evaluation of the value. */
  lastEvalAt: number;
  /** Newest cached entry time sent per path. */
  readonly cacheSent = new Map<string, number>();
  /** @internal */ timing: Timing;
  /** @internal */ pending: Pending = Pending.NONE;
  /** @internal */ deferred = false;
  /** @internal */ held = false;
  /** @internal */ stored: CoapResponse[] | undefined;
  /** @internal */ lastValue: number | boolean | undefined;
  /** @internal */ notifiedValue: number | boolean | undefined;
  /** @internal */ lastPayload: Uint8Array | undefined;
  /** @internal */ timer: QueuedTimer | undefined;
  /** @internal */ timerAt = Infinity;
  /** @internal */ removed = false;
  readonly #manager: ObservationManager;

  /** @internal */
  constructor(manager: ObservationManager, target: ObserveTarget, sink: NotificationSink, now: number, timing: Timing) {
    this.#manager = manager;
    this.ssid = target.ssid;
    this.paths = target.paths;
    this.composite = target.composite;
    this.format = target.format;
    this.sink = sink;
    this.lastNotifyAt = now;
    this.lastEvalAt = now;
    this.timing = timing;
  }

  /** Whether gt/lt/st/edge govern what counts as a change. */
  get conditional(): boolean {
    const t = this.timing;
    return !this.composite && (t.gt !== undefined || t.lt !== undefined || t.st !== undefined || t.edge !== undefined);
  }

  /** Time of the next scheduled wake-up (Infinity when none). */
  get nextAt(): number {
    return this.timerAt;
  }

  onTimer(): void {
    this.#manager.fire(this);
  }
}

function toMs(seconds: number | undefined): number {
  return seconds === undefined || seconds <= 0 ? 0 : seconds * 1000;
}

function timingOf(a: Attributes, composite: boolean): Timing {
  const pmin = toMs(a.pmin);
  let pmax = toMs(a.pmax);
  if (pmax > 0 && pmax < pmin) pmax = 0;
  const epmin = toMs(a.epmin);
  let epmax = toMs(a.epmax);
  if (epmax > 0 && epmax < epmin) epmax = 0;
  return {
    pmin,
    pmax,
    epmin,
    epmax,
    con: a.con === 1,
    gt: composite ? undefined : a.gt,
    lt: composite ? undefined : a.lt,
    st: composite ? undefined : a.st,
    edge: composite ? undefined : a.edge,
    hqmax: a.hqmax === undefined ? undefined : Math.min(a.hqmax, MAX_STORED_NOTIFICATIONS),
  };
}

/** Combines the attributes of a composite observation's paths. */
function combine(list: readonly Attributes[]): Attributes {
  let pmin: number | undefined;
  let pmax: number | undefined;
  let epmin: number | undefined;
  let epmax: number | undefined;
  let con: number | undefined;
  let hqmax: number | undefined;
  for (const a of list) {
    if (a.pmin !== undefined) pmin = Math.max(pmin ?? 0, a.pmin);
    if (a.pmax !== undefined && a.pmax > 0) pmax = pmax === undefined ? a.pmax : Math.min(pmax, a.pmax);
    if (a.epmin !== undefined) epmin = Math.max(epmin ?? 0, a.epmin);
    if (a.epmax !== undefined && a.epmax > 0) epmax = epmax === undefined ? a.epmax : Math.min(epmax, a.epmax);
    if (a.con === 1) con = 1;
    if (a.hqmax !== undefined) hqmax = Math.min(hqmax ?? a.hqmax, a.hqmax);
  }
  return { pmin, pmax, epmin, epmax, con, hqmax };
}

function num(v: number | boolean | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Whether a new value counts as a change under gt/lt/st/edge (LwM2M Core 1.1.1 5.1.2). */
export function conditionsMet(t: Pick<Timing, 'gt' | 'lt' | 'st' | 'edge'>, previous: number | boolean | undefined, notified: number | boolean | undefined, value: number | boolean | undefined): boolean {
  if (value === undefined) return false;
  if (t.edge !== undefined) {
    if (typeof value !== 'boolean') return false;
    const was = previous === true;
    if (t.edge === 1 ? !was && value : was && !value) return true;
  }
  const v = num(value);
  if (v === undefined) return false;
  const p = num(previous);
  if (t.gt !== undefined && p !== undefined && p > t.gt !== v > t.gt) return true;
  if (t.lt !== undefined && p !== undefined && p < t.lt !== v < t.lt) return true;
  const n = num(notified);
  if (t.st !== undefined && (n === undefined || Math.abs(v - n) >= t.st)) return true;
  return false;
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether an observation is still registered (sending may have ended it). */
function live(o: Observation): boolean {
  return !o.removed;
}

function keyOf(ids: readonly number[], depth: number): string {
  let s = '';
  for (let i = 0; i < depth; i++) s += '/' + String(ids[i]);
  return s === '' ? '/' : s;
}

/** Every observation of one engine, indexed by path, scheduled on one timer queue. */
export class ObservationManager {
  readonly #host: ObservationHost;
  readonly #timers: TimerQueue;
  readonly #byKey = new Map<string, Set<Observation>>();
  readonly #all = new Set<Observation>();
  /** Observed paths per depth, to skip the descendant scan when nothing deeper is observed. */
  readonly #depthCount = [0, 0, 0, 0, 0];

  constructor(host: ObservationHost) {
    this.#host = host;
    this.#timers = new TimerQueue(host.clock);
  }

  get size(): number {
    return this.#all.size;
  }

  /** Observations of one server (all when ssid is undefined). */
  list(ssid?: number): Observation[] {
    return [...this.#all].filter((o) => ssid === undefined || o.ssid === ssid);
  }

  /**
   * Starts an observation whose Observe response goes out now. `initial` is what that response
   * carried (for st/gt/lt, change comparison and cached entries).
   */
  add(target: ObserveTarget, sink: NotificationSink, initial?: { payload?: Uint8Array; cacheTimes?: ReadonlyMap<string, number> | undefined }): Observation {
    const now = this.#host.clock.now();
    const obs = new Observation(this, target, sink, now, this.#timing(target.ssid, target.paths, target.composite));
    // Kept as long as the observation: in a buffer of its own, not a view pinning a pool slab.
    obs.lastPayload = initial?.payload === undefined ? undefined : ownBytes(initial.payload);
    if (initial?.cacheTimes !== undefined) for (const [k, t] of initial.cacheTimes) obs.cacheSent.set(k, t);
    if (obs.conditional) {
      obs.lastValue = this.#sample(obs);
      obs.notifiedValue = obs.lastValue;
    }
    this.#all.add(obs);
    for (const p of obs.paths) {
      const k = p.toString();
      let set = this.#byKey.get(k);
      if (set === undefined) {
        set = new Set();
        this.#byKey.set(k, set);
      }
      set.add(obs);
      this.#depthCount[p.depth]!++;
    }
    sink.onCancel((reason) => {
      this.#remove(obs, endReasonOf(reason));
    });
    if (live(obs)) {
      this.#host.started(obs);
      this.#schedule(obs);
    }
    return obs;
  }

  #timing(ssid: number, paths: readonly LwM2mPath[], composite: boolean): Timing {
    const host = this.#host;
    const attrs = composite ? combine(paths.map((p) => host.attributes(ssid, p))) : host.attributes(ssid, paths[0]!);
    return timingOf(attrs, composite);
  }

  #sample(obs: Observation): number | boolean | undefined {
    try {
      return this.#host.sample(obs.paths[0]!);
    } catch {
      return undefined;
    }
  }

  #remove(obs: Observation, reason: ObservationEndReason): void {
    if (obs.removed) return;
    obs.removed = true;
    obs.timer?.cancel();
    obs.timer = undefined;
    obs.timerAt = Infinity;
    this.#all.delete(obs);
    for (const p of obs.paths) {
      const k = p.toString();
      const set = this.#byKey.get(k);
      set?.delete(obs);
      if (set?.size === 0) this.#byKey.delete(k);
      this.#depthCount[p.depth]!--;
    }
    this.#host.ended(obs, reason);
  }

  /** Cancels the observations of a server (all when ssid is undefined), e.g. on a new Register. */
  clear(ssid?: number, reason: ObservationEndReason = 'deregistration'): void {
    for (const obs of this.list(ssid)) {
      // Removed first, so that the sink's own cancel notice does not name another reason.
      this.#remove(obs, reason);
      obs.sink.cancel();
    }
  }

  /** Recomputes attributes (after Write-Attributes or a change of /1/x/2, /1/x/3) and reschedules. */
  refresh(ssid?: number): void {
    for (const obs of this.list(ssid)) {
      obs.timing = this.#timing(obs.ssid, obs.paths, obs.composite);
      if (obs.conditional && obs.lastValue === undefined) {
        obs.lastValue = this.#sample(obs);
        obs.notifiedValue ??= obs.lastValue;
      }
      this.#schedule(obs);
    }
  }

  /** Handles changed paths (one registry change batch): each affected observation is evaluated once. */
  changed(paths: readonly LwM2mPath[]): void {
    if (this.#all.size === 0) return;
    const hit = new Set<Observation>();
    for (const p of paths) this.#match(p, hit);
    if (hit.size === 0) return;
    const now = this.#host.clock.now();
    for (const obs of hit) {
      if (obs.removed) continue;
      this.#onChange(obs, now);
    }
  }

  #match(p: LwM2mPath, hit: Set<Observation>): void {
    const ids = p.ids;
    for (let d = 0; d <= ids.length; d++) {
      const set = this.#byKey.get(keyOf(ids, d));
      if (set !== undefined) for (const o of set) hit.add(o);
    }
    let deeper = false;
    for (let d = ids.length + 1; d <= 4; d++) if (this.#depthCount[d]! > 0) deeper = true;
    if (!deeper) return;
    for (const o of this.#all) {
      if (hit.has(o)) continue;
      for (const q of o.paths) {
        if (q.depth > ids.length && q.startsWith(p)) {
          hit.add(o);
          break;
        }
      }
    }
  }

  #onChange(obs: Observation, now: number): void {
    const t = obs.timing;
    if (t.epmin > 0 && now < obs.lastEvalAt + t.epmin) {
      obs.deferred = true;
      this.#schedule(obs);
      return;
    }
    this.#evaluate(obs, now, true);
    if (obs.pending !== Pending.NONE && now >= obs.lastNotifyAt + t.pmin) this.#send(obs, now, false);
    if (live(obs)) this.#schedule(obs);
  }

  #evaluate(obs: Observation, now: number, changed: boolean): void {
    obs.lastEvalAt = now;
    obs.deferred = false;
    if (obs.conditional) {
      const v = this.#sample(obs);
      if (conditionsMet(obs.timing, obs.lastValue, obs.notifiedValue, v)) obs.pending = Pending.CHANGED;
      obs.lastValue = v;
      return;
    }
    if (changed) obs.pending = Pending.CHANGED;
    else if (obs.pending === Pending.NONE) obs.pending = Pending.COMPARE;
  }

  /** @internal The observation's timer fired. */
  fire(obs: Observation): void {
    obs.timer = undefined;
    obs.timerAt = Infinity;
    if (obs.removed) return;
    const now = this.#host.clock.now();
    const t = obs.timing;
    if (obs.deferred && now >= obs.lastEvalAt + t.epmin) this.#evaluate(obs, now, true);
    else if (t.epmax > 0 && now >= obs.lastEvalAt + t.epmax) this.#evaluate(obs, now, false);
    const periodic = t.pmax > 0 && now >= obs.lastNotifyAt + t.pmax;
    if (periodic || (obs.pending !== Pending.NONE && now >= obs.lastNotifyAt + t.pmin)) this.#send(obs, now, periodic);
    if (live(obs)) this.#schedule(obs);
  }

  #schedule(obs: Observation): void {
    const t = obs.timing;
    let next = Infinity;
    if (obs.pending !== Pending.NONE) next = obs.lastNotifyAt + t.pmin;
    if (t.pmax > 0) next = Math.min(next, obs.lastNotifyAt + t.pmax);
    if (obs.deferred) next = Math.min(next, obs.lastEvalAt + t.epmin);
    if (t.epmax > 0) next = Math.min(next, obs.lastEvalAt + t.epmax);
    if (next === obs.timerAt && obs.timer !== undefined) return;
    obs.timer?.cancel();
    obs.timer = undefined;
    obs.timerAt = next;
    if (next !== Infinity) obs.timer = this.#timers.schedule(next - this.#host.clock.now(), obs);
  }

  #send(obs: Observation, now: number, periodic: boolean): void {
    const host = this.#host;
    const compareOnly = obs.pending === Pending.COMPARE && !periodic;
    const reachable = host.reachable(obs.ssid);
    // hqmax=0 (LwM2M 1.2 5.1.2) asks for no history: only the latest state is sent on reconnection.
    const storing = !reachable && host.storing(obs.ssid) && obs.timing.hqmax !== 0;
    const hold = (): void => {
      // Only the latest state matters: it is built when the server is reachable again.
      obs.pending = Pending.NONE;
      obs.lastNotifyAt = now;
      obs.held = true;
      host.outbound(obs.ssid);
    };
    if (!reachable && !storing && !compareOnly) {
      hold();
      return;
    }
    let built: BuiltNotification;
    try {
      built = host.build(obs);
    } catch (error) {
      obs.pending = Pending.NONE;
      obs.lastNotifyAt = now;
      if (error instanceof StatusError && !obs.composite) {
        // The observed path is gone (or no longer readable): a final notification ends it (RFC 7641 3.2).
        if (reachable) void obs.sink.notify({ code: error.coapCode }, { confirmable: obs.timing.con || host.confirmable(obs.ssid) });
        else {
          this.#remove(obs, 'path-gone');
          obs.sink.cancel();
        }
        return;
      }
      host.reportError(error);
      return;
    }
    const payload = built.response.payload;
    if (compareOnly && sameBytes(payload, obs.lastPayload)) {
      obs.pending = Pending.NONE;
      return;
    }
    if (!reachable && !storing) {
      hold();
      return;
    }
    obs.pending = Pending.NONE;
    obs.lastNotifyAt = now;
    obs.lastPayload = payload === undefined ? undefined : ownBytes(payload);
    if (built.cacheTimes !== undefined) for (const [k, v] of built.cacheTimes) obs.cacheSent.set(k, v);
    if (obs.conditional) obs.notifiedValue = this.#sample(obs);
    if (!reachable) {
      obs.held = true;
      const list = (obs.stored ??= []);
      const r = built.response;
      list.push(r.payload === undefined ? r : { ...r, payload: ownBytes(r.payload) });
      if (list.length > (obs.timing.hqmax ?? MAX_STORED_NOTIFICATIONS)) list.shift();
      host.outbound(obs.ssid);
      return;
    }
    this.#deliver(obs, built.response);
  }

  #deliver(obs: Observation, response: CoapResponse): void {
    const host = this.#host;
    obs.sink.notify(response, { confirmable: obs.timing.con || host.confirmable(obs.ssid) }).then(
      (result) => {
        if (result !== 'acknowledged') return;
        host.traffic(obs.ssid);
        host.acknowledged(obs);
      },
      (error: unknown) => {
        host.reportError(error);
      },
    );
  }

  /** Sends what was held while the server was unreachable (the RD runner calls it after waking up). */
  flush(ssid: number): void {
    const now = this.#host.clock.now();
    for (const obs of this.list(ssid)) {
      if (!obs.held || obs.removed) continue;
      obs.held = false;
      const stored = obs.stored;
      obs.stored = undefined;
      if (stored !== undefined && stored.length > 0) {
        for (const r of stored) this.#deliver(obs, r);
      } else {
        this.#send(obs, now, true);
      }
      if (live(obs)) this.#schedule(obs);
    }
  }

  /** Whether any observation of `ssid` holds notifications. */
  hasHeld(ssid: number): boolean {
    for (const o of this.#all) if (o.ssid === ssid && o.held) return true;
    return false;
  }

  /** Stops every timer and forgets every observation (the CoAP side is left to its endpoint). */
  close(): void {
    for (const obs of [...this.#all]) this.#remove(obs, 'closed');
    this.#timers.clear();
  }
}
