/**
 * `lwm2m shell`: a client with the seed's LwM2M shell at a prompt (node:readline, tab completion of
 * paths in a terminal; plain lines from a pipe). With --server and --endpoint the client starts at
 * once; otherwise `start EP_NAME [-b]` starts it. `exit`, `quit` or the end of input de-register and
 * exit 0, as does SIGINT/SIGTERM. Events print on stderr as `event NAME ...` lines.
 */
import { ClientSession } from './client-session.ts';
import { SHELL_USAGE } from './client-options.ts';
import { configOrExit, describeStart, PROCESS_IO, type CommandIo } from './client-command.ts';
import { startRepl } from './shell/repl.ts';
import { Shell } from './shell/shell.ts';
import { stopSignal } from './signals.ts';

export async function runShellCommand(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  const config = configOrExit(argv, 'shell', SHELL_USAGE, io);
  if (typeof config === 'number') return config;
  const log = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  const signal = stopSignal(io.stop);
  const session = new ClientSession(config, { log });
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  if (terminal) io.stdout.write("LwM2M shell: type 'help' for the commands, Tab to complete paths, 'exit' to quit\n");
  if (config.serverUri !== undefined && config.endpoint !== undefined) {
    log(describeStart(config, config.endpoint));
    try {
      await session.start();
    } catch (error) {
      log(`error: start: ${(error as Error).message}`);
    }
  }
  const repl = startRepl(new Shell(session), { input: io.stdin, output: io.stdout, terminal });
  const why = await Promise.race([signal.stopped, repl.done]);
  repl.close();
  // Commands still running (e.g. a send) finish before the client stops.
  await repl.done;
  try {
    if (session.started) {
      log(`stopping (${why})`);
      await session.stop();
    }
  } catch (error) {
    log(`error: ${(error as Error).message}`);
  }
  await session.close();
  signal.dispose();
  return 0;
}
