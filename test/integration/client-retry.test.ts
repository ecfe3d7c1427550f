/**
 * The LwM2M 1.1 registration retry procedure (LwM2M Core 1.1.1 6.2.1.1, /1/x/17-20) of a whole
 * LwM2mClient over real UDP on loopback, on a FakeClock so the attempt times are exact: a server
 * that answers 5.03 or drops the Register, then recovers; every sequence failing leads to the
 * bootstrap server (/1/x/16); an explicit `timing` option wins over the resources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LwM2mClient } from '../../src/client/client.ts';
import type { RdEvent } from '../../src/client/rd/events.ts';
import { CoapCode, CoapOption, CoapType, type CoapMessage } from '../../src/coap/message.ts';
import { encodeString, uriPath } from '../../src/coap/options.ts';
import { parse } from '../../src/coap/parse.ts';
import { serialize } from '../../src/coap/serialize.ts';
import type { Peer, Transport } from '../../src/transport/transport.ts';
import { UdpTransport } from '../../src/transport/udp.ts';
import { FakeClock } from '../../src/util/clock.ts';

type Answer = '5.03' | 'drop' | 'ok';

/** A raw CoAP peer: answers each Register (POST /rd) as scripted, Bootstrap-Request with 2.04. */
class ScriptedRd {
  readonly received: { path: string; answer: Answer }[] = [];
  constructor(
    readonly transport: UdpTransport,
    readonly script: Answer[],
  ) {
    transport.onDatagram((data, peer) => {
      this.#handle(data, peer);
    });
  }
  static async start(script: Answer[]): Promise<ScriptedRd> {
    return new ScriptedRd(await UdpTransport.bind({ address: '127.0.0.1' }), script);
  }
  get port(): number {
    return this.transport.local.port;
  }
  #handle(data: Uint8Array, peer: Peer): void {
    let msg: CoapMessage;
    try {
      msg = parse(data);
    } catch {
      return;
    }
    if (msg.type !== CoapType.CON || msg.code !== CoapCode.POST) return;
    const path = uriPath(msg.options).join('/');
    const answer: Answer = path === 'rd' ? (this.script.shift() ?? 'ok') : 'ok';
    this.received.push({ path, answer });
    if (answer === 'drop') return;
    const code = answer === '5.03' ? CoapCode.SERVICE_UNAVAILABLE : path === 'rd' ? CoapCode.CREATED : CoapCode.CHANGED;
    const options = code === CoapCode.CREATED ? [{ number: CoapOption.LOCATION_PATH, value: encodeString('rd') }, { number: CoapOption.LOCATION_PATH, value: encodeString('r1') }] : [];
    this.transport.send(serialize({ type: CoapType.ACK, code, messageId: msg.messageId, token: msg.token, options, payload: new Uint8Array(0) }), peer);
  }
}

/** Records the fake time of every request the client sends (a transport wrapper: exact, not slept). */
function recordingTransport(clock: FakeClock, sent: { at: number; path: string }[]): (t: Transport) => Transport {
  return (inner) => ({
    get local() {
      return inner.local;
    },
    send(data: Uint8Array, peer: Peer): void {
      const msg = parse(data);
      if (msg.code === CoapCode.POST) sent.push({ at: clock.now(), path: uriPath(msg.options).join('/') });
      inner.send(data, peer);
    },
    onDatagram: (h) => {
      inner.onDatagram(h);
    },
    onError: (h) => {
      inner.onError(h);
    },
    close: () => inner.close(),
  });
}

interface Rig {
  clock: FakeClock;
  client: LwM2mClient;
  events: RdEvent[];
  sent: { at: number; path: string }[];
}

function rig(t: { after: (fn: () => Promise<void>) => void }, rd: ScriptedRd, server: Record<number, number | boolean | string>, extra?: { bootstrapPort?: number; timing?: { retryBaseMs: number; maxRetries: number } }): Rig {
  const clock = new FakeClock();
  const sent: { at: number; path: string }[] = [];
  const client = new LwM2mClient({
    endpoint: `retry-${Math.random().toString(36).slice(2, 8)}`,
    clock,
    // A dropped Register fails after exactly 500 ms: no retransmission, no random factor.
    coap: { params: { ackTimeout: 500, ackRandomFactor: 1, maxRetransmit: 0 } },
    wrapTransport: recordingTransport(clock, sent),
    ...(extra?.timing !== undefined ? { timing: extra.timing } : {}),
  });
  client.create('/0/0', { 0: `coap://127.0.0.1:${rd.port}`, 1: false, 2: 3, 10: 1 });
  if (extra?.bootstrapPort !== undefined) client.create('/0/1', { 0: `coap://127.0.0.1:${extra.bootstrapPort}`, 1: true, 2: 3 });
  client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U', ...server });
  const events: RdEvent[] = [];
  client.on('event', (e) => events.push(e));
  t.after(async () => {
    await client.close();
    await rd.transport.close();
  });
  return { clock, client, events, sent };
}

