/** Connectivity Monitoring, Location, Connectivity Statistics, Portfolio, BinaryAppDataContainer, Event Log, package URIs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoapOption } from '../../../src/coap/message.ts';
import { getStringOptions, getOption } from '../../../src/coap/options.ts';
import { requestOptions } from '../../../src/client/objects/download/coap.ts';
import { parsePackageUri } from '../../../src/client/objects/download/uri.ts';
import {
  AuthStatus,
  DownloadError,
  encodeHorizontalVelocity,
  hostIpAddresses,
  installBinaryAppDataContainer,
  installConnectivityMonitoring,
  installConnectivityStatistics,
  installEventLog,
  installLocation,
  installPortfolio,
  NetworkBearer,
} from '../../../src/client/objects/index.ts';
import { LwM2mStatusError, ValueError } from '../../../src/errors.ts';
import { execute, flush, makeEngine, serverWrite } from './_engine.ts';

test('Connectivity Monitoring: defaults from the host, updates in one change', () => {
  const { engine } = makeEngine();
  const cm = installConnectivityMonitoring(engine);
  const ips = hostIpAddresses();
  const stored = [...(engine.registry.get('/4/0/4') as Map<number, string>).values()];
  assert.deepEqual(stored, ips.length > 0 ? ips : ['127.0.0.1']);
  assert.equal(engine.registry.get('/4/0/0'), NetworkBearer.ethernet);
  const batches: number[] = [];
  engine.registry.on('change', (p) => batches.push(p.length));
  cm.update({ networkBearer: NetworkBearer.nbIot, radioSignalStrength: -97, cellId: 1234, apn: ['iot.example'] });
  assert.deepEqual(batches, [4]);
  assert.equal(engine.registry.get('/4/0/2'), -97);
});

test('Location: a fix with its timestamp; Horizontal Velocity per 3GPP TS 23.032', () => {
  const { engine, clock } = makeEngine();
  const loc = installLocation(engine, { latitude: 48.1, longitude: 11.6 });
  assert.equal((engine.registry.get('/6/0/5') as Date).getTime(), clock.wallTime());
  loc.update({ latitude: -43.5723, longitude: 153.2176, altitude: 12, velocity: { bearing: 300, horizontalSpeedKmh: 50 } });
  assert.deepEqual(engine.registry.get('/6/0/4'), Uint8Array.of(0x01, 0x2c, 0x00, 0x32));
  assert.deepEqual(encodeHorizontalVelocity(0, 65535), Uint8Array.of(0, 0, 0xff, 0xff));
  assert.throws(() => loc.update({ latitude: 91, longitude: 0 }), ValueError);
  assert.throws(() => encodeHorizontalVelocity(10, 70000), ValueError);
});

test('Connectivity Statistics: Start resets and collects (from the traffic source and recorded messages), Stop freezes, the period stops', () => {
  const { engine, clock } = makeEngine();
  let totals = { bytesSent: 5000, bytesReceived: 7000, datagramsSent: 10, datagramsReceived: 12 };
  const stats = installConnectivityStatistics(engine, { trafficSource: () => totals, ipOverhead: 28 });
  const read = (rid: number): unknown => engine.registry.readResource(7, 0, rid);
  stats.recordTx(999);
  assert.equal(read(2), 0, 'nothing counted before Start');
  execute(engine, '/7/0/6');
  totals = { bytesSent: 5000 + 3000, bytesReceived: 7000 + 1000, datagramsSent: 12, datagramsReceived: 13 };
  stats.recordTx(1200);
  stats.recordRx(300);
  stats.recordSms('tx');
  assert.equal(read(2), Math.floor((3000 + 2 * 28 + 1200) / 1000));
  assert.equal(read(3), Math.floor((1000 + 28 + 300) / 1000));
  assert.equal(read(4), 1200);
  assert.equal(read(5), Math.round((3000 + 56 + 1200 + 1000 + 28 + 300) / (2 + 3)));
  assert.equal(read(0), 1);
  execute(engine, '/7/0/7');
  totals = { bytesSent: 99_999, bytesReceived: 99_999, datagramsSent: 99, datagramsReceived: 99 };
  stats.recordTx(5000);
  assert.equal(read(2), 4, 'frozen at Stop');
  void serverWrite(engine, '/7/0/8', 60);
  execute(engine, '/7/0/6');
  assert.equal(read(2), 0, 'Start resets 0..5');
  clock.advance(59_000);
  assert.equal(stats.collecting, true);
  clock.advance(1000);
  assert.equal(stats.collecting, false, 'the Collection Period ended it');
  stats.dispose();
});

test('Portfolio: GetAuthData fills AuthData after the response; AuthStatus returns to IDLE once it was read', async () => {
  const { engine } = makeEngine();
  const p = installPortfolio(engine, { identities: ['host-id', 'host-maker'] });
  assert.throws(() => execute(engine, '/16/0/1'), (e: unknown) => e instanceof LwM2mStatusError && e.coapCode === 0xa1);
  p.onGetAuthData((args, ids) => [new TextEncoder().encode(`${args.raw}|${ids.join(',')}`)]);
  execute(engine, '/16/0/1', "0='sim'");
  assert.equal(engine.registry.get('/16/0/3'), AuthStatus.IDLE);
  await flush();
  assert.equal(engine.registry.get('/16/0/3'), AuthStatus.DATA_AVAILABLE);
  engine.registry.readResource(16, 0, 2);
  await flush();
  assert.equal(engine.registry.get('/16/0/3'), AuthStatus.IDLE);
  assert.equal(new TextDecoder().decode((engine.registry.get('/16/0/2') as Map<number, Uint8Array>).get(0)), "0='sim'|host-id,host-maker");
  p.onGetAuthData(() => Promise.reject(new Error('no secure element')));
  const errors: Error[] = [];
  p.on('error', (e) => errors.push(e));
  execute(engine, '/16/0/1');
  await flush();
  await flush();
  assert.equal(engine.registry.get('/16/0/3'), AuthStatus.ERROR);
  assert.equal(errors.length, 1);
});

test('BinaryAppDataContainer: appended data instances with creation time; server writes reach the application', async () => {
  const { engine, clock } = makeEngine();
  const c = installBinaryAppDataContainer(engine);
  assert.deepEqual(engine.registry.objectIds().includes(19), true, 'supported without instances');
  const iid = c.create({ description: 'meter reading', format: 'UTF8-string', priority: 1 });
  const path = c.append(iid, Uint8Array.of(1, 2));
  c.append(iid, Uint8Array.of(3));
  assert.equal(path.toString(), '/19/0/0/0');
  assert.deepEqual([...c.data(iid).keys()], [0, 1]);
  assert.equal((engine.registry.get('/19/0/2') as Date).getTime(), clock.wallTime());
  const got: string[] = [];
  c.on('data', (e) => got.push(`${e.path.toString()}=${Buffer.from(e.data).toString('hex')}@${String(e.ssid)}`));
  engine.registry.commitWrites([{ oid: 19, iid, rid: 0, instances: new Map([[5, Uint8Array.of(0xab)]]), mode: 'merge' }], { source: 'server', ssid: 3 });
  assert.deepEqual(got, ['/19/0/0/5=ab@3']);
  c.clear(iid);
  assert.equal(c.data(iid).size, 0);
});

test('Event Log: LogStart / LogStop with their arguments, LogStatus bits, bounded LogData', () => {
  const { engine } = makeEngine();
  const log = installEventLog(engine, { maxBytes: 8 });
  assert.equal(log.append('x'), false, 'stopped at first');
  assert.equal(engine.registry.get('/20/0/4013'), 1);
  execute(engine, '/20/0/4011');
  log.append('abc');
  assert.equal(engine.registry.get('/20/0/4013'), 2, 'running, holds data');
  execute(engine, '/20/0/4012');
  assert.equal(engine.registry.get('/20/0/4013'), 3, 'stopped, data kept');
  execute(engine, '/20/0/4011', "0='1'");
  log.append('defghij');
  assert.equal(Buffer.from(log.data).toString(), 'cdefghij', 'extended, and bounded to the newest 8 bytes');
  log.reportError();
  assert.equal(engine.registry.get('/20/0/4013'), 6);
  execute(engine, '/20/0/4012', "0='1'");
  assert.equal(log.data.length, 0, 'stop with 1 empties');
  assert.equal(engine.registry.get('/20/0/4013'), 5);
});

test('package URIs: schemes, hosts, and the CoAP options they become', () => {
  const u = parsePackageUri('coap://fw.example:5999/images/app%20v2.bin?rev=3&x');
  assert.deepEqual([u.scheme, u.host, u.port], ['coap', 'fw.example', 5999]);
  const o = requestOptions(u);
  assert.deepEqual(getStringOptions(o, CoapOption.URI_PATH), ['images', 'app v2.bin']);
  assert.deepEqual(getStringOptions(o, CoapOption.URI_QUERY), ['rev=3', 'x']);
  assert.deepEqual(getStringOptions(o, CoapOption.URI_HOST), ['fw.example']);
  assert.equal(getOption(requestOptions(parsePackageUri('coaps://[::1]/fw')), CoapOption.URI_HOST), undefined, 'no Uri-Host for an IP literal');
  assert.equal(parsePackageUri('coaps://[::1]/fw').port, 5684);
  assert.equal(parsePackageUri('https://h/fw').port, 443);
  const reason = (uri: string, schemes?: ReadonlySet<'coap' | 'coaps' | 'http' | 'https'>): string => {
    try {
      parsePackageUri(uri, schemes);
      return 'ok';
    } catch (e) {
      return (e as DownloadError).reason;
    }
  };
  assert.equal(reason('::'), 'invalid-uri');
  assert.equal(reason('coap:///x'), 'invalid-uri');
  assert.equal(reason('coap://user@h/x'), 'invalid-uri');
  assert.equal(reason('ftp://h/x'), 'unsupported-protocol');
  assert.equal(reason('coap+tcp://h/x'), 'unsupported-protocol');
  assert.equal(reason('http://h/x', new Set(['coap'])), 'unsupported-protocol');
});
