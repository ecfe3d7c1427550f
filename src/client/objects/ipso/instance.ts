/**
 * What the IPSO object modules share (IPSO Smart Objects / OMA LwM2M registry 33xx): one instance
 * of an object, created on install, with the reusable resources Application Type (5750),
 * Timestamp (5518) with Fractional Timestamp (6050), and Measurement Quality (6042, 6049).
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import type { ObjectDefinition } from '../../../model/object-definition.ts';
import { LwM2mPath } from '../../../model/path.ts';
import { TypedEmitter } from '../../../util/typed-events.ts';
import { definitionOf, fillInstance, setAll, type InitialValues } from '../common.ts';

/** Options every IPSO instance takes. */
export interface IpsoOptions {
  /** Instance id; default the lowest free one. */
  readonly iid?: number;
  /** /5750 */
  readonly applicationType?: string;
  /** Stamp each new measurement with Timestamp (5518) and Fractional Timestamp (6050) when the object has them. */
  readonly timestamps?: boolean;
}

/** A created IPSO instance: its path, helpers to write its resources, and its events `E`. */
export class IpsoInstance<E extends object = { error: Error }> extends TypedEmitter<E> {
  readonly engine: LwM2mEngine;
  readonly definition: ObjectDefinition;
  readonly path: LwM2mPath;
  readonly #timestamps: boolean;

  constructor(engine: LwM2mEngine, oid: number, options: IpsoOptions, initial: InitialValues) {
    super();
    this.engine = engine;
    this.definition = definitionOf(engine, oid);
    const iid = options.iid ?? engine.registry.freeInstanceId(oid);
    this.path = LwM2mPath.of(oid, iid);
    this.#timestamps = options.timestamps === true;
    fillInstance(engine.registry, this.definition, iid, { ...initial, 5750: options.applicationType, ...this.stamp() });
  }

  /** Instance id. */
  get iid(): number {
    return this.path.instanceId!;
  }

  /** Resource path of this instance. */
  at(rid: number): LwM2mPath {
    return this.path.child(rid);
  }

  has(rid: number): boolean {
    return this.definition.resources.has(rid);
  }

  /** Timestamp values for a measurement taken now (empty unless timestamps are on). */
  stamp(time?: Date): InitialValues {
    if (!this.#timestamps) return {};
    const ms = time?.getTime() ?? this.engine.clock.wallTime();
    return { 5518: new Date(Math.floor(ms / 1000) * 1000), 6050: (ms % 1000) / 1000 };
  }

  /** Sets resources (those the definition has) in one change. */
  update(values: InitialValues): void {
    const present: Record<number, InitialValues[number]> = {};
    for (const [k, v] of Object.entries(values)) if (this.has(Number(k))) present[Number(k)] = v;
    setAll(this.engine.registry, this.path, present);
  }

  /** Measurement Quality Indicator (6042, 0..23) and Level (6049, 0..100). */
  setQuality(indicator: number | undefined, level?: number): void {
    this.update({ 6042: indicator, 6049: level });
  }

  /** Deletes the instance. */
  remove(): boolean {
    return this.engine.registry.delete(this.path);
  }
}
