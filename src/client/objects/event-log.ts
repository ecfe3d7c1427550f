/**
 * Event Log (object 20, registry object 20): a data collection per instance. LogStart (/20/x/4011)
 * sets LogStatus bit 0 to 0 (running) and empties the collection, or keeps it with argument 0='1'
 * ("extend"); LogStop (/20/x/4012) sets bit 0 (stopped) and keeps the collection, or empties it
 * with 0='1'. While running, `append` adds to LogData (/20/x/4014); bit 1 of LogStatus says LogData
 * holds data, bit 2 that an error occurred (`reportError`). The collection is bounded: past
 * `maxBytes` the oldest bytes are dropped.
 *
 * LogDataIncremental (/20/x/4016, object 20 v2.1; no operation: only a Send carries it, Read and
 * Observe get 4.05) is collected per LwM2M Server, independently of LogData and of LogStart/LogStop:
 * every `append` adds to the collection of each server whose LogDataIncremental Minimum Send Interval
 * (/20/x/4017) is positive. A server's collection goes out in a Send of /20/x/4016 (SenML CBOR) that
 * many seconds after its previous one (or after the interval became positive) or when new data is
 * appended, whichever is later; the bytes delivered are removed once the server acknowledged the Send
 * (bytes appended meanwhile stay for the next one); a failed Send is tried again an interval later.
 * The resource is one value, but "handled independently for each server": a server's write of 4017
 * sets that server's interval; `setMinimumSendInterval` (or the option) sets it for the servers that
 * wrote none. 0 stops a server's collection and drops it. LogStatus bit 3 (value 8) says some
 * server's collection is active.
 */
import { ContentFormat } from '../../codec/content-format.ts';
import type { LwM2mEngine } from '../../dm/engine.ts';
import type { ExecuteArguments } from '../../dm/execute-args.ts';
import type { SendSource } from '../../dm/send-sources.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { ResourceValue } from '../../model/resource-type.ts';
import type { Timer } from '../../util/clock.ts';
import { TypedEmitter } from '../../util/typed-events.ts';
import { definitionOf, fillInstance, hasResource, setAll } from './common.ts';

const EVENT_LOG = 20;
const STOPPED = 1;
const HAS_DATA = 2;
const ERROR = 4;
const INCREMENTAL = 8;
const SERVER = 1;
const LOG_DATA_INCREMENTAL = 4016;
const MIN_SEND_INTERVAL = 4017;

/** LogClass values (/20/x/4010). */
export const LogClass = { generic: 0, system: 1, security: 2, event: 3, trace: 4, panic: 5, charging: 6 } as const;

export interface EventLogOptions {
  readonly iid?: number;
  /** /20/x/4010 (default 0 generic). */
  readonly logClass?: number;
  /** /20/x/4015 (default 0: a plain byte sequence). */
  readonly dataFormat?: number;
  /** Most bytes LogData keeps (default 4096). */
  readonly maxBytes?: number;
  /** Start collecting at once (default false). */
  readonly start?: boolean;
  /** /20/x/4017 for every server that did not write its own (seconds; default 0: LogDataIncremental is never sent). */
  readonly minimumSendInterval?: number;
}

/** Events of an Event Log instance about its LogDataIncremental Sends. */
export interface EventLogEvents {
  /** Server `ssid` acknowledged a Send of LogDataIncremental carrying `bytes` bytes. */
  'incremental-sent': { readonly ssid: number; readonly bytes: number };
  /** A Send of LogDataIncremental to `ssid` failed; it is tried again `retryIn` ms later. */
  'incremental-failed': { readonly ssid: number; readonly error: Error; readonly retryIn: number };
}

/** The LogDataIncremental collection of one server. */
interface Incremental {
  buf: Uint8Array;
  /** Stream offset of buf[0]: bytes ever appended minus those still in buf. */
  start: number;
  /** When the previous Send was performed (or the collection began): the next is due an interval later. */
  since: number;
  timer: Timer | undefined;
  sending: boolean;
  /** Stream offset just past each collection handed to a Send (buffers are replaced, never changed). */
  readonly ends: WeakMap<Uint8Array, number>;
}

/** One Event Log instance. */
export class EventLogObject extends TypedEmitter<EventLogEvents> {
  readonly #engine: LwM2mEngine;
  readonly #max: number;
  readonly path: LwM2mPath;
  #data: Uint8Array = new Uint8Array(0);
  #status = STOPPED;
  /** 4017 for servers that wrote none (seconds). */
  #defaultInterval = 0;
  /** 4017 as written by each server. */
  readonly #intervals = new Map<number, number>();
  readonly #incremental = new Map<number, Incremental>();
  readonly #removeSource: (() => void) | undefined;
  #closed = false;

