/**
 * What the server's device-management calls take and choose: write content as values or records,
 * the default content format of a client (LwM2M Core 1.1.1 7.4: TLV for 1.0, SenML CBOR for 1.1+,
 * narrowed by the `ct` the client declared), Write-Attributes queries (Core 5.1.2) and Execute
 * arguments (Core 5.4.2).
 */
import { ValueError } from '../errors.ts';
import { ContentFormat, formatName, inferType, supportsComposite, supportsPathList } from '../codec/index.ts';
import { LwM2mPath, toPath, type PathLike } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import type { Registration } from './registration.ts';

/**
 * Values below a path by relative id: `{ 5700: 21.5, 5701: 'Cel' }` below an instance,
 * `{ 0: { 5700: 21.5 } }` below an object, `{ 0: 3800, 1: 5000 }` for a multi-instance resource.
 */
export interface ValueTree {
  readonly [id: number]: ResourceValue | ValueTree;
}

/** Write content: one value (for a resource or resource instance path), a value tree, or records. */
export type WriteContent = ResourceValue | ValueTree | readonly LwM2mRecord[];

function isLeaf(v: unknown): v is ResourceValue {
  return inferType(v) !== undefined;
}

/**
 * The records a write content stands for below `base`. Records must lie at or below `base`; tree
 * keys must be ids. Throws ValueError for anything else.
 */
export function toRecords(base: LwM2mPath, content: WriteContent): LwM2mRecord[] {
  if (Array.isArray(content)) {
    const records = content as readonly LwM2mRecord[];
    for (const r of records) {
      if (!(r.path instanceof LwM2mPath) || !r.path.startsWith(base)) throw new ValueError(`record path ${String(r.path)} is not below ${base.toString()}`);
    }
    return records.slice();
  }
  if (isLeaf(content)) {
    if (base.depth < 3) throw new ValueError(`a single value needs a resource path, not ${base.toString()}`);
    return [{ path: base, value: content }];
  }
  const out: LwM2mRecord[] = [];
  const walk = (path: LwM2mPath, tree: ValueTree): void => {
    for (const [key, v] of Object.entries(tree) as [string, unknown][]) {
      if (!/^[0-9]{1,5}$/.test(key)) throw new ValueError(`'${key}' below ${path.toString()} is not an id`);
      if (path.depth >= 4) throw new ValueError(`${path.toString()} has no children`);
      const child = path.child(Number(key));
      if (isLeaf(v)) {
        if (child.depth < 3) throw new ValueError(`a value at ${child.toString()} needs a resource path`);
        out.push({ path: child, value: v });
      } else if (typeof v === 'object' && v !== null) walk(child, v as ValueTree);
      else throw new ValueError(`the value at ${child.toString()} is not a resource value`);
    }
  };
  const c: unknown = content;
  if (typeof c !== 'object' || c === null) throw new ValueError('write content must be a value, a value tree or records');
  walk(base, content as ValueTree);
  return out;
}

/** Preference among the value formats a 1.1+ client declared. */
const VALUE_PREFERENCE: readonly number[] = [
  ContentFormat.SENML_CBOR,
  ContentFormat.LWM2M_CBOR,
  ContentFormat.SENML_JSON,
  ContentFormat.TLV,
  ContentFormat.OMA_JSON,
];

/**
 * The format the server uses with a client when the caller names none (LwM2M Core 1.1.1 7.4):
 * TLV for LwM2M 1.0 (its mandatory format); for 1.1 and 1.2 the first of SenML CBOR, LwM2M CBOR,
 * SenML JSON, TLV, OMA JSON that the client declared in `ct`, SenML CBOR when it declared none.
 * `composite` picks among the formats that carry composite payloads (SenML, LwM2M CBOR).
 */
export function defaultFormat(registration: Pick<Registration, 'version' | 'contentFormats'>, composite = false): number {
  if (registration.version === '1.0') return composite ? ContentFormat.SENML_JSON : ContentFormat.TLV;
  const declared = registration.contentFormats;
  for (const f of VALUE_PREFERENCE) {
    if (composite && !supportsComposite(f)) continue;
    if (declared.includes(f)) return f;
  }
  return ContentFormat.SENML_CBOR;
}

