/**
 * Server accounts as the Security (0) and Server (1) objects describe them (LwM2M Core E.1, E.2):
 * a Server instance with its Short Server ID, and the non-bootstrap Security instance with the same
 * ID; the bootstrap account is the Security instance with /0/x/1 true.
 */
import { isInstances, type Registry } from '../dm/registry.ts';
import { LwM2mPath } from '../model/path.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import type { SecurityInstanceValues } from '../transport/dtls/lwm2m-security.ts';
import type { OrderAccount } from './rd/order.ts';
import type { BootstrapAccount, ServerAccount } from './rd/runner.ts';
import { DEFAULT_COMMUNICATION_RETRY, type CommunicationRetry } from './rd/state.ts';

const SECURITY = 0;
const SERVER = 1;

/** Default lifetime when /1/x/1 is absent (seconds). */
export const DEFAULT_LIFETIME = 86400;

function value(registry: Registry, oid: number, iid: number, rid: number): ResourceValue | undefined {
  const v = registry.get(LwM2mPath.of(oid, iid, rid));
  return isInstances(v) ? undefined : v;
}

function num(v: ResourceValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function bytes(v: ResourceValue | undefined): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return new TextEncoder().encode(v);
  return undefined;
}

function securityValues(registry: Registry, iid: number, uri: string): SecurityInstanceValues {
  const suites = registry.get(LwM2mPath.of(SECURITY, iid, 16));
  const cipherSuites = isInstances(suites) ? [...suites.values()].map((v) => num(v)).filter((v): v is number => v !== undefined) : undefined;
  const identity = bytes(value(registry, SECURITY, iid, 3));
  const serverKey = bytes(value(registry, SECURITY, iid, 4));
  const secret = bytes(value(registry, SECURITY, iid, 5));
  const sni = value(registry, SECURITY, iid, 14);
  const usage = num(value(registry, SECURITY, iid, 15));
  return {
    serverUri: uri,
    securityMode: num(value(registry, SECURITY, iid, 2)) ?? 3,
    ...(identity !== undefined ? { publicKeyOrIdentity: identity } : {}),
    ...(serverKey !== undefined ? { serverPublicKey: serverKey } : {}),
    ...(secret !== undefined ? { secretKey: secret } : {}),
    ...(typeof sni === 'string' && sni !== '' ? { sni } : {}),
    ...(usage !== undefined ? { certificateUsage: usage } : {}),
    ...(cipherSuites !== undefined && cipherSuites.length > 0 ? { cipherSuites } : {}),
  };
}

/**
 * The registration retry procedure of a Server instance (/1/x/17-20, LwM2M Core 1.1.1 6.2.1.1),
 * when it has any of those resources; the absent ones take their defaults (E.2).
 */
export function communicationRetryOf(registry: Registry, iid: number): CommunicationRetry | undefined {
  const count = num(value(registry, SERVER, iid, 17));
  const timer = num(value(registry, SERVER, iid, 18));
  const delay = num(value(registry, SERVER, iid, 19));
  const sequences = num(value(registry, SERVER, iid, 20));
  if (count === undefined && timer === undefined && delay === undefined && sequences === undefined) return undefined;
  const d = DEFAULT_COMMUNICATION_RETRY;
  return {
    retryCount: count ?? d.retryCount,
    retryTimerMs: timer === undefined ? d.retryTimerMs : timer * 1000,
    sequenceDelayMs: delay === undefined ? d.sequenceDelayMs : delay * 1000,
    sequenceRetryCount: sequences ?? d.sequenceRetryCount,
  };
}

/**
 * The registration order resources of a Server instance (LwM2M Core 1.1.1 6.2.1.1, E.2): /1/x/13
 * Registration Priority Order, /1/x/14 Initial Registration Delay Timer (returned in ms), /1/x/15
 * Registration Failure Block; only those present.
 */
