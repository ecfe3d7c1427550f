/**
 * Behaviour of the built-in objects (LwM2M Core 1.1.1 Appendix E and the OMA / IPSO registry
 * objects): one module per object, each with an install function taking the engine and returning
 * the application's handle, and `installStandardObjects` for the client facade.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import { installAccessControl, type AccessControlObject, type AccessControlOptions } from './access-control.ts';
import { addBootstrapAccount, addServerAccount, type BootstrapAccountOptions, type ServerAccountOptions } from './accounts.ts';
import { installBinaryAppDataContainer, type BinaryAppDataContainerObject } from './binary-app-data-container.ts';
import { installConnectivityMonitoring, type ConnectivityMonitoringObject, type ConnectivityValues } from './connectivity-monitoring.ts';
import { installConnectivityStatistics, type ConnectivityStatisticsObject, type ConnectivityStatisticsOptions } from './connectivity-statistics.ts';
import { installDevice, type DeviceObject, type DeviceOptions } from './device.ts';
import { installFirmwareUpdate, type FirmwareUpdateObject, type FirmwareUpdateOptions } from './firmware/firmware.ts';
import { installLocation, type LocationFix, type LocationObject } from './location.ts';
import { installServer, type ServerObject } from './server.ts';

export * from './access-control.ts';
export * from './accounts.ts';
export * from './binary-app-data-container.ts';
export * from './connectivity-monitoring.ts';
export * from './connectivity-statistics.ts';
export * from './device.ts';
export { fixedZoneFor, formatUtcOffset, isTimeZone, parseUtcOffset, zoneOffsetMinutes } from './device-time.ts';
export * from './event-log.ts';
export * from './firmware/firmware.ts';
export * from './firmware/state.ts';
export * from './gateway.ts';
export * from './location.ts';
export * from './portfolio.ts';
export * from './security.ts';
export * from './server.ts';
export * from './software-management.ts';
export { download, DownloadError, type DownloadFailure, type DownloadOptions, type DownloadScheme, type DownloadTarget, type CoapDownloadOptions, type HttpDownloadOptions } from './download/index.ts';
export * from './ipso/axes.ts';
export * from './ipso/buzzer.ts';
export * from './ipso/filling-level.ts';
export { IpsoInstance, type IpsoOptions } from './ipso/instance.ts';
export * from './ipso/light-control.ts';
export * from './ipso/on-off-switch.ts';
export * from './ipso/push-button.ts';
export * from './ipso/sensor.ts';
export * from './ipso/time.ts';
export * from './ipso/timer.ts';

/** What `installStandardObjects` installs; every object but Device and Server is opt-in. */
export interface StandardObjectsOptions {
  /** Device (3), always installed. */
  readonly device?: DeviceOptions;
  /** LwM2M Server accounts to create (factory bootstrap): Security + Server instances. */
  readonly servers?: readonly ServerAccountOptions[];
  /** The bootstrap server account. */
  readonly bootstrap?: BootstrapAccountOptions;
  /** Access Control upkeep with several servers (default installed; false leaves object 2 to the bootstrap server). */
  readonly accessControl?: AccessControlOptions | boolean;
  /** Connectivity Monitoring (4): true for the defaults. */
  readonly connectivityMonitoring?: ConnectivityValues | boolean;
  /** Firmware Update (5): needs the application's sink. */
  readonly firmware?: FirmwareUpdateOptions;
  /** Location (6): true for 0, 0 now. */
  readonly location?: LocationFix | boolean;
  /** Connectivity Statistics (7). */
  readonly connectivityStatistics?: ConnectivityStatisticsOptions | boolean;
  /** BinaryAppDataContainer (19), supported without instances. */
  readonly binaryAppDataContainer?: boolean;
}

/** The handles of what `installStandardObjects` installed. */
export interface StandardObjects {
  readonly device: DeviceObject;
  readonly server: ServerObject;
  readonly accessControl: AccessControlObject | undefined;
  readonly connectivityMonitoring: ConnectivityMonitoringObject | undefined;
  readonly firmware: FirmwareUpdateObject | undefined;
  readonly location: LocationObject | undefined;
  readonly connectivityStatistics: ConnectivityStatisticsObject | undefined;
  readonly binaryAppDataContainer: BinaryAppDataContainerObject | undefined;
  /** Stops the objects' timers and transfers and their engine listeners. */
  dispose(): void;
}

function optionsOf<T extends object>(v: T | boolean | undefined): T | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? ({} as T) : v;
}

/**
 * Installs the standard objects on an engine (the client facade calls it once): Security and Server
 * support with the given accounts, Device, and the optional objects asked for. Returns their handles.
 */
export function installStandardObjects(engine: LwM2mEngine, options: StandardObjectsOptions = {}): StandardObjects {
  const reg = engine.registry;
  reg.supportObject(0);
  const server = installServer(engine);
  if (options.bootstrap !== undefined) addBootstrapAccount(engine, options.bootstrap);
  for (const account of options.servers ?? []) addServerAccount(engine, account);
  const device = installDevice(engine, options.device);
  const acOptions = options.accessControl === undefined ? {} : optionsOf(options.accessControl);
  const accessControl = acOptions === undefined ? undefined : installAccessControl(engine, acOptions);
  const cm = optionsOf(options.connectivityMonitoring);
  const connectivityMonitoring = cm === undefined ? undefined : installConnectivityMonitoring(engine, cm);
  const firmware = options.firmware === undefined ? undefined : installFirmwareUpdate(engine, options.firmware);
  const location = options.location === undefined || options.location === false ? undefined : installLocation(engine, options.location === true ? undefined : options.location);
  const cs = optionsOf(options.connectivityStatistics);
  const connectivityStatistics = cs === undefined ? undefined : installConnectivityStatistics(engine, cs);
  const binaryAppDataContainer = options.binaryAppDataContainer === true ? installBinaryAppDataContainer(engine) : undefined;
  return {
    device,
    server,
    accessControl,
    connectivityMonitoring,
    firmware,
    location,
    connectivityStatistics,
    binaryAppDataContainer,
    dispose: () => {
      server.dispose();
      accessControl?.dispose();
      firmware?.dispose();
      connectivityStatistics?.dispose();
      binaryAppDataContainer?.dispose();
    },
  };
}
