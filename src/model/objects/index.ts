import type { DefinedObject } from '../define-object.ts';
import { ACCESS_CONTROL_V1_0, ACCESS_CONTROL_V1_1 } from './access-control.ts';
import { BINARY_APP_DATA_CONTAINER_V1_0 } from './binary-app-data-container.ts';
import {
  CONNECTIVITY_MONITORING_V1_0,
  CONNECTIVITY_MONITORING_V1_2,
  CONNECTIVITY_MONITORING_V1_3,
} from './connectivity-monitoring.ts';
import { CONNECTIVITY_STATISTICS_V1_0 } from './connectivity-statistics.ts';
import { DEVICE_V1_0, DEVICE_V1_1, DEVICE_V1_2 } from './device.ts';
import { EVENT_LOG_V2_0, EVENT_LOG_V2_1 } from './event-log.ts';
import { FIRMWARE_UPDATE_V1_0, FIRMWARE_UPDATE_V1_1, FIRMWARE_UPDATE_V1_2 } from './firmware-update.ts';
import { GATEWAY_V1_0, GATEWAY_V2_0 } from './gateway.ts';
import { ACCELEROMETER_V1_1 } from './ipso/accelerometer.ts';
import { BUZZER_V1_1 } from './ipso/buzzer.ts';
import { CURRENT_V1_1 } from './ipso/current.ts';
import { FILLING_LEVEL_V2_0 } from './ipso/filling-level.ts';
import { GENERIC_SENSOR_V1_1 } from './ipso/generic-sensor.ts';
import { HUMIDITY_V1_1 } from './ipso/humidity.ts';
import { LIGHT_CONTROL_V1_0 } from './ipso/light-control.ts';
import { MAGNETOMETER_V1_1 } from './ipso/magnetometer.ts';
import { ON_OFF_SWITCH_V1_1 } from './ipso/on-off-switch.ts';
import { PRESSURE_V1_1 } from './ipso/pressure.ts';
import { PUSH_BUTTON_V1_1 } from './ipso/push-button.ts';
import { TEMPERATURE_V1_1 } from './ipso/temperature.ts';
import { TIME_V1_1 } from './ipso/time.ts';
import { TIMER_V1_0 } from './ipso/timer.ts';
import { VOLTAGE_V1_1 } from './ipso/voltage.ts';
import { LOCATION_V1_0 } from './location.ts';
import { PORTFOLIO_V1_0 } from './portfolio.ts';
import { SECURITY_V1_0, SECURITY_V1_1, SECURITY_V1_2 } from './security.ts';
import { SERVER_V1_0, SERVER_V1_1, SERVER_V1_2 } from './server.ts';
import { SOFTWARE_MANAGEMENT_V1_0 } from './software-management.ts';

// Every shipped definition by name (SECURITY_V1_1, TEMPERATURE, ...), one module per object.
export * from './access-control.ts';
export * from './binary-app-data-container.ts';
export * from './connectivity-monitoring.ts';
export * from './connectivity-statistics.ts';
export * from './device.ts';
export * from './event-log.ts';
export * from './firmware-update.ts';
export * from './gateway.ts';
export * from './ipso/accelerometer.ts';
export * from './ipso/buzzer.ts';
export * from './ipso/current.ts';
export * from './ipso/filling-level.ts';
export * from './ipso/generic-sensor.ts';
export * from './ipso/humidity.ts';
export * from './ipso/light-control.ts';
export * from './ipso/magnetometer.ts';
export * from './ipso/on-off-switch.ts';
export * from './ipso/pressure.ts';
export * from './ipso/push-button.ts';
export * from './ipso/temperature.ts';
export * from './ipso/time.ts';
export * from './ipso/timer.ts';
export * from './ipso/voltage.ts';
export * from './location.ts';
export * from './portfolio.ts';
export * from './security.ts';
export * from './server.ts';
export * from './software-management.ts';

/** LwM2M enabler versions with a built-in object profile. */
export const LWM2M_VERSIONS = ['1.0', '1.1', '1.2'] as const;
/** An enabler version with a built-in profile. */
export type Lwm2mVersion = (typeof LWM2M_VERSIONS)[number];

/** The enabler version a client speaks unless told otherwise (LwM2M Core 1.1.1). */
export const DEFAULT_LWM2M_VERSION: Lwm2mVersion = '1.1';

