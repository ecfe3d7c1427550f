/**
 * Event Log (object 20, registry object 20): a data collection per instance. LogStart (/20/x/4011)
 * sets LogStatus bit 0 to 0 (running) and empties the collection, or keeps it with argument 0='1'
 * ("extend"); LogStop (/20/x/4012) sets bit 0 (stopped) and keeps the collection, or empties it
 * with 0='1'. While running, `append` adds to LogData (/20/x/4014); bit 1 of LogStatus says LogData
 * holds data, bit 2 that an error occurred (`reportError`). The collection is bounded: past
 * `maxBytes` the oldest bytes are dropped. LogDataIncremental (4016, Send only) is not kept.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import type { ExecuteArguments } from '../../dm/execute-args.ts';
import { LwM2mPath } from '../../model/path.ts';
import { definitionOf, fillInstance, setAll } from './common.ts';

const EVENT_LOG = 20;
const STOPPED = 1;
const HAS_DATA = 2;
const ERROR = 4;

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
}

/** One Event Log instance. */
export class EventLogObject {
  readonly #engine: LwM2mEngine;
  readonly #max: number;
  readonly path: LwM2mPath;
  #data: Uint8Array = new Uint8Array(0);
  #status = STOPPED;

  constructor(engine: LwM2mEngine, options: EventLogOptions) {
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
    });
    reg.onExecute(this.path.child(4011), (args) => {
      this.start(extendArg(args));
    });
    reg.onExecute(this.path.child(4012), (args) => {
      this.stop(extendArg(args));
    });
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

  /** Appends an entry (bytes, or a string as UTF-8) while running; returns false when stopped. */
  append(entry: Uint8Array | string): boolean {
    if (!this.running) return false;
    const bytes = typeof entry === 'string' ? new TextEncoder().encode(entry) : entry;
    const joined = new Uint8Array(this.#data.length + bytes.length);
    joined.set(this.#data);
    joined.set(bytes, this.#data.length);
    this.#data = joined.length > this.#max ? joined.slice(joined.length - this.#max) : joined;
    this.#publish();
    return true;
  }

  /** Sets the error bit of LogStatus (an error occurred during data collection). */
  reportError(): void {
    this.#status |= ERROR;
    this.#publish();
  }
}

/** LogStart / LogStop argument 0: '1' extends (start) or empties (stop). */
function extendArg(args: ExecuteArguments): boolean {
  return args.get(0) === '1';
}

/** Creates an Event Log instance; returns its handle. */
export function installEventLog(engine: LwM2mEngine, options: EventLogOptions = {}): EventLogObject {
  return new EventLogObject(engine, options);
}
