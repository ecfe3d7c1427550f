/**
 * LwM2M Server (object 1, LwM2M Core 1.1.1 E.2): instance values with the specification's
 * defaults, and the client-side upkeep of the resources the client maintains (Last Bootstrapped
 * /1/x/12, TLS-DTLS Alert Code /1/x/11). Disable (/1/x/4), Registration Update Trigger (/1/x/8),
 * Bootstrap-Request Trigger (/1/x/9), lifetime and binding changes and Mute Send (/1/x/23) are
 * handled by the engine and the RD client, which read these resources.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { ValueError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { definitionOf, fillInstance, hasResource, numberAt, type InitialValues } from './common.ts';

const SERVER = 1;

/**
 * Defaults of a Server instance. LwM2M Core 1.1.1 E.2 and 6.2.1.1 give: Disable Timeout 86400 s,
 * Notification Storing true, Bootstrap on Registration Failure true, Communication Retry Count 5,
 * Communication Retry Timer 60 s, Communication Sequence Delay Timer 86400 s, Communication
 * Sequence Retry Count 1, Mute Send absent = muted, so we store false (Send enabled). Lifetime and
 * the default periods are ours: 86400 s, pmin 1 s, pmax 0 (no periodic notification).
 */
export const SERVER_DEFAULTS = {
  lifetime: 86400,
  pmin: 1,
  pmax: 0,
  disableTimeout: 86400,
  notificationStoring: true,
  binding: 'U',
  bootstrapOnRegistrationFailure: true,
  communicationRetryCount: 5,
  communicationRetryTimer: 60,
  communicationSequenceDelayTimer: 86400,
  communicationSequenceRetryCount: 1,
  registrationFailureBlock: false,
  initialRegistrationDelay: 0,
  trigger: false,
  muteSend: false,
} as const;

/** One Server instance (every field but `ssid` has a default). */
export interface ServerInstanceOptions {
  /** /1/x/0 Short Server ID, 1..65534. */
  readonly ssid: number;
  /** /1/x/1 registration lifetime in seconds. */
  readonly lifetime?: number;
  /** /1/x/2 default minimum period in seconds. */
  readonly pmin?: number;
  /** /1/x/3 default maximum period in seconds (0: none). */
  readonly pmax?: number;
  /** /1/x/5 seconds a Disable keeps the server away. */
  readonly disableTimeout?: number;
  /** /1/x/6 keep notifications while the server is unreachable. */
  readonly notificationStoring?: boolean;
  /** /1/x/7 binding, e.g. "U" (1.0 also "UQ"). */
  readonly binding?: string;
  /** /1/x/13 registration priority order (1.1). */
  readonly registrationPriority?: number;
  /** /1/x/14 initial registration delay in seconds (1.1). */
  readonly initialRegistrationDelay?: number;
  /** /1/x/15 registration failure blocks the next servers (1.1). */
  readonly registrationFailureBlock?: boolean;
  /** /1/x/16 bootstrap again when registration fails (1.1). */
  readonly bootstrapOnRegistrationFailure?: boolean;
  /** /1/x/17..20 communication retry parameters (1.1). */
  readonly communicationRetryCount?: number;
  readonly communicationRetryTimer?: number;
  readonly communicationSequenceDelayTimer?: number;
  readonly communicationSequenceRetryCount?: number;
  /** /1/x/21 reachable over SMS (1.1). */
  readonly trigger?: boolean;
  /** /1/x/22 preferred transport, e.g. "U" (1.1). */
  readonly preferredTransport?: string;
  /** /1/x/23 Send disabled (1.1). */
  readonly muteSend?: boolean;
  /** Instance id; default the lowest free one. */
  readonly iid?: number;
}

