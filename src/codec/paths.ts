import { CodecError, InvalidPathError } from '../errors.ts';
import { LwM2mPath, type PathLike } from '../model/path.ts';

/*
 * Interned paths for codecs. LwM2mPath is immutable, so decoders share one instance per path instead
 * of building (and freezing) a new one for every record. The tables are bounded: each starts over when
 * full, so memory does not grow with the variety of paths peers send.
 */
const MAX_TEXTS = 8192;
const MAX_CHILDREN = 1024;
const byText = new Map<string, LwM2mPath>();
const children = new WeakMap<LwM2mPath, Map<number, LwM2mPath>>();

/** `parent/id` as an interned path; an invalid id (65535 and above) is a CodecError. */
export function childPath(parent: LwM2mPath, id: number): LwM2mPath {
  let kids = children.get(parent);
  if (kids === undefined) {
    kids = new Map();
    children.set(parent, kids);
  }
  const hit = kids.get(id);
  if (hit !== undefined) return hit;
  let p: LwM2mPath;
  try {
    p = parent.child(id);
  } catch (e) {
    throw asCodecError(e);
  }
  if (kids.size >= MAX_CHILDREN) kids.clear();
  kids.set(id, p);
  return p;
}

function parseInterned(text: string): LwM2mPath {
  const hit = byText.get(text);
  if (hit !== undefined) return hit;
  const p = LwM2mPath.parse(text);
  if (byText.size >= MAX_TEXTS) byText.clear();
  byText.set(text, p);
  return p;
}

/** Parses a path name from a payload (SenML/OMA JSON name); an invalid name is a CodecError. */
export function payloadPath(text: string): LwM2mPath {
  try {
    return parseInterned(text);
  } catch (e) {
    throw asCodecError(e);
  }
}

/** `toPath` for caller-supplied paths (options): interned, InvalidPathError for bad strings. */
export function optionPath(p: PathLike): LwM2mPath {
  return typeof p === 'string' ? parseInterned(p) : p;
}

function asCodecError(e: unknown): unknown {
  return e instanceof InvalidPathError ? new CodecError(e.message, { cause: e }) : e;
}
