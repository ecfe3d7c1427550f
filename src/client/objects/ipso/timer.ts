/**
 * IPSO Timer (3340) with its four patterns (Timer Mode 5526): 1 one-shot, 2 on-time (interval),
 * 3 time delay on pick-up (TDPU), 4 time delay on drop-out (TDDO); 0 disables the timing so the
 * output follows the input. The input is On/Off (5850, written by a server or `setInput`); Trigger
 * (5523) starts a timing operation like a rising input edge without changing the input level.
 *
 * - One-shot: a rising edge turns the output (Digital State 5543) on for Delay Duration (5521)
 *   seconds, whatever the input does meanwhile; edges while it runs are ignored.
 * - On-time: the output turns on at the rising edge and off after Delay Duration, or earlier when
 *   the input falls.
 * - TDPU: the output turns on once the input has been on for Delay Duration (a trigger restarts that
 *   delay while the input is on), and off when the input falls.
 * - TDDO: the output turns on with the input and stays on for Delay Duration after the input falls
 *   (a trigger while the input is off gives one such period).
 *
 * Minimum Off-time (5525) is the rearm delay: no new operation starts within it after the output
 * went off. Counter (5534) counts output 0 -> 1 transitions, Digital Input Counter (5501) rising
 * edges and triggers, Cumulative Time (5544) the seconds the input was on; writing them sets them
 * (0 resets). Remaining Time (5538) is the time left of the running operation. One timer on the
 * engine clock while an operation runs.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import type { Timer } from '../../../util/clock.ts';
import { numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

/** Timer Mode values (5526). */
export const TimerMode = { off: 0, oneShot: 1, onTime: 2, delayOnPickup: 3, delayOnDropout: 4 } as const;
export type TimerMode = (typeof TimerMode)[keyof typeof TimerMode];

export interface TimerOptions extends IpsoOptions {
  /** 5521 seconds (mandatory; default 5). */
  readonly delayDuration?: number;
  /** 5526 (default one-shot). */
  readonly mode?: TimerMode;
  /** 5525 seconds (default 0). */
  readonly minimumOffTime?: number;
}

export interface TimerEvents {
  /** The timer output (Digital State) changed. */
  output: { readonly on: boolean };
  error: Error;
}

interface Pending {
  readonly at: number;
  readonly turnOn: boolean;
  readonly timer: Timer;
}

/** One Timer instance. */
export class TimerInstance extends IpsoInstance<TimerEvents> {
  #input = false;
  #output = false;
  #pending: Pending | undefined;
  #rearmAt = Number.NEGATIVE_INFINITY;
  /** Milliseconds the input was on before the current on period. */
  #inputMs = 0;
  #inputSince = 0;

  constructor(engine: LwM2mEngine, options: TimerOptions = {}) {
    super(engine, 3340, options, {
      5521: options.delayDuration ?? 5,
      5526: options.mode ?? TimerMode.oneShot,
      5525: options.minimumOffTime ?? 0,
      5850: false,
      5543: false,
      5534: 0,
      5501: 0,
      5544: 0,
    });
    const reg = engine.registry;
    reg.onRead(this.at(5538), () => this.remainingTime);
    reg.onRead(this.at(5544), () => this.cumulativeTime);
    reg.onPostWrite(this.at(5544), (value, ctx) => {
      if (ctx.source === 'app' || typeof value !== 'number') return;
      this.#inputMs = value * 1000;
      this.#inputSince = engine.clock.now();
    });
    reg.onPostWrite(this.at(5850), (value) => {
      this.#inputChanged(value === true);
    });
    reg.onPostWrite(this.at(5526), () => {
      this.#cancel();
      this.#setOutput(this.mode === TimerMode.off && this.#input);
    });
    reg.onExecute(this.at(5523), () => {
      this.trigger();
    });
  }

  get mode(): number {
    return numberAt(this.engine.registry, this.at(5526)) ?? TimerMode.oneShot;
  }

  /** The output (Digital State, 5543). */
  get output(): boolean {
    return this.#output;
  }

  /** The input (On/Off, 5850). */
  get input(): boolean {
    return this.#input;
  }

