/**
 * Shell commands on the registry itself: `cache PATH NUM` (the seed's lwm2m_enable_cache, a
 * time-series cache read by SenML Read/Notify/Send), `lock` / `unlock` (lwm2m_registry_lock: changes
 * in between make one notification per observation).
 */
import { MAX_CACHE_SIZE } from '../../dm/cache.ts';
import { UsageError } from '../errors.ts';
import { pathOfDepth, resourceOf } from './paths.ts';
import type { ShellCommand, ShellContext } from './types.ts';

export const cache: ShellCommand = {
  name: 'cache',
  usage: 'cache PATH NUM',
  help: `Enable data cache for resource
  PATH is LwM2M path
  NUM how many elements to cache`,
  args: { min: 2, max: 2 },
  paths: 'first',
  run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [3, 4], '/3303/0/5700');
    resourceOf(registry, path);
    const num = args[1]!;
    if (!/^[0-9]+$/.test(num) || Number(num) < 1) throw new UsageError(`size must be 1 or more (given ${num})`);
    if (Number(num) > MAX_CACHE_SIZE) throw new UsageError(`size must be at most ${MAX_CACHE_SIZE} (given ${num})`);
    if (registry.cache.isEnabled(path)) throw new UsageError(`cache already enabled for ${path.toString()}`);
    ctx.session.client.enableCache(path, Number(num));
    return `cache enabled for ${path.toString()} (${num} entries)`;
  },
};

export const lock: ShellCommand = {
  name: 'lock',
  usage: 'lock',
  help: 'Lock the LwM2M registry',
  args: { min: 0, max: 0 },
  run(ctx: ShellContext) {
    ctx.session.client.lock();
    return 'registry locked';
  },
};

export const unlock: ShellCommand = {
  name: 'unlock',
  usage: 'unlock',
  help: 'Unlock the LwM2M registry',
  args: { min: 0, max: 0 },
  run(ctx: ShellContext) {
    if (!ctx.session.registry.locked) throw new UsageError('the registry is not locked');
    ctx.session.client.unlock();
    return 'registry unlocked';
  },
};

export const REGISTRY_COMMANDS: readonly ShellCommand[] = [cache, lock, unlock];
