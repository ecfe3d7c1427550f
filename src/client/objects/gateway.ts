/**
 * LwM2M Gateway (object 25, LwM2M Gateway TS 1.1): the client exposes IoT devices that sit behind
 * it. Each device has an instance of /25 (Device ID /25/x/0, Prefix /25/x/1, IoT Device Objects
 * /25/x/3 as CoRE links) and its own data model, served by an engine of its own over the gateway's
 * sessions: the server reaches it by putting the prefix before the path (`/dev1/3/0/0`), with every
 * DM and reporting operation (Read, Write, Execute, Create, Delete, Discover, Write-Attributes,
 * Observe, and the composites addressed at `/dev1`).
 *
 * Adding or removing a device creates or deletes its /25 instance, which makes the client send a
 * registration Update (section 6); the device's objects are never in Register/Update, the server
 * reads them from /25/x/3 (kept current as the device's instances come and go, and observable).
 */
import { LwM2mEngine, type SendOptions } from '../../dm/engine.ts';
import { formatLinks, registerLinks } from '../../codec/link-format.ts';
import { LwM2mPath, toPath, type PathLike } from '../../model/path.ts';
import type { ObjectDefinition } from '../../model/object-definition.ts';
import { DataModelApi } from '../data-model-api.ts';
import { ClientDefinitions } from '../definitions.ts';
import { ObjectHandle } from '../handles.ts';
import { GatewayError, validatePrefix } from '../gateway/prefix.ts';

export { GatewayError, validatePrefix, type GatewayErrorReason } from '../gateway/prefix.ts';

const GATEWAY = 25;
const DEVICE_ID = 0;
const PREFIX = 1;
const DEVICE_OBJECTS = 3;
const SERVER = 1;

export interface IotDeviceOptions {
  /** /25/x/0: identifies the device to the server (a URN is recommended; unique). */
  readonly deviceId: string;
  /** /25/x/1: the path prefix of the device (see validatePrefix). */
  readonly prefix: string;
  /** The /25 instance id (default: the smallest free one). */
  readonly instanceId?: number;
  /** Definitions of the device's own objects (also addable later with `install`). */
  readonly objects?: readonly ObjectDefinition[];
}

/**
 * One IoT device behind the gateway: its data model with the same calls as LwM2mClient's (`set`,
 * `get`, `create`, callbacks, `install`, `lock`, cache, `send`).
 */
export class IotDevice extends DataModelApi<object> {
  readonly deviceId: string;
  readonly prefix: string;
  /** The /25 instance id of this device. */
  readonly instanceId: number;
  /** The device's engine (requests for its prefix land here). */
  readonly engine: LwM2mEngine;
  readonly #definitions: ClientDefinitions;
  readonly #gateway: Gateway;

  /** @internal */
  constructor(gateway: Gateway, engine: LwM2mEngine, definitions: ClientDefinitions, options: IotDeviceOptions, instanceId: number) {
    super();
    this.#gateway = gateway;
    this.engine = engine;
    this.#definitions = definitions;
    this.deviceId = options.deviceId;
    this.prefix = options.prefix;
    this.instanceId = instanceId;
  }

  /** Adds an object to the device (typed by its definition) and lists it in /25/x/3. */
  install<D extends ObjectDefinition>(definition: D): ObjectHandle<D> {
    this.#definitions.add(definition);
    this.support(definition.id);
    return new ObjectHandle(this.registry, definition);
  }

  /** Makes a known object (built-in or installed) part of the device, with no instance yet, and lists it in /25/x/3. */
  support(oid: number): void {
    this.registry.supportObject(oid);
    this.#gateway.refresh(this);
  }

  /**
   * Send (LwM2M Core 1.1.1 6.4.3) of the device's values, names prefixed (Gateway TS 1.1 section 9),
   * to server `ssid` (default: the first server account with a session).
   */
  async send(paths: readonly PathLike[], options: SendOptions & { readonly ssid?: number } = {}): Promise<void> {
    const ssid = options.ssid ?? this.#gateway.defaultSsid();
    await this.engine.send(ssid, paths.map(toPath), options);
  }

  /** The IoT Device Objects value (/25/x/3): the device's objects and instances as Register links. */
  objectLinks(): string {
    const reg = this.registry;
    const objects = reg.objectIds().map((oid) => ({
      id: oid,
      version: this.engine.catalogue.object(oid)?.version,
      instances: reg.instanceIds(oid),
    }));
    return formatLinks(registerLinks(objects));
  }
}

/** The gateway side of a client: its IoT devices and their /25 instances. */
export class Gateway {
  readonly #engine: LwM2mEngine;
  readonly #devices = new Map<string, IotDevice>();
  readonly #listeners = new Map<string, () => void>();

  /** @internal */
  constructor(engine: LwM2mEngine) {
    this.#engine = engine;
  }

