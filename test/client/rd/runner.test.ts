import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoapEndpoint } from '../../../src/coap/endpoint.ts';
import type { IncomingRequest } from '../../../src/coap/incoming.ts';
import { CoapCode, type CoapResponse } from '../../../src/coap/message.ts';
import { buildOptions } from '../../../src/coap/options.ts';
import { udpChannelFactory } from '../../../src/client/rd/channel.ts';
import type { RdEvent } from '../../../src/client/rd/events.ts';
import { BootstrapRunner, RegistrationRunner, type RunnerHost, type ServerAccount } from '../../../src/client/rd/runner.ts';
import { UdpTransport } from '../../../src/transport/udp.ts';
import { FakeClock } from '../../../src/util/clock.ts';

const decoder = new TextDecoder();

/** A scripted LwM2M server: records requests, answers with what the test queues (default: success). */
class ScriptedServer {
  readonly requests: IncomingRequest[] = [];
  readonly answers: ((r: IncomingRequest) => CoapResponse | undefined)[] = [];
  constructor(
    readonly endpoint: CoapEndpoint,
    readonly port: number,
  ) {
    endpoint.onRequest((req) => {
      this.requests.push(req);
      const scripted = this.answers.shift();
      const answer = scripted?.(req);
      if (answer !== undefined) return answer;
      if (req.method === CoapCode.POST && req.path.length === 1 && req.path[0] === 'rd') {
        return { code: CoapCode.CREATED, options: buildOptions({ locationPath: ['rd', 'ab12'] }) };
      }
      if (req.method === CoapCode.POST && req.path[0] === 'bs') return { code: CoapCode.CHANGED };
      if (req.method === CoapCode.POST) return { code: CoapCode.CHANGED };
      if (req.method === CoapCode.DELETE) return { code: CoapCode.DELETED };
      return { code: CoapCode.NOT_FOUND };
    });
  }
  static async start(clock: FakeClock): Promise<ScriptedServer> {
    const transport = await UdpTransport.bind({ address: '127.0.0.1' });
    return new ScriptedServer(new CoapEndpoint(transport, { clock }), transport.local.port);
  }
  describe(i: number): string {
    const r = this.requests[i]!;
    return `${r.method === CoapCode.DELETE ? 'DELETE' : 'POST'} /${r.path.join('/')}?${r.query.join('&')}`;
  }
}

