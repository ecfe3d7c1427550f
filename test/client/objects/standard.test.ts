/** installStandardObjects: what the facade gets by default and with options. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installStandardObjects } from '../../../src/client/objects/index.ts';
import { makeEngine } from './_engine.ts';

test('by default: Security and Server supported, the accounts given, Device; nothing optional', () => {
  const { engine } = makeEngine();
  const objects = installStandardObjects(engine, { servers: [{ uri: 'coap://127.0.0.1:5683', ssid: 1, lifetime: 60 }] });
  assert.deepEqual(engine.registry.objectIds(), [0, 1, 3]);
  assert.equal(engine.registrationLinks(), '</>;rt="oma.lwm2m";ct=112,</1>;ver=1.1,</1/0>,</3>;ver=1.1,</3/0>');
  assert.equal(engine.registry.get('/1/0/1'), 60);
  assert.equal(objects.firmware, undefined);
  assert.notEqual(objects.accessControl, undefined, 'installed, passive with one server');
  objects.dispose();
});

test('optional objects by option; accessControl: false leaves object 2 alone', () => {
  const { engine } = makeEngine();
  const objects = installStandardObjects(engine, {
    bootstrap: { uri: 'coap://bs:5683' },
    servers: [
      { uri: 'coap://a', ssid: 1 },
      { uri: 'coap://b', ssid: 2 },
    ],
    accessControl: false,
    connectivityMonitoring: true,
    location: true,
    connectivityStatistics: { collectionPeriod: 30 },
    binaryAppDataContainer: true,
    firmware: { sink: { write: () => undefined }, delivery: 'pull', protocols: ['coap'] },
  });
  assert.deepEqual(engine.registry.objectIds(), [0, 1, 3, 4, 5, 6, 7, 19]);
  assert.equal(engine.registry.instanceCount(0), 3);
  assert.equal(engine.registry.instanceCount(2), 0);
  assert.equal(engine.registry.get('/7/0/8'), 30);
  assert.equal(engine.registry.get('/5/0/9'), 0);
  assert.equal(objects.location?.constructor.name, 'LocationObject');
  objects.dispose();
});
