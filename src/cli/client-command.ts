/**
 * `lwm2m client`: runs one LwM2M client (LwM2M Core 1.1.1 6.1 bootstrap, 6.2 registration) with the
 * Device object and a simulated Temperature sensor until SIGINT/SIGTERM, then de-registers and exits
 * 0. Every RD event is a line `event NAME [ssid=N] [reason="..."]` on stderr. With `--shell` the
 * shell's commands are read from stdin as well. Bad options: usage on stderr, exit 2.
 */
import { ClientSession } from './client-session.ts';
import { CLIENT_USAGE, parseClientArgs, type ClientConfig } from './client-options.ts';
import { CredentialFileError, UsageError } from './errors.ts';
import { Shell } from './shell/shell.ts';
import { startRepl } from './shell/repl.ts';
import { stopSignal } from './signals.ts';

export interface CommandIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  /** Resolves when the command should stop (default: SIGINT / SIGTERM). */
  readonly stop?: Promise<void>;
}

export const PROCESS_IO: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/**
 * Parses the options for `command`; on failure writes the message (and the usage for bad options)
 * to stderr and returns the exit code instead.
 */
export function configOrExit(argv: readonly string[], command: 'client' | 'shell', usage: string, io: CommandIo): ClientConfig | number {
  try {
    const config = parseClientArgs(argv, command);
    if (config === undefined) {
      io.stdout.write(usage);
      return 0;
    }
    return config;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`lwm2m ${command}: ${error.message}\n${usage}`);
      return 2;
    }
    if (error instanceof CredentialFileError) {
      io.stderr.write(`lwm2m ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export function describeStart(config: ClientConfig, endpoint: string): string {
  return `lwm2m client ${endpoint}: ${config.bootstrap ? 'bootstrapping from' : 'registering with'} ${config.serverUri ?? '(no server)'} (LwM2M ${config.version}${config.queue ? ', queue mode' : ''})`;
}

/** Runs the command; resolves with the exit code once stopped. */
export async function runClientCommand(argv: readonly string[], io: CommandIo = PROCESS_IO): Promise<number> {
  const config = configOrExit(argv, 'client', CLIENT_USAGE, io);
  if (typeof config === 'number') return config;
  const log = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  const signal = stopSignal(io.stop);
  const session = new ClientSession(config, { log });
  log(describeStart(config, session.client.endpointName));
  try {
    await session.start();
  } catch (error) {
    log(`lwm2m client: ${(error as Error).message}`);
    signal.dispose();
    await session.close();
    return 1;
  }
  const terminal = io.stdin.isTTY === true && io.stdout.isTTY === true;
  const repl = config.shell ? startRepl(new Shell(session), { input: io.stdin, output: io.stdout, terminal }) : undefined;
  // The end of stdin does not stop the client; `exit` or `quit` does.
  const quit = repl === undefined ? new Promise<never>(() => undefined) : repl.done.then((how) => (how === 'exit' ? 'exit' : new Promise<never>(() => undefined)));
  const why = await Promise.race([signal.stopped, quit]);
  repl?.close();
  log(`stopping (${why})`);
  try {
    if (session.started) await session.stop();
  } catch (error) {
    log(`error: ${(error as Error).message}`);
  }
  await session.close();
  signal.dispose();
  return 0;
}
