/**
 * Tab completion for the shell: command names, and paths of what the client's registry holds
 * (objects, their instances, resources with data or executables, resource instances).
 */
import type { Registry } from '../../dm/registry.ts';

/** Paths under the complete part of `word` whose text starts with `word`. */
export function completePath(registry: Registry, word: string): string[] {
  const slash = word.startsWith('/') || word === '' ? '/' : '';
  const body = word.startsWith('/') ? word.slice(1) : word;
  const parts = body.split('/');
  const partial = parts.pop() ?? '';
  if (parts.length > 3 || !parts.every((p) => /^[0-9]{1,5}$/.test(p))) return [];
  const ids = parts.map(Number);
  const prefix = slash + parts.map((p) => `${p}/`).join('');
  let children: { id: number; more: boolean }[] = [];
  const [oid, iid, rid] = ids;
  if (oid === undefined) {
    children = registry.objectIds().map((id) => ({ id, more: true }));
  } else if (iid === undefined) {
    children = registry.instanceIds(oid).map((id) => ({ id, more: true }));
  } else if (rid === undefined) {
    if (!registry.hasInstance(oid, iid)) return [];
    const def = registry.definition(oid);
    const present = new Set(registry.presentResources(oid, iid));
    for (const r of def?.resources.values() ?? []) if (r.type === 'none') present.add(r.id);
    children = [...present].sort((a, b) => a - b).map((id) => ({ id, more: def?.resources.get(id)?.multiple === true }));
  } else {
    children = registry.resourceInstanceIds(oid, iid, rid).map((id) => ({ id, more: false }));
  }
  return children
    .filter((c) => String(c.id).startsWith(partial))
    .map((c) => `${prefix}${c.id}${c.more ? '/' : ''}`);
}
