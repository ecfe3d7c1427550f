/**
 * Access Control (object 2, LwM2M Core 1.1.1 7.3 and E.3; 1.0.2 8.1): with more than one LwM2M
 * Server account, every object instance needs an Access Control instance naming its owner and the
 * rights of the other servers, or no server reaches it (the engine's `AccessControl` enforces,
 * `src/dm/access-control.ts`). The engine creates them for instances a server creates; this module
 * creates them for the instances the client itself has (Device, Firmware Update, the application's
 * objects), with a configurable owner and rights, and removes those whose instance is gone.
 *
 * The Server instance of a server is owned by that server; everything else by `owner` (default the
 * server of the lowest Server instance). Security instances get none: no LwM2M Server ever reaches
 * the Security object. Object-level Create rights (instance id 65535) are granted per object with
 * `createRights`. During a bootstrap sequence nothing is added: the bootstrap server provisions
 * object 2 itself, and the gaps are filled once Bootstrap-Finish is accepted.
 */
import { CREATE_INSTANCE_ID } from '../../dm/access-control.ts';
import type { LwM2mEngine } from '../../dm/engine.ts';
import { LwM2mPath } from '../../model/path.ts';
import { numberAt } from './common.ts';

const SECURITY = 0;
const SERVER = 1;
const ACCESS_CONTROL = 2;

export interface AccessControlOptions {
  /** Short Server ID owning the ACL instances the client creates; default the ssid of the lowest Server instance. */
  readonly owner?: number;
  /** Rights (AclBit mask) of servers without an entry of their own: ACL instance 0. Default none. */
  readonly defaultRights?: number;
  /** Rights per Short Server ID written into every ACL instance the client creates. */
  readonly rights?: Readonly<Record<number, number>>;
  /** Create rights per object id: `{ 3303: { 2: AclBit.CREATE } }` lets server 2 create Temperature instances. */
  readonly createRights?: Readonly<Record<number, Readonly<Record<number, number>>>>;
}

/** The client-side upkeep of object 2. */
export class AccessControlObject {
  readonly #engine: LwM2mEngine;
  readonly #options: AccessControlOptions;
  readonly #offs: (() => void)[] = [];
  #bootstrapping = false;
  #syncing = false;

  constructor(engine: LwM2mEngine, options: AccessControlOptions) {
    this.#engine = engine;
    this.#options = options;
    const onChange = (change: { source: string }): void => {
      if (change.source !== 'bootstrap' && !this.#bootstrapping) this.sync();
    };
    const onActivity = (): void => {
      this.#bootstrapping = true;
    };
    const onFinish = (): void => {
      this.#bootstrapping = false;
      this.sync();
    };
    engine.on('instances-changed', onChange);
    engine.on('bootstrap-activity', onActivity);
    engine.on('bootstrap-finish', onFinish);
    this.#offs.push(
      () => engine.off('instances-changed', onChange),
      () => engine.off('bootstrap-activity', onActivity),
      () => engine.off('bootstrap-finish', onFinish),
    );
  }

  /** Short Server IDs of the Server instances, in instance order. */
  #ssids(): number[] {
    const reg = this.#engine.registry;
    const out: number[] = [];
    for (const iid of reg.instanceIds(SERVER)) {
      const ssid = numberAt(reg, LwM2mPath.of(SERVER, iid, 0));
      if (ssid !== undefined) out.push(ssid);
    }
    return out;
  }

  /**
   * Brings object 2 in line with the instances (LwM2M Core 1.1.1 7.3.2): when more than one server
   * account exists, every instance without an Access Control instance gets one, as do the objects
   * given Create rights; Access Control instances of instances that no longer exist are deleted.
   * Returns the number of Access Control instances created.
   */
  sync(): number {
    const engine = this.#engine;
    const reg = engine.registry;
    if (this.#syncing || reg.definition(ACCESS_CONTROL) === undefined) return 0;
    this.#syncing = true;
    let created = 0;
    try {
      reg.lock();
      try {
        this.#removeOrphans();
        if (!engine.acl.active()) return 0;
        const ssids = this.#ssids();
        const owner = this.#options.owner ?? ssids[0];
        if (owner === undefined) return 0;
        for (const oid of reg.objectIds()) {
          if (oid === SECURITY || oid === ACCESS_CONTROL) continue;
          for (const iid of reg.instanceIds(oid)) {
            if (engine.acl.aclInstance(oid, iid) !== undefined) continue;
            const own = oid === SERVER ? (numberAt(reg, LwM2mPath.of(SERVER, iid, 0)) ?? owner) : owner;
            this.#create(oid, iid, own, this.#instanceRights());
            created++;
          }
        }
        for (const [key, rights] of Object.entries(this.#options.createRights ?? {})) {
          const oid = Number(key);
          if (reg.definition(oid) === undefined || engine.acl.aclInstance(oid, CREATE_INSTANCE_ID) !== undefined) continue;
          this.#create(oid, CREATE_INSTANCE_ID, owner, rights);
          created++;
        }
      } finally {
        reg.unlock();
      }
    } finally {
      this.#syncing = false;
    }
    return created;
  }

  #instanceRights(): Record<number, number> {
    const rights: Record<number, number> = { ...this.#options.rights };
    if (this.#options.defaultRights !== undefined) rights[0] = this.#options.defaultRights;
    return rights;
  }

  #create(oid: number, iid: number, owner: number, rights: Readonly<Record<number, number>>): void {
    const reg = this.#engine.registry;
    const values: Record<number, number | Record<number, number>> = { 0: oid, 1: iid, 3: owner };
    if (Object.keys(rights).length > 0) values[2] = { ...rights };
    reg.create(LwM2mPath.of(ACCESS_CONTROL, reg.freeInstanceId(ACCESS_CONTROL)), values);
  }

  #removeOrphans(): void {
    const reg = this.#engine.registry;
    for (const aiid of reg.instanceIds(ACCESS_CONTROL)) {
      const oid = numberAt(reg, LwM2mPath.of(ACCESS_CONTROL, aiid, 0));
      const iid = numberAt(reg, LwM2mPath.of(ACCESS_CONTROL, aiid, 1));
      if (oid === undefined || iid === undefined || iid === CREATE_INSTANCE_ID) continue;
      if (!reg.hasInstance(oid, iid)) reg.delete(LwM2mPath.of(ACCESS_CONTROL, aiid));
    }
  }

  /** Sets the rights of server `ssid` on instance `/oid/iid` (or object `oid`'s Create with iid 65535), creating the ACL instance if needed. */
  grant(oid: number, iid: number, ssid: number, rights: number): void {
    const engine = this.#engine;
    const reg = engine.registry;
    const aiid = engine.acl.aclInstance(oid, iid);
    if (aiid === undefined) {
      const owner = this.#options.owner ?? this.#ssids()[0] ?? ssid;
      this.#create(oid, iid, owner, { [ssid]: rights });
      return;
    }
    reg.set(LwM2mPath.of(ACCESS_CONTROL, aiid, 2, ssid), rights);
  }

  /** Stops following the engine's events. */
  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }
}

/** Installs the upkeep of object 2 and brings it in line at once (object 2 is listed in Register once it has instances). */
export function installAccessControl(engine: LwM2mEngine, options: AccessControlOptions = {}): AccessControlObject {
  const ac = new AccessControlObject(engine, options);
  ac.sync();
  return ac;
}
