/**
 * Reads shell lines from a stream (a terminal with prompt and tab completion, or a pipe) and runs
 * them one after the other, so output follows input order even for commands that wait on the
 * network. `exit` / `quit` end it, as does the end of input.
 */
import { createInterface } from 'node:readline';
import type { Shell } from './shell.ts';

export interface ReplIo {
  readonly input: NodeJS.ReadableStream;
  readonly output: { write(text: string): unknown };
  /** A terminal: prompt, line editing and tab completion. */
  readonly terminal: boolean;
  /** The stream readline echoes to in a terminal (default process.stdout). */
  readonly terminalOutput?: NodeJS.WritableStream;
}

export const PROMPT = 'lwm2m:~$ ';

export interface Repl {
  /** Resolves once `exit`/`quit` was read ('exit') or the input ended ('eof'), after the commands before it ran. */
  readonly done: Promise<'exit' | 'eof'>;
  /** Stops reading (the pending commands still finish). */
  close(): void;
}

/** Runs the shell on `io` until `exit`/`quit`, the end of input, or `close()`. */
export function startRepl(shell: Shell, io: ReplIo): Repl {
  let closeRl: () => void = () => undefined;
  const done = new Promise<'exit' | 'eof'>((resolve) => {
    const rl = createInterface({
      input: io.input,
      ...(io.terminal ? { output: io.terminalOutput ?? process.stdout } : {}),
      terminal: io.terminal,
      completer: (line: string) => shell.complete(line),
      prompt: PROMPT,
    });
    let chain: Promise<void> = Promise.resolve();
    let ended: 'exit' | 'eof' | undefined;
    const prompt = (): void => {
      if (io.terminal && ended === undefined) rl.prompt();
    };
    const finish = (how: 'exit' | 'eof'): void => {
      if (ended !== undefined) return;
      ended = how;
      void chain.then(() => {
        rl.close();
        resolve(how);
      });
    };
    rl.on('line', (line) => {
      if (ended !== undefined) return;
      if (/^\s*(exit|quit)\s*$/.test(line)) {
        finish('exit');
        return;
      }
      chain = chain.then(async () => {
        const result = await shell.execute(line);
        if (result.text !== '') io.output.write(`${result.text}\n`);
        prompt();
      });
    });
    rl.on('close', () => {
      finish('eof');
    });
    // Ctrl-C at a terminal prompt (readline takes it in raw mode, so no process signal comes).
    rl.on('SIGINT', () => {
      finish('exit');
    });
    closeRl = () => {
      rl.close();
    };
    prompt();
  });
  return {
    done,
    close: () => {
      closeRl();
    },
  };
}
