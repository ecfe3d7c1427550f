/**
 * System limits a fleet runs into (DESIGN.md "Scale": every client has its own UDP socket): the
 * open-file limit (`ulimit -n`, one descriptor per socket) and the ephemeral port range the kernel
 * picks the sockets' ports from. Node cannot raise the limit itself, so the simulator checks it
 * before starting and says how to raise it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FleetLimits {
  /** Soft and hard open-file limits; undefined when unknown, Infinity when unlimited. */
  readonly softFiles: number | undefined;
  readonly hardFiles: number | undefined;
  /** Ports in the ephemeral range (Linux ip_local_port_range); undefined when unknown. */
  readonly ephemeralPorts: number | undefined;
}

/** Descriptors a Node process uses besides the fleet's sockets (stdio, libuv, the event loop...). */
const BASE_FILES = 100;

function limitValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'unlimited') return Infinity;
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

function shellLimit(flag: '-Sn' | '-Hn'): number | undefined {
  try {
    return limitValue(execFileSync('/bin/sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    return undefined;
  }
}

/** Reads the limits of this process: /proc on Linux, else `ulimit` in a shell. */
export function readFleetLimits(): FleetLimits {
  let softFiles: number | undefined;
  let hardFiles: number | undefined;
  try {
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    softFiles = limitValue(m?.[1]);
    hardFiles = limitValue(m?.[2]);
  } catch {
    softFiles = shellLimit('-Sn');
    hardFiles = shellLimit('-Hn');
  }
  let ephemeralPorts: number | undefined;
  try {
    const m = /^\s*([0-9]+)\s+([0-9]+)/.exec(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'));
    if (m !== null) ephemeralPorts = Number(m[2]) - Number(m[1]) + 1;
  } catch {
    ephemeralPorts = undefined;
  }
  return { softFiles, hardFiles, ephemeralPorts };
}

/**
 * Why `sockets` sockets at once will not fit in `limits`, with what to do about it; undefined when
 * they fit (or the limits are unknown).
 */
export function fleetLimitProblem(devices: number, sockets: number, limits: FleetLimits): string | undefined {
  const files = sockets + BASE_FILES;
  const soft = limits.softFiles;
  if (soft !== undefined && soft < files) {
    const target = Math.ceil((files + 1000) / 1000) * 1000;
    const hard = limits.hardFiles;
    const how =
      hard !== undefined && hard < target
        ? `the hard limit is ${hard}, so raise that first (as root, e.g. in /etc/security/limits.conf or with systemd's LimitNOFILE=${target}), then run 'ulimit -n ${target}' in this shell`
        : `run 'ulimit -n ${target}' in this shell and start again`;
    return `${devices} devices need about ${files} open files (one socket each), but the limit (ulimit -n) is ${soft}: ${how}, or simulate fewer devices per process`;
  }
  const ports = limits.ephemeralPorts;
  if (ports !== undefined && ports < sockets) {
    return `${devices} devices need ${sockets} local UDP ports, but the ephemeral port range (/proc/sys/net/ipv4/ip_local_port_range) has ${ports}: widen it (as root: sysctl -w net.ipv4.ip_local_port_range="1024 65535") or simulate fewer devices per process`;
  }
  return undefined;
}
