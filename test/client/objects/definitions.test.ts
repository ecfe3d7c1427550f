/**
 * Cross-check: every object this module ships, installed on an engine of each enabler version,
 * holds only resources its definition has, with values of the definition's type, and presents
 * every mandatory readable or executable resource; and the same against the OMA registry's DDF file
 * of that object and version (../shared/lwm2m-registry; skipped only where the registry is absent,
 * as in test/model/registry.test.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  installAccelerometer,
  installBinaryAppDataContainer,
  installBuzzer,
  installEventLog,
  installFillingLevel,
  installLightControl,
  installMagnetometer,
  installOnOffSwitch,
  installPortfolio,
  installPushButton,
  installSensor,
  installSoftwareManagement,
  installStandardObjects,
  installTime,
  installTimer,
  SensorObject,
} from '../../../src/client/objects/index.ts';
import type { LwM2mEngine } from '../../../src/dm/engine.ts';
import { isInstances } from '../../../src/dm/registry.ts';
import { parseDdf } from '../../../src/model/ddf.ts';
import type { ObjectDefinition } from '../../../src/model/object-definition.ts';
import { valueTypeOf, type ResourceValue } from '../../../src/model/resource-type.ts';
import { makeEngine } from './_engine.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const registry = resolve(repoRoot, '../shared/lwm2m-registry');
const skip = existsSync(registry) ? false : `registry not present at ${registry}`;

const SHIPPED = [0, 1, 2, 3, 4, 5, 6, 7, 9, 16, 19, 20, 3300, 3303, 3304, 3311, 3313, 3314, 3316, 3317, 3323, 3333, 3338, 3340, 3342, 3347, 3435];

/** An engine with every object of this module installed. */
function everything(version: '1.0' | '1.1' | '1.2'): LwM2mEngine {
  const { engine } = makeEngine(version);
  const objects = installStandardObjects(engine, {
    bootstrap: { uri: 'coap://bs.example' },
    servers: [
      { uri: 'coaps://a.example', ssid: 1, pskIdentity: 'dev', pskKey: Uint8Array.of(1, 2, 3) },
      { uri: 'coap://b.example', ssid: 2 },
    ],
    device: { manufacturer: 'm', modelNumber: 'n', serialNumber: 's', firmwareVersion: 'f', batteryLevel: 50, batteryStatus: 0, memoryFree: 1, memoryTotal: 2, deviceType: 't', hardwareVersion: 'h', softwareVersion: 'v', extDevInfo: [{ oid: 3, iid: 1 }], timezone: 'Europe/Paris' },
    connectivityMonitoring: { linkQuality: 1, routerIpAddresses: ['10.0.0.1'], linkUtilization: 3, apn: ['a'], cellId: 1, smnc: 1, smcc: 1, signalSnr: 1, lac: 1 },
    firmware: { sink: { write: () => undefined }, onUpdate: () => undefined },
    location: { latitude: 1, longitude: 2, altitude: 3, radius: 4, speed: 5, velocity: Uint8Array.of(0, 0, 0, 0) },
    connectivityStatistics: true,
    binaryAppDataContainer: true,
  });
  objects.device.onFactoryReset(() => undefined);
  installBinaryAppDataContainer(engine).append(0, Uint8Array.of(1));
  installSoftwareManagement(engine, { sink: { write: () => undefined }, name: 'pkg', version: '1' });
  installPortfolio(engine, { identities: ['x'], getAuthData: () => [] });
  installEventLog(engine, { start: true });
  for (const oid of Object.values(SensorObject)) installSensor(engine, oid, { value: 1, minRange: 0, maxRange: 10, timestamps: true, applicationType: 'a' });
  installAccelerometer(engine, { timestamps: true, minRange: -1, maxRange: 1 });
  installMagnetometer(engine, { timestamps: true });
  installLightControl(engine, { dimmer: 1, colour: 'red' });
  installTime(engine);
  installBuzzer(engine, { delayDuration: 1, level: 1 });
  installTimer(engine);
  installOnOffSwitch(engine, { timestamps: true });
  installPushButton(engine, { timestamps: true });
  installFillingLevel(engine, { containerHeight: 100, highThreshold: 90, lowThreshold: 10, containerWidth: 1, installationType: 'x', volumeMax: 1, sensorPosition: 'top', materials: 'glass' });
  objects.dispose();
  return engine;
}

