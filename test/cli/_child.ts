/**
 * A `lwm2m` command run as a child process for the CLI tests: collects stdout and stderr, waits for
 * patterns in either (each wait starts after what earlier waits on that stream consumed), feeds
 * stdin lines, and reports the exit code.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

type Stream = 'out' | 'err';

interface Waiter {
  readonly stream: Stream;
  readonly re: RegExp;
  readonly resolve: (m: RegExpExecArray) => void;
}

export class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;
  readonly #cursor: Record<Stream, number> = { out: 0, err: 0 };
  #waiters: Waiter[] = [];

  constructor(args: readonly string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (d: Buffer) => {
      this.out += d.toString('utf8');
      this.#check();
    });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.err += d.toString('utf8');
      this.#check();
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
  }

  #check(): void {
    for (const w of [...this.#waiters]) {
      const text = w.stream === 'out' ? this.out : this.err;
      const re = new RegExp(w.re.source, w.re.flags.includes('g') ? w.re.flags : `${w.re.flags}g`);
      re.lastIndex = this.#cursor[w.stream];
      const m = re.exec(text);
      if (m !== null) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        this.#cursor[w.stream] = m.index + m[0].length;
        w.resolve(m);
      }
    }
  }

  /** The first match of `re` in `stream` after the previous match there. */
  wait(stream: Stream, re: RegExp, ms = 15_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out waiting for ${String(re)} on std${stream}\nstdout:\n${this.out}\nstderr:\n${this.err}`));
      }, ms);
      const done = (m: RegExpExecArray): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.#waiters.push({ stream, re, resolve: done });
      this.#check();
    });
  }

  /** Writes a line to stdin and waits for `re` on stdout. */
  async command(line: string, re: RegExp): Promise<RegExpExecArray> {
    const p = this.wait('out', re);
    this.proc.stdin.write(`${line}\n`);
    return p;
  }

  /**
   * Waits for `promise` (e.g. a server event the child causes), failing with the child's output
   * when the child exits first or nothing happens within `ms`.
   */
  async until<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}\nstdout:\n${this.out}\nstderr:\n${this.err}`));
      }, ms);
      void this.exited.then((code) => {
        reject(new Error(`the child exited (${String(code)}) before ${what}\nstdout:\n${this.out}\nstderr:\n${this.err}`));
      });
    });
    try {
      return await Promise.race([promise, failed]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