  constructor(engine: LwM2mEngine, options: EventLogOptions) {
    super();
    this.#engine = engine;
    this.#max = options.maxBytes ?? 4096;
    const reg = engine.registry;
    const iid = options.iid ?? reg.freeInstanceId(EVENT_LOG);
    this.path = LwM2mPath.of(EVENT_LOG, iid);
    fillInstance(reg, definitionOf(engine, EVENT_LOG), iid, {
      4010: options.logClass ?? LogClass.generic,
      4013: this.#status,
      4014: this.#data,
      4015: options.dataFormat ?? 0,
      4017: options.minimumSendInterval ?? 0,
    });
    reg.onExecute(this.path.child(4011), (args) => {
      this.start(extendArg(args));
    });
    reg.onExecute(this.path.child(4012), (args) => {
      this.stop(extendArg(args));
    });
    if (hasResource(definitionOf(engine, EVENT_LOG), LOG_DATA_INCREMENTAL)) {
      const source: SendSource = {
        value: (ssid) => this.#supply(ssid),
        delivered: (ssid, _path, value) => {
          this.#delivered(ssid, value);
        },
      };
      this.#removeSource = engine.setSendSource(this.path.child(LOG_DATA_INCREMENTAL), source);
      reg.onPostWrite(this.path.child(MIN_SEND_INTERVAL), (value, ctx) => {
        const seconds = toSeconds(value);
        if (ctx.source === 'server' && ctx.ssid !== undefined) {
          this.#intervals.set(ctx.ssid, seconds);
          this.#reconfigure();
        } else this.#setDefault(seconds);
      });
      if (options.minimumSendInterval !== undefined) this.setMinimumSendInterval(options.minimumSendInterval);
    }
    if (options.start === true) this.start();
  }

