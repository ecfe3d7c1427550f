/**
 * The shell's command table entry (the seed's LwM2M shell: `lwm2m read|write|exec|...`): a name,
 * its usage line, its help text, how many arguments it takes and which of them are paths (for tab
 * completion), and what it does.
 */
import type { ClientSession } from '../client-session.ts';

export interface ShellContext {
  readonly session: ClientSession;
}

export interface ShellCommand {
  readonly name: string;
  /** e.g. "read PATH [OPTIONS]" */
  readonly usage: string;
  /** What it does, then one line per option. */
  readonly help: string;
  /** Argument count after the name: at least `min`, at most `max`. */
  readonly args: { readonly min: number; readonly max: number };
  /** Arguments completed as LwM2M paths: 'all' of them, the 'first' only, or none. */
  readonly paths?: 'all' | 'first';
  /** Runs the command; resolves with the text to print (may be empty). Throws to report an error. */
  run(ctx: ShellContext, args: readonly string[]): string | Promise<string>;
}
