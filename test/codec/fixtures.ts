/**
 * Object definitions for the codec tests, written from the OMA registry (LwM2M Core 1.1/1.2 Appendix
 * E and the OMNA DDF files): Device (3), LwM2M Server (1), Access Control (2), Firmware Update (5),
 * Temperature (3303), objects 65 and 66 of the LwM2M 1.0.1 object-link example (figure 28), and an
 * "all types" object (9000) with one single and one multi-instance resource of every type.
 */
import type { DefinitionLookup, ObjectDefinition, Operations, RangeConstraint, ResourceDefinition } from '../../src/model/object-definition.ts';
import type { ResourceType } from '../../src/model/resource-type.ts';

type Res = [id: number, name: string, ops: Operations, multiple: boolean, type: ResourceType, range?: RangeConstraint];

const num = (min: number | bigint, max: number | bigint): RangeConstraint => ({ kind: 'numeric', min, max });

function object(id: number, name: string, version: string, multiple: boolean, resources: Res[]): ObjectDefinition {
  const map = new Map<number, ResourceDefinition>();
  for (const [rid, rname, operations, rmultiple, type, range] of resources) {
    map.set(rid, { id: rid, name: rname, operations, multiple: rmultiple, mandatory: false, type, ...(range ? { range } : {}) });
  }
  return { id, name, version, multiple, mandatory: false, resources: map };
}

export const DEVICE = object(3, 'Device', '1.2', false, [
  [0, 'Manufacturer', 'R', false, 'string'],
  [1, 'Model Number', 'R', false, 'string'],
  [2, 'Serial Number', 'R', false, 'string'],
  [3, 'Firmware Version', 'R', false, 'string'],
  [4, 'Reboot', 'E', false, 'none'],
  [5, 'Factory Reset', 'E', false, 'none'],
  [6, 'Available Power Sources', 'R', true, 'integer', num(0, 7)],
  [7, 'Power Source Voltage', 'R', true, 'integer'],
  [8, 'Power Source Current', 'R', true, 'integer'],
  [9, 'Battery Level', 'R', false, 'integer', num(0, 100)],
  [10, 'Memory Free', 'R', false, 'integer'],
  [11, 'Error Code', 'R', true, 'integer', num(0, 32)],
  [12, 'Reset Error Code', 'E', false, 'none'],
  [13, 'Current Time', 'RW', false, 'time'],
  [14, 'UTC Offset', 'RW', false, 'string'],
  [15, 'Timezone', 'RW', false, 'string'],
  [16, 'Supported Binding and Modes', 'R', false, 'string'],
  [17, 'Device Type', 'R', false, 'string'],
  [18, 'Hardware Version', 'R', false, 'string'],
  [19, 'Software Version', 'R', false, 'string'],
  [20, 'Battery Status', 'R', false, 'integer', num(0, 6)],
  [21, 'Memory Total', 'R', false, 'integer'],
  [22, 'ExtDevInfo', 'R', true, 'objlnk'],
]);

export const SERVER = object(1, 'LwM2M Server', '1.2', true, [
  [0, 'Short Server ID', 'R', false, 'integer', num(1, 65534)],
  [1, 'Lifetime', 'RW', false, 'integer'],
  [2, 'Default Minimum Period', 'RW', false, 'integer'],
  [3, 'Default Maximum Period', 'RW', false, 'integer'],
  [4, 'Disable', 'E', false, 'none'],
  [5, 'Disable Timeout', 'RW', false, 'integer'],
  [6, 'Notification Storing When Disabled or Offline', 'RW', false, 'boolean'],
  [7, 'Binding', 'RW', false, 'string'],
  [8, 'Registration Update Trigger', 'E', false, 'none'],
  [10, 'APN Link', 'RW', false, 'objlnk'],
  [11, 'TLS-DTLS Alert Code', 'R', false, 'unsigned', num(0, 255)],
  [12, 'Last Bootstrapped', 'R', false, 'time'],
  [13, 'Registration Priority Order', 'R', false, 'unsigned'],
  [16, 'Bootstrap on Registration Failure', 'R', false, 'boolean'],
  [24, 'Alternate APN Links', 'RW', true, 'objlnk'],
]);

export const ACCESS_CONTROL = object(2, 'LwM2M Access Control', '1.1', true, [
  [0, 'Object ID', 'R', false, 'integer', num(1, 65534)],
  [1, 'Object Instance ID', 'R', false, 'integer', num(0, 65535)],
  [2, 'ACL', 'RW', true, 'integer', num(0, 31)],
  [3, 'Access Control Owner', 'RW', false, 'integer', num(0, 65535)],
]);

