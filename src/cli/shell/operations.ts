/**
 * Shell commands that act: `exec PATH [PARAM]` runs a resource's execute callback locally, as the
 * seed's shell does (LwM2M Core 1.1.1 6.3.5 argument syntax, e.g. `0='x',1`), and `send PATHS` is
 * the LwM2M 1.1 Send operation (Core 6.4.3) to the registered server.
 */
import { ExecuteArguments, parseExecuteArguments } from '../../dm/execute-args.ts';
import { CodecError } from '../../errors.ts';
import { UsageError } from '../errors.ts';
import { parseShellPath, pathOfDepth, resourceOf } from './paths.ts';
import type { ShellCommand, ShellContext } from './types.ts';

/** How long `send` waits for the server's answer. */
export const SEND_TIMEOUT_MS = 30_000;

function executeArguments(param: string | undefined): ExecuteArguments {
  if (param === undefined) return ExecuteArguments.NONE;
  try {
    return parseExecuteArguments(param);
  } catch (error) {
    // Not in the LwM2M argument syntax: the callback still gets the raw text, as the seed passes it.
    if (error instanceof CodecError) return new ExecuteArguments(param, []);
    throw error;
  }
}

export const exec: ShellCommand = {
  name: 'exec',
  usage: 'exec PATH [PARAM]',
  help: "Execute a resource (PARAM: the execute arguments, e.g. 0='v1.2',1)",
  args: { min: 1, max: 2 },
  paths: 'first',
  async run(ctx: ShellContext, args) {
    const registry = ctx.session.registry;
    const path = pathOfDepth(args[0]!, [3], '/3/0/4');
    const rdef = resourceOf(registry, path);
    if (rdef.type !== 'none') throw new UsageError(`${path.toString()} (${rdef.name}) is a ${rdef.type} resource, not executable`);
    const callback = registry.executeCallback(path);
    if (callback === undefined) throw new UsageError(`${path.toString()} (${rdef.name}) has no execute callback`);
    try {
      await callback(executeArguments(args[1]), { path, ssid: undefined });
    } catch (error) {
      throw new UsageError(`${path.toString()} returned an error: ${(error as Error).message}`, { cause: error });
    }
    return `executed ${path.toString()}`;
  },
};

export const send: ShellCommand = {
  name: 'send',
  usage: 'send PATHS',
  help: 'LwM2M SEND operation (e.g. send /3303/0/5700 /3/0/9)',
  args: { min: 1, max: Infinity },
  paths: 'all',
  async run(ctx: ShellContext, args) {
    const paths = args.map((a) => {
      const p = parseShellPath(a);
      if (p.isRoot()) throw new UsageError('send needs object, instance or resource paths, not /');
      return p;
    });
    if (!ctx.session.started) throw new UsageError('the client is not started');
    await ctx.session.client.send(paths, { signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    return `sent ${paths.map(String).join(' ')}`;
  },
};

export const OPERATION_COMMANDS: readonly ShellCommand[] = [send, exec];
