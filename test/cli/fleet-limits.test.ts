/** The simulator's check of the open-file limit and the ephemeral port range against N sockets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fleetLimitProblem, readFleetLimits } from '../../src/cli/fleet-limits.ts';

test('readFleetLimits: the limits a shell reports', () => {
  const shell = (flag: string): number => {
    const text = execFileSync('/bin/sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Infinity : Number(text);
  };
  const limits = readFleetLimits();
  assert.equal(limits.softFiles, shell('-Sn'));
  assert.equal(limits.hardFiles, shell('-Hn'));
  if (limits.ephemeralPorts !== undefined) assert.ok(limits.ephemeralPorts > 0 && limits.ephemeralPorts <= 65536);
});

test('fleetLimitProblem: fits, soft limit, hard limit, ports, unknown limits', () => {
  const roomy = { softFiles: 20000, hardFiles: 20000, ephemeralPorts: 28232 };
  assert.equal(fleetLimitProblem(10000, 10000, roomy), undefined);
  assert.equal(fleetLimitProblem(19900, 19900, roomy), undefined);
  assert.equal(
    fleetLimitProblem(19901, 19901, roomy),
    "19901 devices need about 20001 open files (one socket each), but the limit (ulimit -n) is 20000: the hard limit is 20000, so raise that first (as root, e.g. in /etc/security/limits.conf or with systemd's LimitNOFILE=22000), then run 'ulimit -n 22000' in this shell, or simulate fewer devices per process",
  );
  assert.equal(
    fleetLimitProblem(2000, 2000, { softFiles: 1024, hardFiles: Infinity, ephemeralPorts: 28232 }),
    "2000 devices need about 2100 open files (one socket each), but the limit (ulimit -n) is 1024: run 'ulimit -n 4000' in this shell and start again, or simulate fewer devices per process",
  );
  assert.equal(fleetLimitProblem(50000, 50000, { softFiles: Infinity, hardFiles: Infinity, ephemeralPorts: undefined }), undefined);
  assert.match(fleetLimitProblem(30000, 30000, { softFiles: Infinity, hardFiles: Infinity, ephemeralPorts: 28232 }) ?? '', /^30000 devices need 30000 local UDP ports, but the ephemeral port range .* has 28232: widen it/);
  assert.equal(fleetLimitProblem(100000, 100000, { softFiles: undefined, hardFiles: undefined, ephemeralPorts: undefined }), undefined);
});