/** Every built-in definition, every shipped version, ordered by object id then version. */
export const BUILTIN_DEFINITIONS: readonly DefinedObject[] = Object.freeze([
  SECURITY_V1_0,
  SECURITY_V1_1,
  SECURITY_V1_2,
  SERVER_V1_0,
  SERVER_V1_1,
  SERVER_V1_2,
  ACCESS_CONTROL_V1_0,
  ACCESS_CONTROL_V1_1,
  DEVICE_V1_0,
  DEVICE_V1_1,
  DEVICE_V1_2,
  CONNECTIVITY_MONITORING_V1_0,
  CONNECTIVITY_MONITORING_V1_2,
  CONNECTIVITY_MONITORING_V1_3,
  FIRMWARE_UPDATE_V1_0,
  FIRMWARE_UPDATE_V1_1,
  FIRMWARE_UPDATE_V1_2,
  LOCATION_V1_0,
  CONNECTIVITY_STATISTICS_V1_0,
  SOFTWARE_MANAGEMENT_V1_0,
  PORTFOLIO_V1_0,
  BINARY_APP_DATA_CONTAINER_V1_0,
  EVENT_LOG_V2_0,
  EVENT_LOG_V2_1,
  GATEWAY_V1_0,
  GATEWAY_V2_0,
  GENERIC_SENSOR_V1_1,
  TEMPERATURE_V1_1,
  HUMIDITY_V1_1,
  LIGHT_CONTROL_V1_0,
  ACCELEROMETER_V1_1,
  MAGNETOMETER_V1_1,
  VOLTAGE_V1_1,
  CURRENT_V1_1,
  PRESSURE_V1_1,
  TIME_V1_1,
  BUZZER_V1_1,
  TIMER_V1_0,
  ON_OFF_SWITCH_V1_1,
  PUSH_BUTTON_V1_1,
  FILLING_LEVEL_V2_0,
]);

const IPSO: readonly DefinedObject[] = [
  GENERIC_SENSOR_V1_1,
  TEMPERATURE_V1_1,
  HUMIDITY_V1_1,
  LIGHT_CONTROL_V1_0,
  ACCELEROMETER_V1_1,
  MAGNETOMETER_V1_1,
  VOLTAGE_V1_1,
  CURRENT_V1_1,
  PRESSURE_V1_1,
  TIME_V1_1,
  BUZZER_V1_1,
  TIMER_V1_0,
  ON_OFF_SWITCH_V1_1,
  PUSH_BUTTON_V1_1,
  FILLING_LEVEL_V2_0,
];

const SINGLE_VERSION: readonly DefinedObject[] = [
  LOCATION_V1_0,
  CONNECTIVITY_STATISTICS_V1_0,
  SOFTWARE_MANAGEMENT_V1_0,
  PORTFOLIO_V1_0,
  BINARY_APP_DATA_CONTAINER_V1_0,
];

/**
 * The object versions a client of each enabler version uses (and advertises with `ver` in its
 * Register links, LwM2M Core 6.2.1 / 5.1):
 *
 * - '1.0': the 1.0 versions of the core objects (LwM2M 1.0 Appendix E) and Event Log 2.0, the
 *   newest version labelled LWM2MVersion 1.0.
 * - '1.1' (default): the versions LwM2M Core 1.1.1 defines: Security 1.1, Server 1.1, Access
 *   Control 1.0, Device 1.1, Connectivity Monitoring 1.2, Firmware Update 1.1; Event Log 2.1.
 *   The registry's newer revisions (Security 1.2, Device 1.2, Connectivity Monitoring 1.3,
 *   Firmware Update 1.2) came with LwM2M 1.2 (TLS 1.3, MQTT, COSE resources) although some are
 *   labelled LWM2MVersion 1.1; a 1.1 server does not expect them.
 * - '1.2': the newest registry version of every object.
 *
 * - LwM2M Gateway (25): 2.0 (Gateway TS 1.1, labelled LWM2MVersion 1.1) in the 1.1 and 1.2 profiles;
 *   1.0 (Core 1.2 E.12, with the Routing object 26 the Gateway TS dropped) is shipped but in no profile.
 *
 * IPSO objects (33xx, 3435) are labelled LWM2MVersion 1.0 in every version; every profile uses
 * the newest one.
 */
export const BUILTIN_PROFILES: Readonly<Record<Lwm2mVersion, readonly DefinedObject[]>> = Object.freeze({
  '1.0': Object.freeze([
    SECURITY_V1_0,
    SERVER_V1_0,
    ACCESS_CONTROL_V1_0,
    DEVICE_V1_0,
    CONNECTIVITY_MONITORING_V1_0,
    FIRMWARE_UPDATE_V1_0,
    ...SINGLE_VERSION,
    EVENT_LOG_V2_0,
    ...IPSO,
  ]),
  '1.1': Object.freeze([
    SECURITY_V1_1,
    SERVER_V1_1,
    ACCESS_CONTROL_V1_0,
    DEVICE_V1_1,
    CONNECTIVITY_MONITORING_V1_2,
    FIRMWARE_UPDATE_V1_1,
    ...SINGLE_VERSION,
    EVENT_LOG_V2_1,
    GATEWAY_V2_0,
    ...IPSO,
  ]),
  '1.2': Object.freeze([
    SECURITY_V1_2,
    SERVER_V1_2,
    ACCESS_CONTROL_V1_1,
    DEVICE_V1_2,
    CONNECTIVITY_MONITORING_V1_3,
    FIRMWARE_UPDATE_V1_2,
    ...SINGLE_VERSION,
    EVENT_LOG_V2_1,
    GATEWAY_V2_0,
    ...IPSO,
  ]),
});

/** A built-in definition by object id and version, e.g. `builtinDefinition(0, '1.0')`. */
export function builtinDefinition(oid: number, version: string): DefinedObject | undefined {
  return BUILTIN_DEFINITIONS.find((d) => d.id === oid && d.version === version);
}
