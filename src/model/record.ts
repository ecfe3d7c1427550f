import type { LwM2mPath } from './path.ts';
import type { ResourceValue } from './resource-type.ts';

/**
 * One value at one path, the unit every codec produces and consumes (SenML-like). A resource with
 * several instances is several records at resource-instance paths. `time` is seconds since the Unix
 * epoch (fractional allowed) for time-series entries.
 */
export interface LwM2mRecord {
  readonly path: LwM2mPath;
  readonly value: ResourceValue;
  readonly time?: number;
}
