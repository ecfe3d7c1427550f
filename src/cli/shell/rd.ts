/**
 * Shell commands of the RD client (the seed's lwm2m_rd_client_start/stop/update and
 * lwm2m_engine_pause/resume): their progress shows as `event ...` lines.
 */
import { checkEndpointName } from '../client-options.ts';
import { UsageError } from '../errors.ts';
import type { ShellCommand, ShellContext } from './types.ts';

function requireStarted(ctx: ShellContext): void {
  if (!ctx.session.started) throw new UsageError('the client is not started');
}

export const start: ShellCommand = {
  name: 'start',
  usage: 'start EP_NAME [BOOTSTRAP FLAG]',
  help: `Start the LwM2M RD (Registration / Discovery) Client
  -b    Set the bootstrap flag (default 0); also -b 1 / -b 0`,
  args: { min: 1, max: 3 },
  async run(ctx: ShellContext, args) {
    const endpoint = checkEndpointName(args[0]!);
    let bootstrap = false;
    const [flag, value] = args.slice(1);
    if (flag !== undefined) {
      if (flag !== '-b') throw new UsageError(`unknown specifier '${flag}' (expected -b)`);
      if (value === undefined || value === '1') bootstrap = true;
      else if (value !== '0') throw new UsageError(`invalid bootstrap flag '${value}' (0 or 1)`);
    }
    await ctx.session.start({ endpoint, bootstrap });
    return `started ${endpoint}${bootstrap ? ' (bootstrap)' : ''}`;
  },
};

export const stop: ShellCommand = {
  name: 'stop',
  usage: 'stop [OPTIONS]',
  help: `Stop the LwM2M RD (De-register) Client
  -f    Force close the connection (no De-register)`,
  args: { min: 0, max: 1 },
  async run(ctx: ShellContext, args) {
    const flag = args[0];
    if (flag !== undefined && flag !== '-f') throw new UsageError(`can't recognize specifier '${flag}' (expected -f)`);
    await ctx.session.stop({ force: flag === '-f' });
    return flag === '-f' ? 'stopped (forced, no De-register)' : 'stopped';
  },
};

export const update: ShellCommand = {
  name: 'update',
  usage: 'update',
  help: 'Trigger Registration Update of the LwM2M RD Client',
  args: { min: 0, max: 0 },
  run(ctx: ShellContext) {
    requireStarted(ctx);
    ctx.session.client.update();
    return 'registration update triggered';
  },
};

export const pause: ShellCommand = {
  name: 'pause',
  usage: 'pause',
  help: 'LwM2M engine thread pause',
  args: { min: 0, max: 0 },
  run(ctx: ShellContext) {
    requireStarted(ctx);
    ctx.session.client.pause();
    return 'engine paused';
  },
};

export const resume: ShellCommand = {
  name: 'resume',
  usage: 'resume',
  help: 'LwM2M engine thread resume',
  args: { min: 0, max: 0 },
  run(ctx: ShellContext) {
    requireStarted(ctx);
    ctx.session.client.resume();
    return 'engine resumed';
  },
};

export const RD_COMMANDS: readonly ShellCommand[] = [start, stop, update, pause, resume];