/** The resource values of a Server instance (LwM2M Core 1.1.1 E.2) with the defaults above. */
export function serverValues(o: ServerInstanceOptions): InitialValues {
  if (!Number.isInteger(o.ssid) || o.ssid < 1 || o.ssid > 65534) throw new ValueError(`Short Server ID ${o.ssid} is not 1..65534`);
  const d = SERVER_DEFAULTS;
  return {
    0: o.ssid,
    1: o.lifetime ?? d.lifetime,
    2: o.pmin ?? d.pmin,
    3: o.pmax ?? d.pmax,
    5: o.disableTimeout ?? d.disableTimeout,
    6: o.notificationStoring ?? d.notificationStoring,
    7: o.binding ?? d.binding,
    13: o.registrationPriority,
    14: o.initialRegistrationDelay ?? d.initialRegistrationDelay,
    15: o.registrationFailureBlock ?? d.registrationFailureBlock,
    16: o.bootstrapOnRegistrationFailure ?? d.bootstrapOnRegistrationFailure,
    17: o.communicationRetryCount ?? d.communicationRetryCount,
    18: o.communicationRetryTimer ?? d.communicationRetryTimer,
    19: o.communicationSequenceDelayTimer ?? d.communicationSequenceDelayTimer,
    20: o.communicationSequenceRetryCount ?? d.communicationSequenceRetryCount,
    21: o.trigger ?? d.trigger,
    22: o.preferredTransport,
    23: o.muteSend ?? d.muteSend,
  };
}

/** The Server instance id holding Short Server ID `ssid`, if any. */
export function serverInstanceOf(engine: LwM2mEngine, ssid: number): number | undefined {
  const reg = engine.registry;
  return reg.instanceIds(SERVER).find((iid) => numberAt(reg, LwM2mPath.of(SERVER, iid, 0)) === ssid);
}

/** Creates a Server instance (LwM2M Core 1.1.1 E.2) and returns its path. Throws ValueError for a Short Server ID in use. */
export function addServerInstance(engine: LwM2mEngine, options: ServerInstanceOptions): LwM2mPath {
  const registry = engine.registry;
  if (serverInstanceOf(engine, options.ssid) !== undefined) throw new ValueError(`a Server instance with Short Server ID ${options.ssid} exists`);
  const iid = options.iid ?? registry.freeInstanceId(SERVER);
  if (registry.hasInstance(SERVER, iid)) throw new ValueError(`/1/${iid} already exists`);
  return fillInstance(registry, definitionOf(engine, SERVER), iid, serverValues(options));
}

/** What the client keeps up to date in the Server object. */
export class ServerObject {
  readonly #engine: LwM2mEngine;
  readonly #off: () => void;

  constructor(engine: LwM2mEngine) {
    this.#engine = engine;
    const onFinish = (): void => {
      this.markBootstrapped();
    };
    engine.on('bootstrap-finish', onFinish);
    this.#off = () => engine.off('bootstrap-finish', onFinish);
  }

  /** Sets Last Bootstrapped (/1/x/12) of every Server instance to now (done on Bootstrap-Finish). */
  markBootstrapped(at: Date = new Date(this.#engine.clock.wallTime())): void {
    const reg = this.#engine.registry;
    if (!hasResource(definitionOf(this.#engine, SERVER), 12)) return;
    const seconds = new Date(Math.floor(at.getTime() / 1000) * 1000);
    reg.lock();
    try {
      for (const iid of reg.instanceIds(SERVER)) reg.set(LwM2mPath.of(SERVER, iid, 12), seconds);
    } finally {
      reg.unlock();
    }
  }

  /** Records the last TLS/DTLS alert (RFC 5246 7.2 AlertDescription) received from server `ssid` (/1/x/11). */
  setAlertCode(ssid: number, alert: number): void {
    const iid = serverInstanceOf(this.#engine, ssid);
    if (iid === undefined || !hasResource(definitionOf(this.#engine, SERVER), 11)) return;
    this.#engine.registry.set(LwM2mPath.of(SERVER, iid, 11), alert);
  }

  /** Enables or disables Send to server `ssid` (/1/x/23). */
  setMuteSend(ssid: number, muted: boolean): void {
    const iid = serverInstanceOf(this.#engine, ssid);
    if (iid === undefined) throw new ValueError(`no Server instance with Short Server ID ${ssid}`);
    this.#engine.registry.set(LwM2mPath.of(SERVER, iid, 23), muted);
  }

  /** Stops listening to the engine. */
  dispose(): void {
    this.#off();
  }
}

/** Installs the Server object's client-side upkeep (Last Bootstrapped on Bootstrap-Finish, alert codes). */
export function installServer(engine: LwM2mEngine): ServerObject {
  engine.registry.supportObject(SERVER);
  return new ServerObject(engine);
}
