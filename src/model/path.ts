import { InvalidPathError } from '../errors.ts';

/** Largest id usable in a path; 65535 is reserved (LwM2M Core 7.1). */
export const MAX_ID = 65534;

export type PathDepth = 0 | 1 | 2 | 3 | 4;

/**
 * An LwM2M path: root `/`, object `/3`, object instance `/3/0`, resource `/3/0/1`, resource
 * instance `/3/0/7/1` (LwM2M Core 7.1, 5.1). Immutable; compare with `equals`/`compare`.
 */
export class LwM2mPath {
  static readonly ROOT = new LwM2mPath([]);

  readonly ids: readonly number[];
  #text: string | undefined;

  private constructor(ids: readonly number[]) {
    this.ids = Object.freeze(ids.slice());
  }

  /** Builds a path from ids, checking each one (0..65534) and the depth (0..4). */
  static of(...ids: number[]): LwM2mPath {
    if (ids.length === 0) return LwM2mPath.ROOT;
    if (ids.length > 4) throw new InvalidPathError(`path has ${ids.length} ids, at most 4 are allowed`);
    for (const id of ids) checkId(id);
    return new LwM2mPath(ids);
  }

  /**
   * Parses `/3/0/1`, `3/0/1` (the shell's form) or `/`. Ids are decimal, 0..65534; empty segments
   * and more than four ids are rejected.
   */
  static parse(text: string): LwM2mPath {
    const body = text.startsWith('/') ? text.slice(1) : text;
    if (body === '') return LwM2mPath.ROOT;
    const parts = body.split('/');
    if (parts.length > 4) throw new InvalidPathError(`invalid path '${text}': more than 4 ids`);
    const ids = parts.map((part) => {
      if (!/^[0-9]{1,5}$/.test(part)) throw new InvalidPathError(`invalid path '${text}': '${part}' is not an id`);
      const id = Number(part);
      if (id > MAX_ID) throw new InvalidPathError(`invalid path '${text}': id ${id} is above ${MAX_ID}`);
      return id;
    });
    return new LwM2mPath(ids);
  }

  /** Builds a path from CoAP Uri-Path segments (strings), as a request names it. */
  static fromSegments(segments: readonly string[]): LwM2mPath {
    return LwM2mPath.parse('/' + segments.join('/'));
  }

  get depth(): PathDepth {
    return this.ids.length as PathDepth;
  }
  get objectId(): number | undefined {
    return this.ids[0];
  }
  get instanceId(): number | undefined {
    return this.ids[1];
  }
  get resourceId(): number | undefined {
    return this.ids[2];
  }
  get resourceInstanceId(): number | undefined {
    return this.ids[3];
  }

  isRoot(): boolean {
    return this.ids.length === 0;
  }
  isObject(): boolean {
    return this.ids.length === 1;
  }
  isObjectInstance(): boolean {
    return this.ids.length === 2;
  }
  isResource(): boolean {
    return this.ids.length === 3;
  }
  isResourceInstance(): boolean {
    return this.ids.length === 4;
  }

  /** True when `prefix` is this path or an ancestor of it (root is everyone's ancestor). */
  startsWith(prefix: LwM2mPath): boolean {
    if (prefix.ids.length > this.ids.length) return false;
    for (let i = 0; i < prefix.ids.length; i++) if (prefix.ids[i] !== this.ids[i]) return false;
    return true;
  }

  equals(other: LwM2mPath): boolean {
    return this.ids.length === other.ids.length && this.startsWith(other);
  }

  /** Orders by ids, a parent before its children: /3 < /3/0 < /3/0/1 < /3/1. */
  compare(other: LwM2mPath): number {
    const n = Math.min(this.ids.length, other.ids.length);
    for (let i = 0; i < n; i++) {
      const d = this.ids[i]! - other.ids[i]!;
      if (d !== 0) return d;
    }
    return this.ids.length - other.ids.length;
  }

  child(id: number): LwM2mPath {
    if (this.ids.length >= 4) throw new InvalidPathError(`${this.toString()} has no children`);
    checkId(id);
    return new LwM2mPath([...this.ids, id]);
  }

  /** The parent path; the root's parent is the root. */
  parent(): LwM2mPath {
    return this.ids.length === 0 ? this : new LwM2mPath(this.ids.slice(0, -1));
  }

  /** The path truncated to `depth` ids. */
  ancestor(depth: PathDepth): LwM2mPath {
    return depth >= this.ids.length ? this : new LwM2mPath(this.ids.slice(0, depth));
  }

  /** CoAP Uri-Path segments of this path (empty for root). */
  segments(): string[] {
    return this.ids.map(String);
  }

  toString(): string {
    this.#text ??= '/' + this.ids.join('/');
    return this.#text;
  }

  toJSON(): string {
    return this.toString();
  }
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_ID) {
    throw new InvalidPathError(`invalid id ${String(id)}: ids are integers 0..${MAX_ID}`);
  }
}

export type PathLike = string | LwM2mPath;

/** Parses a path string, or returns the path as is. */
export function toPath(p: PathLike): LwM2mPath {
  return typeof p === 'string' ? LwM2mPath.parse(p) : p;
}

export function parsePath(text: string): LwM2mPath {
  return LwM2mPath.parse(text);
}

export function path(...ids: number[]): LwM2mPath {
  return LwM2mPath.of(...ids);
}
