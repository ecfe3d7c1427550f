import type { ResourceType } from './resource-type.ts';

/** Operations a resource allows (LwM2M Core Appendix D): '' for none (e.g. some Security resources). */
export type Operations = '' | 'R' | 'W' | 'RW' | 'E';

/** A parsed range or length constraint from a definition's RangeEnumeration. */
export type RangeConstraint =
  | { readonly kind: 'numeric'; readonly min: number | bigint; readonly max: number | bigint }
  | { readonly kind: 'length'; readonly min: number; readonly max: number }
  | { readonly kind: 'enum'; readonly values: readonly (number | string)[] };

export interface ResourceDefinition {
  readonly id: number;
  readonly name: string;
  readonly operations: Operations;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly type: ResourceType;
  /** The RangeEnumeration text as the specification writes it, e.g. "0..7". */
  readonly rangeText?: string;
  /** The constraint parsed from rangeText, when it is machine-checkable. */
  readonly range?: RangeConstraint;
  readonly units?: string;
  readonly description?: string;
}

export interface ObjectDefinition {
  readonly id: number;
  readonly name: string;
  /** Object version, "1.0" when the definition gives none. */
  readonly version: string;
  /** LwM2M enabler version the definition targets, e.g. "1.1". */
  readonly lwm2mVersion?: string;
  readonly urn?: string;
  readonly multiple: boolean;
  readonly mandatory: boolean;
  readonly resources: ReadonlyMap<number, ResourceDefinition>;
  readonly description?: string;
}

/** Where codecs and operations look definitions up. */
export interface DefinitionLookup {
  object(oid: number): ObjectDefinition | undefined;
}
