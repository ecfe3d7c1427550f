/**
 * The LwM2M shell (the seed's `lwm2m` shell command set): one line in, the command's output or a
 * clear error out. Commands come from a table, one file per group; `help` lists them. Lines may be
 * prefixed `lwm2m` as on the seed's console. Never throws: every failure becomes an `error:` line.
 */
import { LwM2mError } from '../../errors.ts';
import type { ClientSession } from '../client-session.ts';
import { UsageError } from '../errors.ts';
import { completePath } from './complete.ts';
import { DATA_COMMANDS } from './data.ts';
import { OPERATION_COMMANDS } from './operations.ts';
import { RD_COMMANDS } from './rd.ts';
import { REGISTRY_COMMANDS } from './registry.ts';
import type { ShellCommand, ShellContext } from './types.ts';

/** Splits a line into words; "double" and 'single' quotes group words (a backslash escapes in "..."). */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3]!);
  return out;
}

export interface ShellResult {
  readonly ok: boolean;
  /** What to print (no trailing newline; may be empty). */
  readonly text: string;
}

const HELP_COMMAND: ShellCommand = {
  name: 'help',
  usage: 'help [COMMAND]',
  help: 'List the commands, or show one command with its options',
  args: { min: 0, max: 1 },
  run: () => '',
};

export class Shell {
  readonly commands: ReadonlyMap<string, ShellCommand>;
  readonly #ctx: ShellContext;

  constructor(session: ClientSession, commands: readonly ShellCommand[] = [...OPERATION_COMMANDS, ...DATA_COMMANDS, ...REGISTRY_COMMANDS, ...RD_COMMANDS]) {
    this.#ctx = { session };
    this.commands = new Map([...commands, HELP_COMMAND].map((c) => [c.name, c]));
  }

  help(name?: string): string {
    if (name !== undefined) {
      const c = this.commands.get(name);
      if (c === undefined) throw new UsageError(`unknown command '${name}' (try help)`);
      return `${c.usage}\n${c.help.split('\n').map((l, i) => (i === 0 ? `  ${l}` : l)).join('\n')}`;
    }
    const width = Math.max(...[...this.commands.values()].map((c) => c.name.length));
    const lines = ['lwm2m - LwM2M commands', 'Subcommands:'];
    for (const c of this.commands.values()) {
      lines.push(`  ${c.name.padEnd(width)}  :${c.usage}`);
      for (const l of c.help.split('\n')) lines.push(`${' '.repeat(width + 5)}${l.trim()}`);
    }
    return lines.join('\n');
  }

  /** Runs one line. */
  async execute(line: string): Promise<ShellResult> {
    const words = tokenize(line);
    if (words[0] === 'lwm2m') words.shift();
    const [name, ...args] = words;
    if (name === undefined) return { ok: true, text: words.length === 0 && /\blwm2m\b/.test(line) ? this.help() : '' };
    const command = this.commands.get(name);
    if (command === undefined) return { ok: false, text: `error: unknown command '${name}' (try help)` };
    if (args.length < command.args.min || args.length > command.args.max) {
      const what = args.length < command.args.min ? 'missing arguments' : 'too many arguments';
      return { ok: false, text: `error: ${name}: ${what}\nusage: ${command.usage}` };
    }
    try {
      const text = name === 'help' ? this.help(args[0]) : await command.run(this.#ctx, args);
      return { ok: true, text };
    } catch (error) {
      const message = error instanceof LwM2mError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const usage = error instanceof UsageError && /^(unknown option|unknown specifier|can't recognize|missing VALUE)/.test(message) ? `\nusage: ${command.usage}` : '';
      return { ok: false, text: `error: ${name}: ${message}${usage}` };
    }
  }

  /** Completions of the last word of `line` (readline's completer contract). */
  complete(line: string): [string[], string] {
    const words = line.trimStart().split(/\s+/);
    const current = words.pop() ?? '';
    if (words[0] === 'lwm2m') words.shift();
    const first = words[0];
    if (first === undefined) return [[...this.commands.keys()].filter((n) => n.startsWith(current)), current];
    const command = this.commands.get(first);
    const argIndex = words.length - 1;
    if (command?.paths === 'all' || (command?.paths === 'first' && argIndex === 0)) return [completePath(this.#ctx.session.registry, current), current];
    if (first === 'help' && argIndex === 0) return [[...this.commands.keys()].filter((n) => n.startsWith(current)), current];
    return [[], current];
  }
}
