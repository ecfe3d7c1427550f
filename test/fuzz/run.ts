/**
 * The long fuzz runs, one after another (`npm run fuzz`, outside `npm test`): every decoder
 * (codec-fuzz.ts) and the DTLS record and handshake layers (dtls-fuzz.ts), each in its own process.
 *
 *   npm run fuzz -- [--count 1000000] [--runs 10000] [--seed N]
 *
 * Prints each fuzzer's output and a JSON summary as the last line; exits non-zero when one fails.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) ? v : dflt;
};
const seed = arg('seed', Date.now() % 1_000_000);
const runs = [
  { name: 'codec', file: 'codec-fuzz.ts', args: ['--count', String(arg('count', 1_000_000)), '--seed', String(seed)] },
  { name: 'dtls', file: 'dtls-fuzz.ts', args: ['--runs', String(arg('runs', 10_000)), '--seed', String(seed)] },
];

const summary: Record<string, { ok: boolean; seconds: number }> = {};
for (const run of runs) {
  const started = performance.now();
  const file = fileURLToPath(new URL(run.file, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...run.args], { stdio: 'inherit' });
  summary[run.name] = { ok: result.status === 0, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
const ok = Object.values(summary).every((s) => s.ok);
process.stdout.write(JSON.stringify({ seed, ok, ...summary }) + '\n');
process.exitCode = ok ? 0 : 1;
