/**
 * The data model of the command-line client, built with the standard objects (client/objects): the
 * server or bootstrap-server account from the options (Security/Server, LwM2M Core 1.1.1 E.1, E.2),
 * Device (E.4), Connectivity Monitoring (4), Connectivity Statistics (7), Binary App Data Container
 * (19), and a simulated Temperature sensor (IPSO 3303/0). Executables that would touch hardware
 * (Reboot, Factory Reset) only log what they would do. `lwm2m simulate` uses the small model:
 * accounts, Device and the sensor only.
 */
import { freemem, hostname, totalmem } from 'node:os';
import type { LwM2mClient } from '../client/client.ts';
import { installStandardObjects, type SecurityCredentials, type StandardObjects } from '../client/objects/index.ts';
import { SecurityModeId, type ClientConfig, type SecuritySettings } from './client-options.ts';
import { TemperatureSensors } from './sensor-drift.ts';

export const PACKAGE_VERSION = '0.1.0';

/** The Security object values of the DTLS options. */
export function securityCredentials(s: SecuritySettings): SecurityCredentials {
  switch (s.mode) {
    case SecurityModeId.nosec:
      return { securityMode: s.mode };
    case SecurityModeId.psk:
      return { securityMode: s.mode, pskIdentity: s.publicKeyOrIdentity, pskKey: s.secretKey };
    default:
      return { securityMode: s.mode, publicKeyOrIdentity: s.publicKeyOrIdentity, serverPublicKey: s.serverPublicKey, secretKey: s.secretKey, certificateUsage: s.certificateUsage };
  }
}

export interface DeviceModel {
  readonly objects: StandardObjects;
  readonly temperatures: TemperatureSensors;
  dispose(): void;
}

/** The options that shape the model. */
export type DeviceModelConfig = Pick<ClientConfig, 'serverUri' | 'bootstrap' | 'lifetime' | 'version' | 'queue' | 'security'>;

export interface DeviceModelOptions {
  /** Connectivity Monitoring, Connectivity Statistics and Binary App Data Container as well (default true). */
  readonly extras?: boolean;
  /** /3/0/2 (default host name and process id). */
  readonly serialNumber?: string;
  /** /3/0/1 (default lwm2m-cli). */
  readonly modelNumber?: string;
}

/** Installs the objects on `client`; `log` reports simulated actions. */
export function installDeviceModel(client: LwM2mClient, config: DeviceModelConfig, log: (line: string) => void, options: DeviceModelOptions = {}): DeviceModel {
  const uri = config.serverUri;
  const credentials = securityCredentials(config.security);
  const kb = (bytes: number): number => Math.floor(bytes / 1000);
  const extras = options.extras ?? true;
  const objects = installStandardObjects(client.engine, {
    device: {
      manufacturer: 'lwm2m-ts',
      modelNumber: options.modelNumber ?? 'lwm2m-cli',
      serialNumber: options.serialNumber ?? `${hostname()}-${process.pid}`,
      firmwareVersion: PACKAGE_VERSION,
      softwareVersion: `Node.js ${process.version}`,
      deviceType: 'simulated device',
      batteryLevel: 100,
      memoryFree: kb(freemem()),
      memoryTotal: kb(totalmem()),
      supportedBindings: config.queue ? 'UQ' : 'U',
    },
    ...(uri === undefined
      ? {}
      : config.bootstrap
        ? { bootstrap: { uri, ...credentials } }
        : { servers: [{ uri, ssid: 1, lifetime: config.lifetime, binding: config.queue && config.version === '1.0' ? 'UQ' : 'U', ...credentials }] }),
    connectivityMonitoring: extras,
    connectivityStatistics: extras,
    binaryAppDataContainer: extras,
  });
  objects.device.onReboot(() => {
    log('device: Reboot executed (simulated: nothing restarts)');
  });
  objects.device.onFactoryReset(() => {
    log('device: Factory Reset executed (simulated: nothing is erased)');
  });
  const temperatures = new TemperatureSensors(client.engine);
  if (!client.registry.hasInstance(3303, 0)) temperatures.create({ iid: 0, value: 21.5, minRange: -40, maxRange: 85 });
  return {
    objects,
    temperatures,
    dispose: () => {
      temperatures.dispose();
      objects.dispose();
    },
  };
}
