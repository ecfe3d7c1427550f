/**
 * Connectivity Statistics (object 7, registry object 7): SMS and IP traffic counters over a
 * collection period. Start (/7/0/6) resets resources 0..5 and starts collecting, for Collection
 * Period (/7/0/8) seconds when it is above 0 (one timer on the engine clock), else until Stop
 * (/7/0/7), which freezes the counters. The application feeds messages (`recordTx`, `recordRx`,
 * `recordSms`) and/or gives a traffic source (e.g. the CoAP endpoints' byte counters) whose growth
 * during the period is counted; per datagram `ipOverhead` bytes of IP and UDP headers are added,
 * as the object counts IP traffic including headers.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { LwM2mPath } from '../../model/path.ts';
import type { Timer } from '../../util/clock.ts';
import { definitionOf, fillInstance, numberAt } from './common.ts';

const STATISTICS = 7;
const PATH = LwM2mPath.of(STATISTICS, 0);
const at = (rid: number): LwM2mPath => PATH.child(rid);

/** Cumulative traffic totals of a source, e.g. the sum of CoapEndpoint.counters. */
export interface TrafficTotals {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly datagramsSent: number;
  readonly datagramsReceived: number;
}

export interface ConnectivityStatisticsOptions {
  /** Cumulative totals counted from Start to Stop. */
  readonly trafficSource?: () => TrafficTotals;
  /** IP + UDP header bytes added per datagram (default 28, IPv4). */
  readonly ipOverhead?: number;
  /** /7/0/8 default collection period in seconds (default 0: until Stop). */
  readonly collectionPeriod?: number;
  /** Start collecting at once (default false: a server or the application executes Start). */
  readonly start?: boolean;
}

interface Tally {
  smsTx: number;
  smsRx: number;
  txBytes: number;
  rxBytes: number;
  maxMessage: number;
  messages: number;
}

const ZERO: TrafficTotals = { bytesSent: 0, bytesReceived: 0, datagramsSent: 0, datagramsReceived: 0 };

function emptyTally(): Tally {
  return { smsTx: 0, smsRx: 0, txBytes: 0, rxBytes: 0, maxMessage: 0, messages: 0 };
}

/** The application's handle on /7/0. */
export class ConnectivityStatisticsObject {
  readonly #engine: LwM2mEngine;
  readonly #source: (() => TrafficTotals) | undefined;
  readonly #overhead: number;
  #tally = emptyTally();
  #collecting = false;
  #base: TrafficTotals = ZERO;
  /** The source's growth when collection stopped. */
  #frozen: TrafficTotals = ZERO;
  #timer: Timer | undefined;

  constructor(engine: LwM2mEngine, options: ConnectivityStatisticsOptions) {
    this.#engine = engine;
    this.#source = options.trafficSource;
    this.#overhead = options.ipOverhead ?? 28;
    const reg = engine.registry;
    fillInstance(reg, definitionOf(engine, STATISTICS), 0, { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, 5: 0, 8: options.collectionPeriod ?? 0 });
    reg.onRead(at(0), () => this.#tally.smsTx);
    reg.onRead(at(1), () => this.#tally.smsRx);
    reg.onRead(at(2), () => Math.floor(this.#txBytes() / 1000));
    reg.onRead(at(3), () => Math.floor(this.#rxBytes() / 1000));
    reg.onRead(at(4), () => this.#tally.maxMessage);
    reg.onRead(at(5), () => {
      const n = this.#tally.messages + this.#growth().datagramsSent + this.#growth().datagramsReceived;
      return n === 0 ? 0 : Math.round((this.#txBytes() + this.#rxBytes()) / n);
    });
    reg.onExecute(at(6), () => {
      this.start();
    });
    reg.onExecute(at(7), () => {
      this.stop();
    });
    if (options.start === true) this.start();
  }

  #growth(): TrafficTotals {
    if (this.#source === undefined) return ZERO;
    if (!this.#collecting) return this.#frozen;
    const now = this.#source();
    return {
      bytesSent: now.bytesSent - this.#base.bytesSent,
      bytesReceived: now.bytesReceived - this.#base.bytesReceived,
      datagramsSent: now.datagramsSent - this.#base.datagramsSent,
      datagramsReceived: now.datagramsReceived - this.#base.datagramsReceived,
    };
  }

  #txBytes(): number {
    const g = this.#growth();
    return this.#tally.txBytes + g.bytesSent + g.datagramsSent * this.#overhead;
  }

  #rxBytes(): number {
    const g = this.#growth();
    return this.#tally.rxBytes + g.bytesReceived + g.datagramsReceived * this.#overhead;
  }

  #changed(): void {
    const reg = this.#engine.registry;
    reg.lock();
    try {
      for (let rid = 0; rid <= 5; rid++) reg.changed(at(rid));
    } finally {
      reg.unlock();
    }
  }

  /** Whether counters are being collected. */
  get collecting(): boolean {
    return this.#collecting;
  }

  /** Start (/7/0/6): resets resources 0..5 and collects, for Collection Period seconds when above 0. */
  start(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#tally = emptyTally();
    this.#frozen = ZERO;
    this.#base = this.#source?.() ?? ZERO;
    this.#collecting = true;
    const period = numberAt(this.#engine.registry, at(8)) ?? 0;
    if (period > 0) {
      this.#timer = this.#engine.clock.setTimer(period * 1000, () => {
        this.#timer = undefined;
        this.stop();
      }, { unref: true });
    }
    this.#changed();
  }

  /** Stop (/7/0/7): stops collecting and keeps the values. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    if (!this.#collecting) return;
    this.#frozen = this.#growth();
    this.#collecting = false;
    this.#changed();
  }

  /** Counts an IP message sent (its size in bytes, headers included). */
  recordTx(bytes: number): void {
    if (!this.#collecting) return;
    this.#tally.txBytes += bytes;
    this.#message(bytes);
  }

  /** Counts an IP message received. */
  recordRx(bytes: number): void {
    if (!this.#collecting) return;
    this.#tally.rxBytes += bytes;
    this.#message(bytes);
  }

  #message(bytes: number): void {
    this.#tally.messages++;
    if (bytes > this.#tally.maxMessage) this.#tally.maxMessage = bytes;
  }

  /** Counts an SMS sent or received. */
  recordSms(direction: 'tx' | 'rx'): void {
    if (!this.#collecting) return;
    if (direction === 'tx') this.#tally.smsTx++;
    else this.#tally.smsRx++;
  }

  /** Cancels the collection timer. */
  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }
}

/** Creates /7/0 with Start/Stop and the counters. */
export function installConnectivityStatistics(engine: LwM2mEngine, options: ConnectivityStatisticsOptions = {}): ConnectivityStatisticsObject {
  return new ConnectivityStatisticsObject(engine, options);
}
