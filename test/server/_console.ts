/**
 * `lwm2m server` run in process for console tests: its stdin to type commands, what it printed, a
 * bounded wait for a line, and the port of its NoSec listener. Stopped when the test ends.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { PassThrough } from 'node:stream';
import { runServerCommand } from '../../src/cli/server-command.ts';

export interface ServerConsole {
  readonly stdin: PassThrough;
  /** Everything printed on stdout so far. */
  readonly output: () => string;
  /** Waits (up to 5 s) until stdout matches `re`; fails the test otherwise. */
  readonly waitFor: (re: RegExp) => Promise<RegExpExecArray>;
  /** Port of the LwM2M server's NoSec listener. */
  readonly port: number;
}

export async function startServerConsole(t: TestContext, args = ['--port', '0', '--bootstrap-port', '0', '--address', '127.0.0.1']): Promise<ServerConsole> {
  let out = '';
  let stop: () => void = () => undefined;
  const stdin = new PassThrough();
  const run = runServerCommand(args, {
    stdin,
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    stop: new Promise<void>((r) => (stop = r)),
  });
  t.after(async () => {
    stop();
    await run;
  });
  const waitFor = async (re: RegExp): Promise<RegExpExecArray> => {
    for (let i = 0; i < 500 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 10));
    const m = re.exec(out);
    assert.ok(m, `${String(re)} not in:\n${out}`);
    return m;
  };
  const port = Number((await waitFor(/LwM2M server listening on coap:\/\/127\.0\.0\.1:(\d+)/))[1]);
  return { stdin, output: () => out, waitFor, port };
}