async function until(what: string, predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Runs fake time from timer to timer until `done`, letting real I/O settle in between: time moves on
 * only when the client waits for a timer: backing off after as many failures as Registers, or with
 * a Register out that the scripted server saw and dropped.
 */
async function runUntil(r: Rig, rd: ScriptedRd, done: () => boolean, limitMs: number): Promise<void> {
  const failures = (): number => r.events.filter((e) => e.type === 'REGISTRATION_FAILURE' || e.type === 'REG_TIMEOUT').length;
  const quiet = (): boolean => {
    const phase = r.client.servers()[0]?.phase;
    const registers = r.sent.filter((s) => s.path === 'rd').length;
    if (phase === 'backoff') return failures() === registers;
    return phase === 'registering' && registers === failures() + 1 && rd.received.length === registers && rd.received.at(-1)?.answer === 'drop';
  };
  while (!done()) {
    await until('the client to wait for time', () => done() || quiet());
    if (done()) return;
    assert.ok((r.clock.nextAt() ?? Infinity) <= limitMs, `nothing more before ${limitMs} ms (at ${r.clock.now()})`);
    await r.clock.tickNext();
  }
}

test('retry timer 1 s, count 2, sequence delay 2 s, sequence retry 2: 5.03, drop, 5.03, then the server recovers', { timeout: 20_000 }, async (t) => {
  const rd = await ScriptedRd.start(['5.03', 'drop', '5.03', 'ok']);
  const r = rig(t, rd, { 17: 2, 18: 1, 19: 2, 20: 2 });
  await r.client.start({ wait: false });
  await runUntil(r, rd, () => r.client.isRegistered(), 10_000);
  // Sequence 1: attempt 1 at 0 (5.03); attempt 2 after 1 s * 2^0 (dropped, fails at 1.5 s).
  // Sequence 2 after the 2 s delay: attempt 1 at 3.5 s (5.03); attempt 2 after 1 s: registered.
  assert.deepEqual(
    r.sent.filter((s) => s.path === 'rd').map((s) => s.at),
    [0, 1000, 3500, 4500],
  );
  assert.deepEqual(
    r.events.map((e) => e.type),
    ['REGISTRATION_FAILURE', 'REG_TIMEOUT', 'REGISTRATION_FAILURE', 'REGISTRATION_COMPLETE'],
  );
  assert.equal(r.events[0]?.reason, '5.03');
  assert.deepEqual(r.client.servers(), [{ ssid: 1, phase: 'registered', location: '/rd/r1' }]);
});

test('every sequence failed: registration failure, then the bootstrap server (Bootstrap on Registration Failure)', { timeout: 20_000 }, async (t) => {
  const rd = await ScriptedRd.start(['5.03', '5.03', '5.03', '5.03']);
  const bs = await ScriptedRd.start([]);
  t.after(() => bs.transport.close());
  const r = rig(t, rd, { 16: true, 17: 2, 18: 1, 19: 2, 20: 2 }, { bootstrapPort: bs.port });
  await r.client.start({ wait: false });
  await runUntil(r, rd, () => bs.received.length > 0, 10_000);
  assert.deepEqual(
    r.sent.map((s) => `${s.path}@${s.at}`),
    ['rd@0', 'rd@1000', 'rd@3000', 'rd@4000', 'bs@4000'],
  );
  assert.equal(bs.received[0]?.path, 'bs');
  assert.ok(r.client.bootstrapping);
});

test('an explicit timing option wins over /1/x/17-20', { timeout: 20_000 }, async (t) => {
  const rd = await ScriptedRd.start(['5.03', '5.03', 'ok']);
  const r = rig(t, rd, { 17: 5, 18: 60, 19: 86400, 20: 1 }, { timing: { retryBaseMs: 100, maxRetries: 3 } });
  await r.client.start({ wait: false });
  await runUntil(r, rd, () => r.client.isRegistered(), 1_000);
  assert.deepEqual(
    r.sent.filter((s) => s.path === 'rd').map((s) => s.at),
    [0, 100, 300],
  );
});
