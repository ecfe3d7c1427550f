/**
 * Server accounts the application configures without a bootstrap server (factory bootstrap, LwM2M
 * Core 1.1.1 6.1.2): an LwM2M Server account is a Security instance and a Server instance sharing
 * the Short Server ID; the bootstrap account is a Security instance with Bootstrap-Server true.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { ValueError } from '../../errors.ts';
import type { LwM2mPath } from '../../model/path.ts';
import { addSecurityInstance, type SecurityCredentials } from './security.ts';
import { addServerInstance, serverInstanceOf, type ServerInstanceOptions } from './server.ts';

/** An LwM2M Server account: the Security instance's URI and credentials plus the Server instance's settings. */
export interface ServerAccountOptions extends SecurityCredentials, Omit<ServerInstanceOptions, 'iid'> {
  /** /0/x/0 e.g. coap://127.0.0.1:5683 or coaps://lwm2m.example:5684. */
  readonly uri: string;
  /** Security instance id (default the lowest free one). */
  readonly securityIid?: number;
  /** Server instance id (default the lowest free one). */
  readonly serverIid?: number;
}

/** The bootstrap server account. */
export interface BootstrapAccountOptions extends SecurityCredentials {
  readonly uri: string;
  /** /0/x/11 seconds to wait before a client-initiated bootstrap (default 0). */
  readonly holdOffTime?: number;
  /** /0/x/12 seconds after which the account is removed once registered elsewhere (default 0: kept). */
  readonly accountTimeout?: number;
  /** /0/x/10, optional for the bootstrap server. */
  readonly ssid?: number;
  readonly iid?: number;
}

export interface ServerAccountPaths {
  readonly ssid: number;
  readonly security: LwM2mPath;
  readonly server: LwM2mPath;
}

/**
 * Adds an LwM2M Server account: a Security instance (/0/x) and a Server instance (/1/y) with the
 * same Short Server ID, every resource set (defaults where not given). Throws ValueError for a
 * Short Server ID already in use or incomplete credentials; nothing is created then.
 */
export function addServerAccount(engine: LwM2mEngine, options: ServerAccountOptions): ServerAccountPaths {
  if (serverInstanceOf(engine, options.ssid) !== undefined) throw new ValueError(`a Server account with Short Server ID ${options.ssid} exists`);
  const reg = engine.registry;
  reg.lock();
  try {
    const security = addSecurityInstance(engine, { ...options, bootstrap: false, iid: options.securityIid });
    let server: LwM2mPath;
    try {
      server = addServerInstance(engine, { ...options, iid: options.serverIid });
    } catch (error) {
      reg.delete(security);
      throw error;
    }
    return { ssid: options.ssid, security, server };
  } finally {
    reg.unlock();
  }
}

/** Adds the bootstrap server account (a Security instance with /0/x/1 true). Throws ValueError if one exists. */
export function addBootstrapAccount(engine: LwM2mEngine, options: BootstrapAccountOptions): LwM2mPath {
  const reg = engine.registry;
  for (const iid of reg.instanceIds(0)) {
    if (reg.get(`/0/${iid}/1`) === true) throw new ValueError(`a bootstrap account exists at /0/${iid}`);
  }
  return addSecurityInstance(engine, {
    ...options,
    bootstrap: true,
    bootstrapAccountTimeout: options.accountTimeout,
  });
}