  /** Seconds left of the running operation (5538), 0 when none runs. */
  get remainingTime(): number {
    const p = this.#pending;
    return p === undefined ? 0 : Math.max(0, p.at - this.engine.clock.now()) / 1000;
  }

  /** Seconds the input has been on (5544). */
  get cumulativeTime(): number {
    const running = this.#input ? this.engine.clock.now() - this.#inputSince : 0;
    return (this.#inputMs + running) / 1000;
  }

  /** Output 0 -> 1 transitions (5534). */
  get counter(): number {
    return numberAt(this.engine.registry, this.at(5534)) ?? 0;
  }

  #delayMs(): number {
    return (numberAt(this.engine.registry, this.at(5521)) ?? 0) * 1000;
  }

  #armed(): boolean {
    return this.engine.clock.now() >= this.#rearmAt;
  }

  #setOutput(on: boolean): void {
    if (on === this.#output) return;
    this.#output = on;
    const reg = this.engine.registry;
    reg.lock();
    try {
      if (on) reg.set(this.at(5534), this.counter + 1);
      else this.#rearmAt = this.engine.clock.now() + (numberAt(reg, this.at(5525)) ?? 0) * 1000;
      reg.set(this.at(5543), on);
      reg.changed(this.at(5538));
    } finally {
      reg.unlock();
    }
    this.emit('output', { on });
  }

  #schedule(turnOn: boolean, ms: number): void {
    this.#cancel();
    const clock = this.engine.clock;
    const timer = clock.setTimer(ms, () => {
      if (this.#pending?.timer !== timer) return;
      this.#pending = undefined;
      this.#setOutput(turnOn);
    }, { unref: true });
    this.#pending = { at: clock.now() + ms, turnOn, timer };
    this.engine.registry.changed(this.at(5538));
  }

  #cancel(): void {
    this.#pending?.timer.cancel();
    this.#pending = undefined;
  }

  #inputChanged(on: boolean): void {
    if (on === this.#input) return;
    const now = this.engine.clock.now();
    if (on) this.#inputSince = now;
    else this.#inputMs += now - this.#inputSince;
    this.#input = on;
    if (on) this.#rise();
    else this.#fall();
  }

  /** A rising edge of the input, or a trigger. */
  #rise(): void {
    const reg = this.engine.registry;
    reg.set(this.at(5501), (numberAt(reg, this.at(5501)) ?? 0) + 1);
    switch (this.mode) {
      case TimerMode.off:
        if (this.#input) this.#setOutput(true);
        return;
      case TimerMode.oneShot:
      case TimerMode.onTime:
        if (!this.#output && this.#pending === undefined && this.#armed()) {
          this.#setOutput(true);
          this.#schedule(false, this.#delayMs());
        }
        return;
      case TimerMode.delayOnPickup:
        if (this.#input && !this.#output && this.#armed()) this.#schedule(true, this.#delayMs());
        return;
      case TimerMode.delayOnDropout:
        this.#cancel();
        if (!this.#output && this.#armed()) this.#setOutput(true);
        if (this.#output && !this.#input) this.#schedule(false, this.#delayMs());
        return;
    }
  }

  /** A falling edge of the input. */
  #fall(): void {
    switch (this.mode) {
      case TimerMode.off:
        this.#setOutput(false);
        return;
      case TimerMode.oneShot:
        return;
      case TimerMode.onTime:
      case TimerMode.delayOnPickup:
        this.#cancel();
        this.#setOutput(false);
        return;
      case TimerMode.delayOnDropout:
        if (this.#output) this.#schedule(false, this.#delayMs());
        return;
    }
  }

  /** Trigger (5523): starts a timing operation like a rising edge, without changing the input level. */
  trigger(): void {
    this.#rise();
  }

  /** Sets the input (On/Off, 5850), as a server's write would. */
  setInput(on: boolean): void {
    this.engine.registry.set(this.at(5850), on);
  }

  /** Cancels the running operation's timer. */
  dispose(): void {
    this.#cancel();
  }
}

/** Creates a Timer instance (3340). */
export function installTimer(engine: LwM2mEngine, options?: TimerOptions): TimerInstance {
  return new TimerInstance(engine, options);
}