  /**
   * Adds an IoT device: validates the prefix (GatewayError: empty, numeric, bad characters, too long,
   * in use) and device id (empty, in use), creates its /25 instance (which triggers a registration
   * Update) and returns its handle.
   */
  addDevice(options: IotDeviceOptions): IotDevice {
    const { deviceId, prefix } = options;
    validatePrefix(prefix);
    if (this.#devices.has(prefix) || this.#engine.device(prefix) !== undefined) throw new GatewayError('prefix-in-use', `IoT device prefix '${prefix}' is in use`);
    if (deviceId === '') throw new GatewayError('empty', 'an IoT device id cannot be empty');
    for (const d of this.#devices.values()) if (d.deviceId === deviceId) throw new GatewayError('device-id-in-use', `IoT device id '${deviceId}' is in use (prefix '${d.prefix}')`);
    const registry = this.#engine.registry;
    const iid = options.instanceId ?? registry.freeInstanceId(GATEWAY);
    if (registry.hasInstance(GATEWAY, iid)) throw new GatewayError('prefix-in-use', `/25/${iid} exists`);
    const definitions = new ClientDefinitions(this.#engine.catalogue);
    for (const def of options.objects ?? []) definitions.add(def);
    const engine = this.#engine.addDevice(prefix, { catalogue: definitions });
    const device = new IotDevice(this, engine, definitions, options, iid);
    this.#devices.set(prefix, device);
    const onChange = (): void => {
      this.refresh(device);
    };
    engine.on('instances-changed', onChange);
    this.#listeners.set(prefix, () => {
      engine.off('instances-changed', onChange);
    });
    try {
      registry.create(LwM2mPath.of(GATEWAY, iid), { [DEVICE_ID]: deviceId, [PREFIX]: prefix, [DEVICE_OBJECTS]: device.objectLinks() });
    } catch (error) {
      this.#forget(prefix);
      throw error;
    }
    return device;
  }

  /**
   * Removes an IoT device: its engine stops (observations end, requests for its prefix get 4.04) and
   * its /25 instance is deleted, which triggers a registration Update. False when the prefix is unknown.
   */
  removeDevice(prefix: string): boolean {
    const device = this.#devices.get(prefix);
    if (device === undefined) return false;
    this.#forget(prefix);
    this.#engine.registry.delete(LwM2mPath.of(GATEWAY, device.instanceId));
    return true;
  }

  #forget(prefix: string): void {
    this.#listeners.get(prefix)?.();
    this.#listeners.delete(prefix);
    this.#devices.delete(prefix);
    this.#engine.removeDevice(prefix);
  }

  device(prefix: string): IotDevice | undefined {
    return this.#devices.get(prefix);
  }

  devices(): IotDevice[] {
    return [...this.#devices.values()];
  }

  /** @internal Rewrites /25/x/3 of a device from its data model (notifies observers of it when it changed). */
  refresh(device: IotDevice): void {
    if (this.#devices.get(device.prefix) !== device) return;
    const path = LwM2mPath.of(GATEWAY, device.instanceId, DEVICE_OBJECTS);
    const links = device.objectLinks();
    if (this.#engine.registry.get(path) !== links) this.#engine.registry.set(path, links);
  }

  /** @internal The first server account (by /1 instance) with an attached session. */
  defaultSsid(): number {
    const registry = this.#engine.registry;
    for (const iid of registry.instanceIds(SERVER)) {
      const v = registry.get(LwM2mPath.of(SERVER, iid, 0));
      const ssid = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
      if (ssid !== undefined && this.#engine.session(ssid) !== undefined) return ssid;
    }
    throw new GatewayError('unsupported', 'no LwM2M Server session to send to');
  }

  /** Removes every device. */
  dispose(): void {
    for (const prefix of [...this.#devices.keys()]) this.removeDevice(prefix);
  }
}

/**
 * Makes a client (or engine) an LwM2M Gateway: object 25 is supported (listed in Register even
 * before the first device) and `addDevice` exposes IoT devices. Needs LwM2M 1.1 or later (Gateway TS
 * 1.1 section 7) and a catalogue with object 25 (the built-in 1.1 and 1.2 ones have version 2.0).
 */
export function installGateway(target: LwM2mEngine | { readonly engine: LwM2mEngine }): Gateway {
  const engine = target instanceof LwM2mEngine ? target : target.engine;
  if (engine.version === '1.0') throw new GatewayError('unsupported', 'an LwM2M Gateway needs LwM2M 1.1 or later');
  if (engine.catalogue.object(GATEWAY) === undefined) throw new GatewayError('unsupported', 'the catalogue has no definition of object 25');
  if (engine.prefix !== undefined) throw new GatewayError('unsupported', 'an IoT device cannot be a gateway');
  engine.registry.supportObject(GATEWAY);
  return new Gateway(engine);
}
