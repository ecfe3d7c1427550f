/**
 * Shell commands on the client's own data (the seed's `lwm2m read|write|create|delete`): they act
 * on the local registry as the application does (lwm2m_get_* / lwm2m_set_* / create / delete), so
 * observers are notified and instance changes reach the servers in an Update.
 */
import { isInstances } from '../../dm/registry.ts';
import type { ResourceDefinition } from '../../model/object-definition.ts';
import type { LwM2mPath } from '../../model/path.ts';
import { describeValue, NULL_OBJLNK, type ResourceInput, type ResourceValue, type ValueType } from '../../model/resource-type.ts';
import { UsageError } from '../errors.ts';
import { objectOf, pathOfDepth, requireInstance, resourceOf } from './paths.ts';
import type { ShellCommand, ShellContext } from './types.ts';
import { formatRead, isValueOption, parseValueOption, parseWrite } from './values.ts';

function valueType(rdef: ResourceDefinition, path: LwM2mPath, verb: string): ValueType {
  if (rdef.type === 'none') throw new UsageError(`${path.toString()} (${rdef.name}) is executable and holds no value to ${verb}; use exec`);
  return rdef.type;
}

function withPath(path: string, text: string): string {
  return text.includes('\n') ? `${path}:\n${text}` : `${path}: ${text}`;
}

export const read: ShellCommand = {
  name: 'read',
  usage: 'read PATH [OPTIONS]',
  help: `Read value from LwM2M resource
  -x    Read value as hex stream (default)
  -s    Read value as string
  -b    Read value as bool (1/0)
  -uX   Read value as uintX_t (X = 8, 16, 32, 64)
  -sX   Read value as intX_t (X = 8, 16, 32, 64)
  -f    Read value as float
  -t    Read value as time_t (seconds since 1970)`,
  args: { min: 1, max: 2 },
  paths: 'first',
  run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [3, 4], '/3/0/0 or /3/0/11/0');
    const option = args[1] === undefined ? { kind: 'hex' as const } : parseValueOption(args[1], 'read');
    const rdef = resourceOf(registry, path);
    const type = valueType(rdef, path, 'read');
    const data = registry.readResource(path.objectId!, path.instanceId!, path.resourceId!);
    const text = path.toString();
    if (path.depth === 4) {
      const v = isInstances(data) ? data.get(path.resourceInstanceId!) : undefined;
      if (v === undefined) throw new UsageError(`${text} does not exist`);
      return formatRead(v, type, option, text);
    }
    if (data === undefined) throw new UsageError(`${text} (${rdef.name}) has no value`);
    if (!isInstances(data)) return formatRead(data, type, option, text);
    if (data.size === 0) return `${text} (${rdef.name}) has no instances`;
    return [...data].map(([riid, v]) => withPath(`${text}/${riid}`, formatRead(v, type, option, `${text}/${riid}`))).join('\n');
  },
};

export const write: ShellCommand = {
  name: 'write',
  usage: 'write PATH [OPTIONS] VALUE',
  help: `Write into LwM2M resource
  -s    Write value as string (default: the text read as the resource's type)
  -b    Write value as bool (1/0)
  -uX   Write value as uintX_t (X = 8, 16, 32, 64)
  -sX   Write value as intX_t (X = 8, 16, 32, 64)
  -f    Write value as float
  -t    Write value as time_t (seconds since 1970)`,
  args: { min: 2, max: 3 },
  paths: 'first',
  run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [3, 4], '/3/0/14 or /3/0/11/0');
    let option;
    let text: string;
    if (args.length === 3) {
      option = parseValueOption(args[1]!, 'write');
      text = args[2]!;
    } else {
      text = args[1]!;
      if (isValueOption(text)) throw new UsageError(`missing VALUE after ${text}`);
    }
    const rdef = resourceOf(registry, path);
    const type = valueType(rdef, path, 'write');
    if (rdef.multiple && path.depth === 3) throw new UsageError(`${path.toString()} (${rdef.name}) has several instances; write one of them, e.g. ${path.toString()}/0`);
    const value = parseWrite(text, type, option, path.toString());
    ctx.session.client.set(path, value);
    const stored = registry.get(path);
    return `${path.toString()} <- ${stored !== undefined && !isInstances(stored) ? describeValue(stored, type) : text}`;
  },
};

/** The value a new resource instance starts with (the type's zero). */
function zeroValue(type: ValueType): ResourceInput {
  switch (type) {
    case 'string':
    case 'corelnk':
      return '';
    case 'integer':
    case 'unsigned':
    case 'float':
      return 0;
    case 'boolean':
      return false;
    case 'opaque':
      return new Uint8Array(0);
    case 'time':
      return new Date(0);
    case 'objlnk':
      return NULL_OBJLNK;
  }
}

export const create: ShellCommand = {
  name: 'create',
  usage: 'create PATH',
  help: 'Create object or resource instance (e.g. create /3303/1, create /3/0/11/1)',
  args: { min: 1, max: 1 },
  paths: 'first',
  run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [2, 4], '/3303/1 or /3/0/11/1');
    if (path.depth === 2) {
      const def = objectOf(registry, path);
      if (registry.hasInstance(def.id, path.instanceId!)) throw new UsageError(`${path.toString()} already exists`);
      if (!def.multiple && registry.instanceCount(def.id) > 0) throw new UsageError(`object ${def.id} (${def.name}) has a single instance, which exists`);
      return `created ${ctx.session.client.create(path).toString()}`;
    }
    const rdef = resourceOf(registry, path);
    const type = valueType(rdef, path, 'create');
    const data = registry.get(path.parent());
    if (isInstances(data) && data.has(path.resourceInstanceId!)) throw new UsageError(`${path.toString()} already exists`);
    ctx.session.client.set(path, zeroValue(type));
    const v = registry.get(path) as ResourceValue;
    return `created ${path.toString()} = ${describeValue(v, type)}`;
  },
};

export const remove: ShellCommand = {
  name: 'delete',
  usage: 'delete PATH',
  help: 'Delete object or resource instance (e.g. delete /3303/1, delete /3/0/11/1)',
  args: { min: 1, max: 1 },
  paths: 'first',
  run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [2, 4], '/3303/1 or /3/0/11/1');
    if (path.depth === 2) requireInstance(registry, path);
    else {
      resourceOf(registry, path);
      const data = registry.get(path.parent());
      if (!isInstances(data) || !data.has(path.resourceInstanceId!)) throw new UsageError(`${path.toString()} does not exist`);
    }
    if (!ctx.session.client.delete(path)) throw new UsageError(`${path.toString()} does not exist`);
    return `deleted ${path.toString()}`;
  },
};

export const DATA_COMMANDS: readonly ShellCommand[] = [read, write, create, remove];
