/**
 * LwM2M resource data types (LwM2M Core Appendix C) and the JS value each one takes.
 * 'none' is the type of executable resources.
 */
export const RESOURCE_TYPES = [
  'string',
  'integer',
  'unsigned',
  'float',
  'boolean',
  'opaque',
  'time',
  'objlnk',
  'corelnk',
  'none',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** An Objlnk value: object id and instance id (65535:65535 is the "no link" value). */
export interface ObjectLink {
  readonly oid: number;
  readonly iid: number;
}

/**
 * The JS type of each resource type. Integers are `number` while safe (|v| <= 2^53-1), `bigint`
 * beyond (64-bit range). Time is a `Date` (whole seconds on the wire).
 */
export interface ResourceValueMap {
  string: string;
  integer: number | bigint;
  unsigned: number | bigint;
  float: number;
  boolean: boolean;
  opaque: Uint8Array;
  time: Date;
  objlnk: ObjectLink;
  corelnk: string;
  none: never;
}

export type ValueType = Exclude<ResourceType, 'none'>;

/** Any value a resource (instance) can hold. */
export type ResourceValue = ResourceValueMap[ValueType];