export function registrationOrderOf(registry: Registry, iid: number): Pick<OrderAccount, 'priorityOrder' | 'initialDelayMs' | 'failureBlock'> {
  const priority = num(value(registry, SERVER, iid, 13));
  const delay = num(value(registry, SERVER, iid, 14));
  const block = value(registry, SERVER, iid, 15);
  return {
    ...(priority !== undefined ? { priorityOrder: priority } : {}),
    ...(delay !== undefined ? { initialDelayMs: delay * 1000 } : {}),
    ...(typeof block === 'boolean' ? { failureBlock: block } : {}),
  };
}

/** Splits a Binding value into its transport letters and the queue flag ("UQ" -> "U", true). */
export function splitBinding(binding: string): { binding: string; queue: boolean } {
  const queue = binding.includes('Q');
  const rest = binding.replace(/Q/g, '');
  return { binding: rest === '' ? 'U' : rest, queue };
}

export interface AccountOptions {
  /** Queue mode for every server (1.1 has no Binding letter for it); 1.0 also reads "UQ" from /1/x/7. */
  readonly queueMode?: boolean | undefined;
}

/** The LwM2M Server accounts, in Server instance order. */
export function serverAccounts(registry: Registry, options: AccountOptions = {}): ServerAccount[] {
  const securityBySsid = new Map<number, number>();
  for (const iid of registry.instanceIds(SECURITY)) {
    if (value(registry, SECURITY, iid, 1) === true) continue;
    const ssid = num(value(registry, SECURITY, iid, 10));
    if (ssid !== undefined && !securityBySsid.has(ssid)) securityBySsid.set(ssid, iid);
  }
  const accounts: ServerAccount[] = [];
  for (const iid of registry.instanceIds(SERVER)) {
    const ssid = num(value(registry, SERVER, iid, 0));
    if (ssid === undefined) continue;
    const sec = securityBySsid.get(ssid);
    if (sec === undefined) continue;
    const uri = value(registry, SECURITY, sec, 0);
    if (typeof uri !== 'string' || uri === '') continue;
    const rawBinding = value(registry, SERVER, iid, 7);
    const { binding, queue } = splitBinding(typeof rawBinding === 'string' ? rawBinding : 'U');
    const onFailure = value(registry, SERVER, iid, 16);
    const retry = communicationRetryOf(registry, iid);
    const order = registrationOrderOf(registry, iid);
    accounts.push({
      ssid,
      uri,
      security: securityValues(registry, sec, uri),
      lifetime: num(value(registry, SERVER, iid, 1)) ?? DEFAULT_LIFETIME,
      binding,
      queueMode: options.queueMode ?? queue,
      bootstrapOnFailure: typeof onFailure === 'boolean' ? onFailure : true,
      ...(retry !== undefined ? { communicationRetry: retry } : {}),
      ...order,
    });
  }
  return accounts;
}

/**
 * The bootstrap server account, if one is configured. A Server instance with the account's Short
 * Server ID (never registered with: it has no LwM2M Server Security instance) may give it the
 * /1/x/17-20 retry procedure.
 */
export function bootstrapAccount(registry: Registry): BootstrapAccount | undefined {
  for (const iid of registry.instanceIds(SECURITY)) {
    if (value(registry, SECURITY, iid, 1) !== true) continue;
    const uri = value(registry, SECURITY, iid, 0);
    if (typeof uri !== 'string' || uri === '') continue;
    const ssid = num(value(registry, SECURITY, iid, 10));
    const server = ssid === undefined ? undefined : registry.instanceIds(SERVER).find((s) => num(value(registry, SERVER, s, 0)) === ssid);
    const retry = server === undefined ? undefined : communicationRetryOf(registry, server);
    return {
      uri,
      security: securityValues(registry, iid, uri),
      ...(ssid !== undefined ? { ssid } : {}),
      ...(retry !== undefined ? { communicationRetry: retry } : {}),
    };
  }
  return undefined;
}
