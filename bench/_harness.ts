/**
 * Tiny benchmark harness. A benchmark prints progress lines freely and exactly one JSON object as
 * its last line (`report`).
 */

export interface Measurement {
  ops: number;
  seconds: number;
  opsPerSecond: number;
}

/** Runs `fn` repeatedly (synchronously) for about `seconds` after a warm-up; returns the rate. */
export function measureSync(fn: () => void, seconds = 2, warmupSeconds = 0.3): Measurement {
  runFor(fn, warmupSeconds);
  return runFor(fn, seconds);
}

function runFor(fn: () => void, seconds: number): Measurement {
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let ops = 0;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) fn();
    ops += 100;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return { ops, seconds: elapsed, opsPerSecond: ops / elapsed };
}

/** Runs an async operation with `concurrency` workers for about `seconds`; returns the rate. */
export async function measureAsync(fn: () => Promise<void>, seconds = 2, concurrency = 1): Promise<Measurement> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let ops = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await fn();
      ops++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  return { ops, seconds: elapsed, opsPerSecond: ops / elapsed };
}

/** Parses `--name value` style arguments of a benchmark. */
export function benchArgs(): Map<string, string> {
  const args = process.argv.slice(2);
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out.set(a.slice(2), next);
        i++;
      } else out.set(a.slice(2), 'true');
    }
  }
  return out;
}

export function round(n: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Prints the benchmark's result: one JSON object, the last line of output. */
export function report(result: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(result) + '\n');
}