/** Checks that a format can carry the path list of a Read-/Observe-Composite (Core 5.4.5). */
export function checkPathListFormat(format: number): void {
  if (!supportsPathList(format)) throw new ValueError(`${formatName(format)} cannot carry a composite path list (use senml-json, senml-cbor or lwm2m-cbor)`);
}

/** Paths as LwM2mPath, each checked. */
export function toPaths(paths: readonly PathLike[]): LwM2mPath[] {
  if (paths.length === 0) throw new ValueError('a composite operation needs at least one path');
  return paths.map(toPath);
}

/**
 * Notification attributes a server may write (LwM2M Core 1.1.1 5.1.2, 1.2 5.1.2): a number sets
 * one, `null` removes it (sent as the bare name).
 */
export interface AttributesInput {
  readonly pmin?: number | null;
  readonly pmax?: number | null;
  readonly gt?: number | null;
  readonly lt?: number | null;
  readonly st?: number | null;
  readonly epmin?: number | null;
  readonly epmax?: number | null;
  readonly edge?: number | null;
  readonly con?: number | null;
  readonly hqmax?: number | null;
}

const INTEGER_ATTRIBUTES = ['pmin', 'pmax', 'epmin', 'epmax', 'edge', 'con', 'hqmax'] as const;
const NUMBER_ATTRIBUTES = ['gt', 'lt', 'st'] as const;

/** The Uri-Query entries of a Write-Attributes (e.g. ["pmin=10", "gt=20.5", "pmax"]); throws ValueError. */
export function attributeQuery(attributes: AttributesInput): string[] {
  const out: string[] = [];
  const known = new Set<string>([...INTEGER_ATTRIBUTES, ...NUMBER_ATTRIBUTES]);
  for (const key of Object.keys(attributes)) if (!known.has(key)) throw new ValueError(`'${key}' is not a writable attribute`);
  for (const name of [...INTEGER_ATTRIBUTES, ...NUMBER_ATTRIBUTES]) {
    const v = attributes[name];
    if (v === undefined) continue;
    if (v === null) {
      out.push(name);
      continue;
    }
    if (!Number.isFinite(v)) throw new ValueError(`${name}=${String(v)} is not a finite number`);
    if ((INTEGER_ATTRIBUTES as readonly string[]).includes(name) && (!Number.isInteger(v) || v < 0)) {
      throw new ValueError(`${name}=${v} must be a non-negative integer`);
    }
    if ((name === 'edge' || name === 'con') && v > 1) throw new ValueError(`${name} is 0 or 1`);
    out.push(`${name}=${String(v)}`);
  }
  if (out.length === 0) throw new ValueError('Write-Attributes needs at least one attribute');
  return out;
}

/** One Execute argument (LwM2M Core 1.1.1 5.4.2): a digit id and an optional value. */
export interface ExecuteArgument {
  readonly id: number;
  readonly value?: string;
}

/**
 * The Execute payload: a string is sent as is; arguments are written `0='v',1` (Core 5.4.2: ids
 * 0..9, values of printable ASCII without quote).
 */
export function executePayload(args: string | readonly ExecuteArgument[] | undefined): Uint8Array {
  if (args === undefined) return new Uint8Array(0);
  if (typeof args === 'string') return new TextEncoder().encode(args);
  const parts = args.map((a) => {
    if (!Number.isInteger(a.id) || a.id < 0 || a.id > 9) throw new ValueError(`execute argument id ${a.id} is not a digit`);
    if (a.value === undefined) return String(a.id);
    if (!/^[\x20-\x26\x28-\x7e]*$/.test(a.value)) throw new ValueError(`execute argument ${a.id}: only printable ASCII without ' is allowed`);
    return `${a.id}='${a.value}'`;
  });
  return new TextEncoder().encode(parts.join(','));
}
