// npm run bench -- NAME [args...]: runs bench/NAME.ts; the benchmark prints one JSON object as its last line.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const [name, ...args] = process.argv.slice(2);
if (!name || !existsSync(`bench/${name}.ts`)) {
  const names = readdirSync('bench').filter((f) => f.endsWith('.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
  console.error(`usage: npm run bench -- NAME [args]\nbenchmarks: ${names.join(', ')}`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', `bench/${name}.ts`, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
