/**
 * Access Control (object 2) enforcement (LwM2M Core 1.1.1 section 7.3 and Appendix E; 1.0.2
 * section 8.1): when more than one LwM2M Server is configured, each object instance has an Access
 * Control instance naming its owner and the rights (ACL resource instances keyed by short server id,
 * instance 0 the default for servers not listed). The bootstrap server and a single server have
 * full access; the Security object is never reachable by an LwM2M Server (checked by the operations).
 */
import { UnauthorizedError } from '../errors.ts';
import type { ResourceValue } from '../model/resource-type.ts';
import { isInstances, type ResourceData, type Registry, type WriteSource } from './registry.ts';

/** ACL bits (LwM2M Core 1.1.1 Appendix E.3, resource /2/x/2). */
export const AclBit = { READ: 1, WRITE: 2, EXECUTE: 4, DELETE: 8, CREATE: 16 } as const;
export type AclBit = (typeof AclBit)[keyof typeof AclBit];

/** Rights of an instance's owner without an ACL entry of its own: everything but Create. */
const OWNER_RIGHTS = AclBit.READ | AclBit.WRITE | AclBit.EXECUTE | AclBit.DELETE;
const ALL_RIGHTS = OWNER_RIGHTS | AclBit.CREATE;
/** Object Instance ID of the Access Control instance that grants Create on an object (E.1). */
export const CREATE_INSTANCE_ID = 65535;

const ACCESS_CONTROL = 2;

function asInt(v: ResourceData | ResourceValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** Access Control checks over one registry. Stateless: everything lives in the object 2 instances. */
export class AccessControl {
  readonly #registry: Registry;

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Enforcement applies when more than one LwM2M Server account (object 1 instance) exists. */
  active(): boolean {
    return this.#registry.instanceCount(1) > 1;
  }

  /** The Access Control instance governing (oid, iid), if any. */
  aclInstance(oid: number, iid: number): number | undefined {
    const reg = this.#registry;
    for (const aiid of reg.instanceIds(ACCESS_CONTROL)) {
      if (asInt(reg.readResource(ACCESS_CONTROL, aiid, 0) ) === oid && asInt(reg.readResource(ACCESS_CONTROL, aiid, 1) ) === iid) return aiid;
    }
    return undefined;
  }

  /** The owner (short server id) of an Access Control instance. */
  owner(aiid: number): number | undefined {
    return asInt(this.#registry.readResource(ACCESS_CONTROL, aiid, 3) );
  }

  /**
   * The rights (AclBit mask) server `ssid` has on instance (oid, iid), or on object oid's Create
   * when iid is CREATE_INSTANCE_ID: its own ACL entry, else full rights for the owner, else the
   * default entry (instance 0), else none. Everything while enforcement is not active.
   */
  rights(ssid: number, oid: number, iid: number): number {
    if (!this.active()) return ALL_RIGHTS;
    const aiid = this.aclInstance(oid, iid);
    if (aiid === undefined) return 0;
    const acl = this.#registry.readResource(ACCESS_CONTROL, aiid, 2);
    if (isInstances(acl)) {
      const own = asInt(acl.get(ssid));
      if (own !== undefined) return own;
    }
    if (this.owner(aiid) === ssid) return OWNER_RIGHTS;
    if (isInstances(acl)) {
      const def = asInt(acl.get(0));
      if (def !== undefined) return def;
    }
    return 0;
  }

  /** Whether `ssid` holds `bit` on (oid, iid). Access Control instances are readable by all and writable by their owner. */
  allows(ssid: number, oid: number, iid: number, bit: AclBit): boolean {
    if (!this.active()) return true;
    if (oid === ACCESS_CONTROL) {
      if (bit === AclBit.READ) return true;
      if (bit === AclBit.WRITE) return this.owner(iid) === ssid;
      return false;
    }
    return (this.rights(ssid, oid, iid) & bit) !== 0;
  }

  /** Throws UnauthorizedError (4.01) unless `ssid` holds `bit` on (oid, iid). */
  check(ssid: number, oid: number, iid: number, bit: AclBit): void {
    if (!this.allows(ssid, oid, iid, bit)) {
      const what = iid === CREATE_INSTANCE_ID ? `/${oid}` : `/${oid}/${iid}`;
      throw new UnauthorizedError(`server ${ssid} has no ${bitName(bit)} right on ${what}`);
    }
  }

  /**
   * After a server created an instance: while enforcement is active, the client creates the
   * Access Control instance for it with that server as owner (LwM2M Core 1.1.1 7.3.2).
   */
  instanceCreated(ssid: number, oid: number, iid: number, source: WriteSource): void {
    if (!this.active() || oid === ACCESS_CONTROL || this.aclInstance(oid, iid) !== undefined) return;
    if (this.#registry.definition(ACCESS_CONTROL) === undefined) return;
    const aiid = this.#registry.freeInstanceId(ACCESS_CONTROL);
    this.#registry.createInstance(
      ACCESS_CONTROL,
      aiid,
      [
        { oid: ACCESS_CONTROL, iid: aiid, rid: 0, value: oid, mode: 'replace' },
        { oid: ACCESS_CONTROL, iid: aiid, rid: 1, value: iid, mode: 'replace' },
        { oid: ACCESS_CONTROL, iid: aiid, rid: 3, value: ssid, mode: 'replace' },
      ],
      { source, ssid },
    );
  }

  /** After an instance was deleted: its Access Control instances go too. */
  instanceDeleted(oid: number, iid: number, source: WriteSource, ssid: number | undefined): void {
    if (oid === ACCESS_CONTROL) return;
    for (;;) {
      const aiid = this.aclInstance(oid, iid);
      if (aiid === undefined) return;
      this.#registry.deleteInstance(ACCESS_CONTROL, aiid, { source, ssid });
    }
  }
}

function bitName(bit: AclBit): string {
  switch (bit) {
    case AclBit.READ:
      return 'Read';
    case AclBit.WRITE:
      return 'Write';
    case AclBit.EXECUTE:
      return 'Execute';
    case AclBit.DELETE:
      return 'Delete';
    case AclBit.CREATE:
      return 'Create';
  }
}