  /** Whether the collection is running. */
  get running(): boolean {
    return (this.#status & STOPPED) === 0;
  }

  /** LogStatus (/20/x/4013). */
  get status(): number {
    return this.#status;
  }

  /** The collected bytes (LogData). */
  get data(): Uint8Array {
    return this.#data;
  }

  #publish(): void {
    if (this.#data.length > 0) this.#status |= HAS_DATA;
    else this.#status &= ~HAS_DATA;
    if (this.#incremental.size > 0) this.#status |= INCREMENTAL;
    else this.#status &= ~INCREMENTAL;
    setAll(this.#engine.registry, this.path, { 4013: this.#status, 4014: this.#data });
  }

  /** LogStart: running; the collection is emptied unless `extend`. */
  start(extend = false): void {
    if (!extend) this.#data = new Uint8Array(0);
    this.#status &= ~(STOPPED | ERROR);
    this.#publish();
  }

  /** LogStop: stopped; the collection is kept unless `empty`. */
  stop(empty = false): void {
    if (empty) this.#data = new Uint8Array(0);
    this.#status |= STOPPED;
    this.#publish();
  }

  /**
   * Appends an entry (bytes, or a string as UTF-8): to LogData while running, and to the
   * LogDataIncremental collection of every server with a positive 4017 whatever LogStart/LogStop
   * say. Returns whether LogData took it (false when stopped).
   */
  append(entry: Uint8Array | string): boolean {
    const bytes = typeof entry === 'string' ? new TextEncoder().encode(entry) : entry;
    this.#appendIncremental(bytes);
    if (!this.running) return false;
    this.#data = this.#joined(this.#data, bytes);
    this.#publish();
    return true;
  }

  /** `data` + `bytes`, keeping the newest `maxBytes`. */
  #joined(data: Uint8Array, bytes: Uint8Array): Uint8Array {
    const joined = new Uint8Array(data.length + bytes.length);
    joined.set(data);
    joined.set(bytes, data.length);
    return joined.length > this.#max ? joined.slice(joined.length - this.#max) : joined;
  }

  /** Sets the error bit of LogStatus (an error occurred during data collection). */
  reportError(): void {
    this.#status |= ERROR;
    this.#publish();
  }

  // --- LogDataIncremental ---------------------------------------------------------------------

  /**
   * Sets LogDataIncremental Minimum Send Interval (/20/x/4017, seconds) as the application: for
   * every server that wrote none of its own. 0 stops the collections it governs.
   */
  setMinimumSendInterval(seconds: number): void {
    const s = toSeconds(seconds);
    this.#engine.registry.set(this.path.child(MIN_SEND_INTERVAL), s);
    this.#setDefault(s);
  }

  /** The interval (seconds) in force for server `ssid`. */
  minimumSendInterval(ssid: number): number {
    return this.#intervals.get(ssid) ?? this.#defaultInterval;
  }

  /** The LogDataIncremental bytes collected for server `ssid` and not yet delivered (undefined: not collecting). */
  incrementalData(ssid: number): Uint8Array | undefined {
    return this.#incremental.get(ssid)?.buf;
  }

  /** Stops the LogDataIncremental timers and withdraws the value from Sends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const st of this.#incremental.values()) st.timer?.cancel();
    this.#incremental.clear();
    this.#removeSource?.();
  }

  #setDefault(seconds: number): void {
    this.#defaultInterval = seconds;
    this.#reconfigure();
  }

  /** Short server ids of the configured LwM2M Servers (/1/x/0). */
  #servers(): number[] {
    const reg = this.#engine.registry;
    const out: number[] = [];
    for (const iid of reg.instanceIds(SERVER)) {
      const v = reg.get(LwM2mPath.of(SERVER, iid, 0));
      if (typeof v === 'number') out.push(v);
    }
    return out;
  }

  /** Starts the collections of servers with a positive interval, drops the others, reschedules. */
  #reconfigure(): void {
    if (this.#closed) return;
    const now = this.#engine.clock.now();
    const active = new Set<number>();
    for (const ssid of this.#servers()) if (this.minimumSendInterval(ssid) > 0) active.add(ssid);
    for (const ssid of this.#intervals.keys()) if (this.minimumSendInterval(ssid) > 0) active.add(ssid);
    for (const [ssid, st] of this.#incremental) {
      if (active.has(ssid)) continue;
      st.timer?.cancel();
      this.#incremental.delete(ssid);
    }
    for (const ssid of active) {
      let st = this.#incremental.get(ssid);
      if (st === undefined) {
        st = { buf: new Uint8Array(0), start: 0, since: now, timer: undefined, sending: false, ends: new WeakMap() };
        this.#incremental.set(ssid, st);
      }
      st.timer?.cancel();
      st.timer = undefined;
      this.#schedule(ssid, st);
    }
    this.#publish();
  }

  #appendIncremental(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    // A server configured after the interval was set starts collecting with its first entry.
    if (this.#defaultInterval > 0 && this.#servers().some((ssid) => !this.#incremental.has(ssid) && this.minimumSendInterval(ssid) > 0)) this.#reconfigure();
    for (const [ssid, st] of this.#incremental) {
      const joined = this.#joined(st.buf, bytes);
      st.start += st.buf.length + bytes.length - joined.length;
      st.buf = joined;
      this.#schedule(ssid, st);
    }
  }

  /** Arms the server's timer: due an interval after `since`, and not before there is data. */
  #schedule(ssid: number, st: Incremental): void {
    if (st.timer !== undefined || st.sending || st.buf.length === 0) return;
    const clock = this.#engine.clock;
    const due = st.since + this.minimumSendInterval(ssid) * 1000;
    st.timer = clock.setTimer(
      Math.max(0, due - clock.now()),
      () => {
        st.timer = undefined;
        this.#sendTo(ssid, st);
      },
      { unref: true },
    );
  }

  #sendTo(ssid: number, st: Incremental): void {
    if (this.#closed || this.#incremental.get(ssid) !== st || st.buf.length === 0) return;
    const clock = this.#engine.clock;
    const performed = clock.now();
    st.sending = true;
    this.#engine.send(ssid, [this.path.child(LOG_DATA_INCREMENTAL)], { format: ContentFormat.SENML_CBOR }).then(
      () => {
        st.sending = false;
        st.since = performed;
        this.#schedule(ssid, st);
      },
      (error: unknown) => {
        st.sending = false;
        st.since = clock.now();
        const retryIn = this.minimumSendInterval(ssid) * 1000;
        this.#schedule(ssid, st);
        this.emit('incremental-failed', { ssid, error: error instanceof Error ? error : new Error(String(error)), retryIn });
      },
    );
  }

  /** The SendSource: the collection of `ssid` as it is now (nothing when empty or not collecting). */
  #supply(ssid: number): ResourceValue | undefined {
    const st = this.#incremental.get(ssid);
    if (st === undefined || st.buf.length === 0) return undefined;
    st.ends.set(st.buf, st.start + st.buf.length);
    return st.buf;
  }

  /** A Send carrying `value` was acknowledged: remove exactly those bytes (later ones stay). */
  #delivered(ssid: number, value: ResourceValue): void {
    const st = this.#incremental.get(ssid);
    if (st === undefined || !(value instanceof Uint8Array)) return;
    const end = st.ends.get(value);
    if (end === undefined || end <= st.start) return;
    const n = end - st.start;
    st.buf = st.buf.slice(Math.min(n, st.buf.length));
    st.start = end;
    this.emit('incremental-sent', { ssid, bytes: value.length });
  }
}

/** 4017 as a whole number of seconds (negative or not finite: 0). */
function toSeconds(value: ResourceValue | number): number {
  const n = typeof value === 'bigint' ? Number(value) : typeof value === 'number' ? value : 0;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** LogStart / LogStop argument 0: '1' extends (start) or empties (stop). */
function extendArg(args: ExecuteArguments): boolean {
  return args.get(0) === '1';
}

/** Creates an Event Log instance; returns its handle. */
export function installEventLog(engine: LwM2mEngine, options: EventLogOptions = {}): EventLogObject {
  return new EventLogObject(engine, options);
}