interface Problem {
  readonly where: string;
  readonly what: string;
}

/** Checks the instances of `oid` against `def`: resources exist with the right type, mandatory ones are present. */
function check(engine: LwM2mEngine, def: ObjectDefinition): Problem[] {
  const reg = engine.registry;
  const problems: Problem[] = [];
  const oid = def.id;
  for (const iid of reg.instanceIds(oid)) {
    const present = new Set(reg.presentResources(oid, iid));
    for (const rid of present) {
      const rdef = def.resources.get(rid);
      const where = `/${oid}/${iid}/${rid}`;
      if (rdef === undefined) {
        problems.push({ where, what: 'not in the definition' });
        continue;
      }
      if (rdef.type === 'none') continue;
      const data = reg.readResource(oid, iid, rid);
      if (data === undefined) continue;
      if (isInstances(data) !== rdef.multiple) problems.push({ where, what: `multiple is ${String(isInstances(data))}, definition says ${String(rdef.multiple)}` });
      const values: ResourceValue[] = isInstances(data) ? [...data.values()] : [data];
      for (const v of values) {
        const t = valueTypeOf(v);
        const fits = t === rdef.type || (t === 'integer' && rdef.type === 'unsigned') || (t === 'integer' && rdef.type === 'float') || (t === 'string' && rdef.type === 'corelnk');
        if (!fits) problems.push({ where, what: `a ${t} value for a ${rdef.type} resource` });
      }
    }
    for (const rdef of def.resources.values()) {
      // Write-only resources (Package) hold no data to present; their presence is that writes are taken.
      if (!rdef.mandatory || rdef.operations === 'W') continue;
      if (!present.has(rdef.id)) problems.push({ where: `/${oid}/${iid}/${rdef.id}`, what: `mandatory ${rdef.name} is missing` });
    }
  }
  return problems;
}

for (const version of ['1.0', '1.1', '1.2'] as const) {
  test(`LwM2M ${version}: every shipped object validates against its built-in definition`, () => {
    const engine = everything(version);
    const reg = engine.registry;
    for (const oid of SHIPPED) {
      const def = reg.definition(oid)!;
      assert.ok(reg.instanceCount(oid) > 0, `object ${oid} has an instance`);
      assert.deepEqual(check(engine, def), [], `object ${oid} ${def.version}`);
    }
  });

  test(`LwM2M ${version}: every shipped object validates against its DDF file in the OMA registry`, { skip }, () => {
    const engine = everything(version);
    const reg = engine.registry;
    for (const oid of SHIPPED) {
      const version = reg.definition(oid)!.version;
      const history = join(registry, 'version_history', `${oid}-${version.replace('.', '_')}.xml`);
      const file = existsSync(history) ? history : join(registry, `${oid}.xml`);
      const [ddf] = parseDdf(readFileSync(file), { source: file });
      assert.ok(ddf !== undefined && ddf.version === version, `${file} is object ${oid} version ${version}`);
      assert.deepEqual(check(engine, ddf), [], `object ${oid} ${version} against ${file}`);
    }
  });
}

test('the check itself finds a missing mandatory resource, a resource the definition lacks and a wrong type', () => {
  const engine = everything('1.1');
  engine.registry.delete('/3/0/16');
  const device = engine.registry.definition(3)!;
  assert.deepEqual(check(engine, device), [{ where: '/3/0/16', what: 'mandatory Supported Binding and Modes is missing' }]);
  const resources = new Map(device.resources);
  resources.delete(17);
  resources.set(9, { ...device.resources.get(9)!, type: 'string' });
  const altered: ObjectDefinition = { ...device, resources };
  assert.deepEqual(check(engine, altered), [
    { where: '/3/0/9', what: 'a integer value for a string resource' },
    { where: '/3/0/17', what: 'not in the definition' },
    { where: '/3/0/16', what: 'mandatory Supported Binding and Modes is missing' },
  ]);
});