async function waitFor(what: string, predicate: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

class TestHost implements RunnerHost {
  readonly events: RdEvent[] = [];
  readonly attached: string[] = [];
  exhaustedCount = 0;
  bootstraps = 0;
  readonly endpointName = 'node-1';
  readonly version = '1.1' as const;
  readonly openChannel;
  constructor(readonly clock: FakeClock) {
    this.openChannel = udpChannelFactory({ coap: { clock } });
  }
  links = '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>';
  registrationLinks(): string {
    return this.links;
  }
  attach(t: { ssid: number | undefined; bootstrap: boolean }): void {
    this.attached.push(`${t.bootstrap ? 'bs' : t.ssid}`);
  }
  detach(): void {}
  clearObservations(): void {}
  flushQueued(): void {}
  emit(event: RdEvent): void {
    this.events.push(event);
  }
  exhausted(): void {
    this.exhaustedCount++;
  }
  bootstrapDone(): void {
    this.bootstraps++;
  }
  types(): string[] {
    return this.events.map((e) => e.type);
  }
}

function account(port: number, over: Partial<ServerAccount> = {}): ServerAccount {
  return {
    ssid: 101,
    uri: `coap://127.0.0.1:${port}`,
    security: { serverUri: `coap://127.0.0.1:${port}`, securityMode: 3 },
    lifetime: 300,
    binding: 'U',
    queueMode: false,
    bootstrapOnFailure: true,
    ...over,
  };
}

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function setup(over: Partial<ServerAccount> = {}) {
  const clock = new FakeClock();
  const server = await ScriptedServer.start(clock);
  const host = new TestHost(clock);
  const runner = new RegistrationRunner(host, account(server.port, over));
  cleanups.push(async () => {
    await runner.dispose();
    await server.endpoint.close();
  });
  return { clock, server, host, runner };
}

describe('registration runner over UDP', () => {
  test('registers with the query and links, then updates before the lifetime ends', async () => {
    const { clock, server, host, runner } = await setup();
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    assert.equal(server.describe(0), 'POST /rd?ep=node-1&lt=300&lwm2m=1.1&b=U');
    assert.equal(decoder.decode(server.requests[0]!.payload), '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>');
    assert.equal(server.requests[0]!.contentFormat, 40);
    assert.deepEqual(host.events[0], { type: 'REGISTRATION_COMPLETE', ssid: 101 });
    assert.equal(runner.current.location, '/rd/ab12');
    assert.deepEqual(host.attached, ['101']);

    await clock.tick(293_999);
    assert.equal(server.requests.length, 1);
    await clock.tick(1);
    await waitFor('update', () => host.types().includes('REG_UPDATE_COMPLETE'));
    assert.equal(server.describe(1), 'POST /rd/ab12?');
    assert.equal(server.requests[1]!.payload.length, 0);
    assert.deepEqual(host.types(), ['REGISTRATION_COMPLETE', 'REG_UPDATE', 'REG_UPDATE_COMPLETE']);
  });

  test('an Update answered 4.04 falls back to a full Register without a failure event', async () => {
    const { server, host, runner } = await setup();
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    server.answers.push(() => ({ code: CoapCode.NOT_FOUND }));
    runner.triggerUpdate({ objects: true });
    await runner.settled();
    assert.equal(server.requests.length, 1, 'an object-list Update with unchanged links is not sent');
    host.links += ',</3303/0>';
    runner.triggerUpdate({ objects: true });
    await waitFor('re-registration', () => host.types().filter((t) => t === 'REGISTRATION_COMPLETE').length === 2);
    assert.equal(server.describe(1), 'POST /rd/ab12?');
    assert.equal(decoder.decode(server.requests[1]!.payload), '</>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3303/0>');
    assert.equal(server.describe(2), 'POST /rd?ep=node-1&lt=300&lwm2m=1.1&b=U');
    assert.deepEqual(host.types(), ['REGISTRATION_COMPLETE', 'REG_UPDATE', 'REGISTRATION_COMPLETE']);
  });

  test('stop de-registers with DELETE on the location', async () => {
    const { server, host, runner } = await setup();
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    runner.stop(true);
    await waitFor('disconnect', () => host.types().includes('DISCONNECT'));
    assert.equal(server.describe(1), 'DELETE /rd/ab12?');
    assert.deepEqual(host.types(), ['REGISTRATION_COMPLETE', 'DEREGISTER', 'DISCONNECT']);
    assert.equal(runner.channel, undefined);
  });

  test('a rejected Register raises REGISTRATION_FAILURE with the code, then retries after the backoff', async () => {
    const { clock, server, host, runner } = await setup();
    server.answers.push(() => ({ code: CoapCode.FORBIDDEN }));
    runner.start();
    await waitFor('failure', () => host.types().includes('REGISTRATION_FAILURE'));
    assert.deepEqual(host.events[0], { type: 'REGISTRATION_FAILURE', ssid: 101, reason: '4.03 Forbidden' });
    await clock.tick(999);
    assert.equal(server.requests.length, 1);
    await clock.tick(1);
    await waitFor('retry', () => host.types().includes('REGISTRATION_COMPLETE'));
    assert.equal(server.requests.length, 2);
  });

  test('a Register nobody answers times out after MAX_TRANSMIT_WAIT with REG_TIMEOUT', async () => {
    const clock = new FakeClock();
    const blackHole = await UdpTransport.bind({ address: '127.0.0.1' });
    let received = 0;
    blackHole.onDatagram(() => received++);
    const host = new TestHost(clock);
    const runner = new RegistrationRunner(host, account(blackHole.local.port));
    cleanups.push(async () => {
      await runner.dispose();
      await blackHole.close();
    });
    runner.start();
    await waitFor('request', () => received === 1);
    // The initial timeout is random in [2 s, 3 s]; four retransmissions, then the exchange fails at
    // 31 times the initial timeout: between 62 s and 93 s.
    for (let t = 0; t < 61_000; t += 1000) await clock.tick(1000);
    await waitFor('retransmissions', () => received === 5);
    assert.deepEqual(host.types(), []);
    for (let t = 61_000; t < 93_000; t += 1000) await clock.tick(1000);
    await waitFor('timeout', () => host.types().includes('REG_TIMEOUT'));
    await clock.tick(1000);
    await waitFor('retry after the backoff', () => received >= 6);
  });

  test('a bad URI and an unresolvable name give REGISTRATION_FAILURE with the reason', async () => {
    const clock = new FakeClock();
    for (const [uri, expect] of [
      ['http://127.0.0.1:5683', /unsupported server URI scheme 'http'/],
      ['coap://', /bad server URI|no host/],
      ['coap://no-such-host.invalid:5683', /cannot resolve server host 'no-such-host.invalid'/],
    ] as const) {
      const host = new TestHost(clock);
      const runner = new RegistrationRunner(host, { ...account(1), uri });
      cleanups.push(() => runner.dispose());
      runner.start();
      await waitFor(`failure for ${uri}`, () => host.events.length > 0, 10_000);
      assert.equal(host.events[0]!.type, 'REGISTRATION_FAILURE');
      assert.match(host.events[0]!.reason ?? '', expect);
      assert.equal(runner.current.phase, 'backoff');
    }
  });

  test('queue mode: registers with Q, turns RX off after the uptime, wakes with an Update to send', async () => {
    const { clock, server, host, runner } = await setup({ queueMode: true, lifetime: 3600 });
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    assert.equal(server.describe(0), 'POST /rd?ep=node-1&lt=3600&lwm2m=1.1&b=U&Q');
    await clock.tick(93_000);
    await waitFor('rx off', () => host.types().includes('QUEUE_MODE_RX_OFF'));
    assert.equal(runner.reachable, false);
    runner.outbound();
    await waitFor('wake-up update', () => host.types().includes('REG_UPDATE_COMPLETE'));
    assert.equal(runner.reachable, true);
    assert.equal(server.describe(1), 'POST /rd/ab12?');
  });

  test('LwM2M 1.0 queue mode is the UQ binding', async () => {
    const { server, host, runner } = await setup({ queueMode: true });
    Object.assign(host, { version: '1.0' });
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    assert.equal(server.describe(0), 'POST /rd?ep=node-1&lt=300&lwm2m=1.0&b=UQ');
  });

  test('pause stops everything; resume within the lifetime sends an Update', async () => {
    const { clock, server, host, runner } = await setup({ lifetime: 60 });
    runner.start();
    await waitFor('registration', () => host.types().includes('REGISTRATION_COMPLETE'));
    runner.pause();
    await runner.settled();
    await clock.tick(100_000);
    assert.equal(server.requests.length, 1);
    assert.deepEqual(host.types(), ['REGISTRATION_COMPLETE', 'ENGINE_SUSPENDED']);
    runner.resume();
    await waitFor('re-registration', () => host.types().filter((t) => t === 'REGISTRATION_COMPLETE').length === 2);
    assert.equal(server.describe(1), 'POST /rd?ep=node-1&lt=60&lwm2m=1.1&b=U');
  });
});

describe('bootstrap runner over UDP', () => {
  test('Bootstrap-Request with pct, then Finish completes the transfer', async () => {
    const clock = new FakeClock();
    const server = await ScriptedServer.start(clock);
    const host = new TestHost(clock);
    Object.assign(host, { bootstrapFormat: 112 });
    const runner = new BootstrapRunner(host, { uri: `coap://127.0.0.1:${server.port}`, security: { serverUri: '', securityMode: 3 } });
    cleanups.push(async () => {
      await runner.dispose();
      await server.endpoint.close();
    });
    runner.start();
    await waitFor('bootstrap request', () => host.types().includes('BOOTSTRAP_REG_COMPLETE'));
    assert.equal(server.describe(0), 'POST /bs?ep=node-1&pct=112');
    assert.deepEqual(host.attached, ['bs']);
    runner.activity();
    runner.finish();
    await waitFor('finish', () => host.bootstraps === 1);
    assert.deepEqual(host.types(), ['BOOTSTRAP_REG_COMPLETE', 'BOOTSTRAP_TRANSFER_COMPLETE']);
    assert.equal(runner.channel, undefined);
  });

  test('a rejected Bootstrap-Request gives BOOTSTRAP_REG_FAILURE', async () => {
    const clock = new FakeClock();
    const server = await ScriptedServer.start(clock);
    const host = new TestHost(clock);
    const runner = new BootstrapRunner(host, { uri: `coap://127.0.0.1:${server.port}`, security: { serverUri: '', securityMode: 3 } });
    cleanups.push(async () => {
      await runner.dispose();
      await server.endpoint.close();
    });
    server.answers.push(() => ({ code: CoapCode.BAD_REQUEST }));
    runner.start();
    await waitFor('failure', () => host.types().includes('BOOTSTRAP_REG_FAILURE'));
    assert.deepEqual(host.events, [{ type: 'BOOTSTRAP_REG_FAILURE', reason: '4.00 Bad Request' }]);
  });
});