export const FIRMWARE = object(5, 'Firmware Update', '1.2', false, [
  [0, 'Package', 'W', false, 'opaque'],
  [1, 'Package URI', 'RW', false, 'string', { kind: 'length', min: 0, max: 255 }],
  [2, 'Update', 'E', false, 'none'],
  [3, 'State', 'R', false, 'integer', num(0, 3)],
  [5, 'Update Result', 'R', false, 'integer', num(0, 11)],
  [13, 'Maximum Defer Period', 'RW', false, 'unsigned'],
]);

export const SECURITY = object(0, 'LWM2M Security', '1.2', true, [
  [0, 'LWM2M Server URI', '', false, 'string', { kind: 'length', min: 0, max: 255 }],
  [1, 'Bootstrap-Server', '', false, 'boolean'],
  [2, 'Security Mode', '', false, 'integer', num(0, 4)],
  [3, 'Public Key or Identity', '', false, 'opaque'],
  [10, 'Short Server ID', '', false, 'integer', num(1, 65534)],
  [16, 'DTLS/TLS Ciphersuite', '', true, 'unsigned'],
]);

export const TEMPERATURE = object(3303, 'Temperature', '1.1', true, [
  [5700, 'Sensor Value', 'R', false, 'float'],
  [5601, 'Min Measured Value', 'R', false, 'float'],
  [5602, 'Max Measured Value', 'R', false, 'float'],
  [5701, 'Sensor Units', 'R', false, 'string'],
  [5605, 'Reset Min and Max Measured Values', 'E', false, 'none'],
  [5518, 'Timestamp', 'R', false, 'time'],
  [6050, 'Fractional Timestamp', 'R', false, 'float', num(0, 1)],
]);

/** LwM2M 1.0.1 figure 28: object 65 links to instances of object 66, which links on to 67. */
export const OBJ65 = object(65, 'object link tests 65', '1.0', true, [
  [0, 'res0', 'R', true, 'objlnk'],
  [1, 'res1', 'R', false, 'string'],
  [2, 'res2', 'R', false, 'integer'],
]);

export const OBJ66 = object(66, 'object link tests 66', '1.0', true, [
  [0, 'res0', 'R', false, 'string'],
  [1, 'res1', 'R', false, 'string'],
  [2, 'res2', 'R', false, 'objlnk'],
]);

/** Resource ids of object 9000: single-instance resource of each type; +10 is its multi-instance twin. */
export const ALL = {
  string: 0,
  integer: 1,
  unsigned: 2,
  float: 3,
  boolean: 4,
  opaque: 5,
  time: 6,
  objlnk: 7,
  corelnk: 8,
} as const;
export const EXEC = 9;

export const ALL_TYPES = object(9000, 'All Types', '1.0', true, [
  ...Object.entries(ALL).map(([t, id]): Res => [id, `single ${t}`, 'RW', false, t as ResourceType]),
  ...Object.entries(ALL).map(([t, id]): Res => [id + 10, `multiple ${t}`, 'RW', true, t as ResourceType]),
  [EXEC, 'exec', 'E', false, 'none'],
  [20, 'small integer', 'RW', false, 'integer', num(0, 7)],
  [21, 'short string', 'RW', false, 'string', { kind: 'length', min: 1, max: 4 }],
  [22, 'enumerated', 'RW', false, 'integer', { kind: 'enum', values: [1, 5, 9] }],
  [23, 'ratio', 'RW', false, 'float', num(0, 1)],
]);

export const OBJECTS: readonly ObjectDefinition[] = [SECURITY, SERVER, ACCESS_CONTROL, DEVICE, FIRMWARE, TEMPERATURE, OBJ65, OBJ66, ALL_TYPES];

const byId = new Map(OBJECTS.map((o) => [o.id, o]));

export const definitions: DefinitionLookup = {
  object: (oid) => byId.get(oid),
};

/** Hex (whitespace ignored) to bytes. */
export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Records as plain data for deepStrictEqual: path strings, values as they are, time when present. */
export function plain(records: readonly { path: { toString(): string }; value: unknown; time?: number }[]): unknown[] {
  return records.map((r) => (r.time === undefined ? { path: r.path.toString(), value: r.value } : { path: r.path.toString(), value: r.value, time: r.time }));
}
