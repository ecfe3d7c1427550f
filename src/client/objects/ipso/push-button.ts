/**
 * IPSO Push button (3347): Digital Input State (5500) while pressed, Digital Input Counter (5501)
 * counting presses, with the timestamp of the last change.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { booleanAt, numberAt } from '../common.ts';
import { IpsoInstance, type IpsoOptions } from './instance.ts';

/** One Push button instance. */
export class PushButtonInstance extends IpsoInstance {
  constructor(engine: LwM2mEngine, options: IpsoOptions = {}) {
    super(engine, 3347, options, { 5500: false, 5501: 0 });
  }

  get pressed(): boolean {
    return booleanAt(this.engine.registry, this.at(5500)) === true;
  }

  /** Digital Input Counter (5501): presses so far. */
  get counter(): number {
    return numberAt(this.engine.registry, this.at(5501)) ?? 0;
  }

  /** The button state changed; a press counts. */
  setState(pressed: boolean, options: { readonly time?: Date } = {}): void {
    if (pressed === this.pressed) return;
    this.update({ 5500: pressed, 5501: pressed ? this.counter + 1 : undefined, ...this.stamp(options.time) });
  }

  /** A full press and release. */
  click(): void {
    this.setState(true);
    this.setState(false);
  }
}

/** Creates a Push button instance (3347). */
export function installPushButton(engine: LwM2mEngine, options?: IpsoOptions): PushButtonInstance {
  return new PushButtonInstance(engine, options);
}
