/** Notification scheduling on a FakeClock: pmin, pmax, gt/lt/st/edge, epmin/epmax, holding, composite. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoapResponse } from '../../src/coap/message.ts';
import type { NotifyResult, ObservationCancelReason } from '../../src/coap/server-observe.ts';
import { AttributeStore, type Attributes } from '../../src/dm/attributes.ts';
import { conditionsMet, endReasonOf, ObservationManager, type NotificationSink, type ObservationEndReason, type ObservationHost } from '../../src/dm/observe.ts';
import { NotFoundError } from '../../src/errors.ts';
import { LwM2mPath } from '../../src/model/path.ts';
import { FakeClock } from '../../src/util/clock.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

class FakeSink implements NotificationSink {
  readonly sent: { at: number; code: number; payload: string; con: boolean }[] = [];
  cancelled = false;
  /** What a Confirmable notification comes to (the server's ACK by default). */
  conResult: NotifyResult = 'acknowledged';
  #listeners: ((r: ObservationCancelReason) => void)[] = [];
  constructor(private readonly clock: FakeClock) {}
  notify(response: CoapResponse, options?: { confirmable?: boolean }): Promise<NotifyResult> {
    const con = options?.confirmable === true;
    this.sent.push({ at: this.clock.now(), code: response.code, payload: dec.decode(response.payload ?? new Uint8Array()), con });
    if (response.code >> 5 !== 2) this.end('final');
    if (con && this.conResult === 'timeout') this.end('timeout');
    return Promise.resolve(con ? this.conResult : 'sent');
  }
  onCancel(l: (r: ObservationCancelReason) => void): void {
    if (this.cancelled) l('cancelled');
    else this.#listeners.push(l);
  }
  cancel(): void {
    this.end('cancelled');
  }
  end(reason: ObservationCancelReason): void {
    if (this.cancelled) return;
    this.cancelled = true;
    for (const l of this.#listeners.splice(0)) l(reason);
  }
  get times(): number[] {
    return this.sent.map((s) => s.at);
  }
}

interface World {
  clock: FakeClock;
  values: Map<string, number | boolean>;
  attrs: AttributeStore;
  defaults: Attributes;
  reachable: boolean;
  storing: boolean;
  outbound: number;
  ended: ObservationEndReason[];
  started: string[];
  acked: string[];
  manager: ObservationManager;
  gone: Set<string>;
}

function world(defaults: Attributes = {}): World {
  const w = {
    clock: new FakeClock(),
    values: new Map<string, number | boolean>(),
    attrs: new AttributeStore(),
    defaults,
    reachable: true,
    storing: false,
    outbound: 0,
    ended: [] as ObservationEndReason[],
    started: [] as string[],
    acked: [] as string[],
    gone: new Set<string>(),
  } as Omit<World, 'manager'> as World;
  const host: ObservationHost = {
    clock: w.clock,
    attributes: (ssid, path) => w.attrs.effective(ssid, path, w.defaults),
    build: (obs) => {
      const parts: string[] = [];
      for (const p of obs.paths) {
        if (w.gone.has(p.toString())) {
          if (!obs.composite) throw new NotFoundError('gone');
          continue;
        }
        parts.push(`${p.toString()}=${String(w.values.get(p.toString()))}`);
      }
      return { response: { code: 0x45, payload: enc.encode(parts.join(';')) } };
    },
    sample: (path) => w.values.get(path.toString()),
    reachable: () => w.reachable,
    outbound: () => {
      w.outbound++;
    },
    traffic: () => undefined,
    storing: () => w.storing,
    confirmable: () => false,
    started: (obs) => {
      w.started.push(`${obs.ssid}:${obs.paths.join(',')}`);
    },
    acknowledged: (obs) => {
      w.acked.push(`${obs.ssid}:${obs.paths.join(',')}`);
    },
    ended: (_obs, reason) => {
      w.ended.push(reason);
    },
    reportError: (e) => {
      throw e;
    },
  };
  w.manager = new ObservationManager(host);
  return w;
}

const P = (s: string): LwM2mPath => LwM2mPath.parse(s);

/** Starts an observation as the engine does: with the payload of the Observe response. */
function observe(w: World, paths: string[], composite = paths.length > 1): FakeSink {
  const sink = new FakeSink(w.clock);
  const payload = enc.encode(paths.filter((p) => !w.gone.has(p)).map((p) => `${p}=${String(w.values.get(p))}`).join(';'));
  w.manager.add({ ssid: 1, paths: paths.map(P), composite, format: 0 }, sink, { payload });
  return sink;
}

function set(w: World, path: string, v: number | boolean): void {
  w.values.set(path, v);
  w.manager.changed([P(path)]);
}

describe('pmin / pmax', () => {
  it('notifies a change at once when pmin has passed, else exactly at pmin', () => {
    const w = world({ pmin: 5 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.clock.advance(2000);
    set(w, '/3/0/9', 2);
    assert.deepEqual(s.times, []);
    w.clock.advance(2999);
    assert.deepEqual(s.times, []);
    w.clock.advance(1);
    assert.deepEqual(s.sent.map((x) => [x.at, x.payload]), [[5000, '/3/0/9=2']]);
    w.clock.advance(5000);
    set(w, '/3/0/9', 3);
    assert.deepEqual(s.times, [5000, 10000]);
  });

  it('coalesces changes within pmin into one notification with the latest value', () => {
    const w = world({ pmin: 10 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    for (let i = 2; i < 6; i++) {
      w.clock.advance(1000);
      set(w, '/3/0/9', i);
    }
    w.clock.advance(6000);
    assert.deepEqual(s.sent.map((x) => [x.at, x.payload]), [[10000, '/3/0/9=5']]);
  });

  it('notifies every pmax seconds without a change, restarting the period at each notification', () => {
    const w = world({ pmax: 10 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.clock.advance(25_000);
    assert.deepEqual(s.times, [10_000, 20_000]);
    set(w, '/3/0/9', 2);
    w.clock.advance(9_999);
    assert.deepEqual(s.times, [10_000, 20_000, 25_000]);
    w.clock.advance(1);
    assert.deepEqual(s.times, [10_000, 20_000, 25_000, 35_000]);
  });

  it('ignores pmax when it is 0 or smaller than pmin', () => {
    for (const attrs of [{ pmax: 0 }, { pmin: 20, pmax: 10 }]) {
      const w = world(attrs);
      w.values.set('/3/0/9', 1);
      const s = observe(w, ['/3/0/9']);
      w.clock.advance(100_000);
      assert.deepEqual(s.times, []);
    }
  });

  it('uses attributes in inheritance order and reschedules on refresh()', () => {
    const w = world({ pmin: 1, pmax: 100 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.attrs.set(1, P('/3'), { pmax: 50 });
    w.attrs.set(1, P('/3/0/9'), { pmax: 7 });
    w.manager.refresh(1);
    w.clock.advance(15_000);
    assert.deepEqual(s.times, [7000, 14_000]);
  });
});

describe('gt / lt / st / edge', () => {
  it('counts only threshold crossings with gt and lt', () => {
    const w = world();
    w.attrs.set(1, P('/3303/0/5700'), { gt: 30, lt: 10 });
    w.values.set('/3303/0/5700', 20);
    const s = observe(w, ['/3303/0/5700']);
    for (const v of [25, 31, 35, 29, 15, 9, 5, 11]) set(w, '/3303/0/5700', v);
    assert.deepEqual(s.sent.map((x) => x.payload), ['/3303/0/5700=31', '/3303/0/5700=29', '/3303/0/5700=9', '/3303/0/5700=11']);
  });

  it('counts moves of at least st from the last notified value', () => {
    const w = world();
    w.attrs.set(1, P('/3303/0/5700'), { st: 5 });
    w.values.set('/3303/0/5700', 10);
    const s = observe(w, ['/3303/0/5700']);
    for (const v of [12, 14.9, 15, 11, 10, 20.5]) set(w, '/3303/0/5700', v);
    assert.deepEqual(s.sent.map((x) => x.payload), ['/3303/0/5700=15', '/3303/0/5700=10', '/3303/0/5700=20.5']);
  });

  it('counts the rising or falling edge of a boolean with edge', () => {
    const w = world();
    w.attrs.set(1, P('/3342/0/5500'), { edge: 1 });
    w.values.set('/3342/0/5500', false);
    const s = observe(w, ['/3342/0/5500']);
    for (const v of [true, false, true, true]) set(w, '/3342/0/5500', v);
    assert.deepEqual(s.sent.map((x) => x.payload), ['/3342/0/5500=true', '/3342/0/5500=true']);
  });

  it('conditionsMet is false for a value that cannot be compared', () => {
    assert.equal(conditionsMet({ gt: 1, lt: undefined, st: undefined, edge: undefined }, 0, 0, undefined), false);
    assert.equal(conditionsMet({ gt: undefined, lt: undefined, st: 1, edge: undefined }, 0, undefined, 3), true);
  });
});

describe('epmin / epmax', () => {
  it('defers evaluation to epmin after the last one', () => {
    const w = world({ epmin: 4 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.clock.advance(1000);
    set(w, '/3/0/9', 2);
    w.clock.advance(1000);
    set(w, '/3/0/9', 3);
    assert.deepEqual(s.times, []);
    w.clock.advance(2000);
    assert.deepEqual(s.sent.map((x) => [x.at, x.payload]), [[4000, '/3/0/9=3']]);
  });

  it('samples at least every epmax and notifies only when the value moved', () => {
    const w = world({ epmax: 3 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.clock.advance(3000);
    assert.deepEqual(s.times, [], 'unchanged at the first sample');
    w.values.set('/3/0/9', 2); // changed behind the registry's back (a read callback)
    w.clock.advance(3000);
    assert.deepEqual(s.sent.map((x) => [x.at, x.payload]), [[6000, '/3/0/9=2']]);
    w.clock.advance(9000);
    assert.equal(s.sent.length, 1);
  });
});

describe('composite observations', () => {
  it('take the largest pmin and smallest pmax of their paths and notify once per batch', () => {
    const w = world({ pmin: 0 });
    w.attrs.set(1, P('/1/0/1'), { pmin: 30, pmax: 45 });
    w.attrs.set(1, P('/3/0'), { pmax: 60 });
    w.values.set('/1/0/1', 86400);
    w.values.set('/3/0/16', 1);
    const s = observe(w, ['/1/0/1', '/3/0/16']);
    w.clock.advance(10_000);
    w.values.set('/1/0/1', 60);
    w.values.set('/3/0/16', 2);
    w.manager.changed([P('/1/0/1'), P('/3/0/16')]);
    assert.deepEqual(s.times, []);
    w.clock.advance(20_000);
    assert.deepEqual(s.sent.map((x) => [x.at, x.payload]), [[30_000, '/1/0/1=60;/3/0/16=2']]);
    w.clock.advance(45_000);
    assert.deepEqual(s.times, [30_000, 75_000]);
  });

  it('are affected by changes above and below their paths', () => {
    const w = world();
    w.values.set('/16/1/0/0', 1);
    const s = observe(w, ['/16/0', '/16/1/0/0'], true);
    w.manager.changed([P('/16/1')]); // instance created or deleted
    w.manager.changed([P('/16/0/0/3')]);
    assert.equal(s.sent.length, 2);
  });
});

describe('reachability and endings', () => {
  it('holds due notifications while unreachable, asks to wake up, and flushes the latest state', () => {
    const w = world();
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.reachable = false;
    set(w, '/3/0/9', 2);
    set(w, '/3/0/9', 3);
    assert.equal(s.sent.length, 0);
    assert.equal(w.outbound, 2);
    assert.ok(w.manager.hasHeld(1));
    w.reachable = true;
    w.manager.flush(1);
    assert.deepEqual(s.sent.map((x) => x.payload), ['/3/0/9=3']);
    assert.ok(!w.manager.hasHeld(1));
  });

  it('stores every notification while unreachable when the account stores notifications', () => {
    const w = world();
    w.storing = true;
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.reachable = false;
    set(w, '/3/0/9', 2);
    set(w, '/3/0/9', 3);
    w.reachable = true;
    w.manager.flush(1);
    assert.deepEqual(s.sent.map((x) => x.payload), ['/3/0/9=2', '/3/0/9=3']);
  });

  it('stores at most hqmax notifications (oldest dropped); hqmax=0 stores none, only the latest state', () => {
    const w = world();
    w.storing = true;
    w.attrs.set(1, P('/3/0/9'), { hqmax: 2 });
    w.attrs.set(1, P('/3/0/10'), { hqmax: 0 });
    w.values.set('/3/0/9', 1);
    w.values.set('/3/0/10', 1);
    const capped = observe(w, ['/3/0/9']);
    const none = observe(w, ['/3/0/10']);
    w.reachable = false;
    for (const v of [2, 3, 4, 5]) {
      set(w, '/3/0/9', v);
      set(w, '/3/0/10', v);
    }
    w.reachable = true;
    w.manager.flush(1);
    assert.deepEqual(capped.sent.map((x) => x.payload), ['/3/0/9=4', '/3/0/9=5']);
    assert.deepEqual(none.sent.map((x) => x.payload), ['/3/0/10=5']);
  });

  it('ends a single-path observation with a final 4.04 when its path is gone', () => {
    const w = world();
    w.values.set('/16/1/0/0', 1);
    const s = observe(w, ['/16/1/0/0']);
    w.gone.add('/16/1/0/0');
    w.manager.changed([P('/16/1')]);
    assert.deepEqual(s.sent.map((x) => x.code), [0x84]);
    assert.equal(w.manager.size, 0);
    assert.deepEqual(w.ended, ['path-gone']);
  });

  it('clear() cancels the observations of one server and stops their timers', () => {
    const w = world({ pmax: 5 });
    w.values.set('/3/0/9', 1);
    const s = observe(w, ['/3/0/9']);
    w.manager.clear(1);
    assert.ok(s.cancelled);
    assert.equal(w.manager.size, 0);
    w.clock.advance(60_000);
    assert.equal(s.sent.length, 0);
    assert.equal(w.clock.pending, 0);
  });

  it('runs every observation on one clock timer', () => {
    const w = world({ pmax: 5 });
    for (let i = 0; i < 100; i++) {
      w.values.set(`/3/0/${i}`, i);
      observe(w, [`/3/0/${i}`]);
    }
    assert.equal(w.clock.pending, 1);
    w.clock.advance(5000);
    assert.equal(w.clock.pending, 1);
  });
});

describe('observer events (the seed OBSERVER_ADDED / OBSERVER_REMOVED / NOTIFY_ACK / NOTIFY_TIMEOUT)', () => {
  it('reports each observation started, with its server and paths', () => {
    const w = world();
    w.values.set('/3/0/9', 1);
    observe(w, ['/3/0/9']);
    observe(w, ['/3/0/9', '/3/0/10']);
    assert.deepEqual(w.started, ['1:/3/0/9', '1:/3/0/9,/3/0/10']);
  });

  it('reports acknowledged Confirmable notifications only', () => {
    const w = world();
    w.attrs.set(1, P('/3/0/9'), { con: 1 });
    w.values.set('/3/0/9', 1);
    w.values.set('/3/0/10', 1);
    observe(w, ['/3/0/9']);
    const non = observe(w, ['/3/0/10']);
    set(w, '/3/0/9', 2);
    set(w, '/3/0/10', 2);
    assert.deepEqual(non.sent.map((x) => x.con), [false]);
    return Promise.resolve().then(() => {
      assert.deepEqual(w.acked, ['1:/3/0/9']);
    });
  });

  it('names why each observation ended', () => {
    const w = world();
    for (const p of ['/3/0/1', '/3/0/2', '/3/0/3', '/3/0/4', '/3/0/5']) w.values.set(p, 1);
    const byRst = observe(w, ['/3/0/1']);
    const byCancel = observe(w, ['/3/0/2']);
    w.attrs.set(1, P('/3/0/3'), { con: 1 });
    const byTimeout = observe(w, ['/3/0/3']);
    byTimeout.conResult = 'timeout';
    observe(w, ['/3/0/4']);
    const gone = observe(w, ['/3/0/5']);

    byRst.end('reset');
    byCancel.end('deregistered');
    set(w, '/3/0/3', 2);
    w.reachable = false;
    w.storing = true;
    w.gone.add('/3/0/5');
    set(w, '/3/0/5', 2);
    assert.ok(gone.cancelled, 'the CoAP side is cancelled too');
    assert.deepEqual(gone.sent, [], 'no final notification to an unreachable server');
    w.manager.clear(1);
    assert.deepEqual(w.ended, ['reset', 'cancel', 'timeout', 'path-gone', 'deregistration']);
    assert.equal(w.manager.size, 0);
  });

  it('maps every CoAP cancel reason to an LwM2M one', () => {
    const all: ObservationCancelReason[] = ['reset', 'deregistered', 'timeout', 'replaced', 'closed', 'cancelled', 'rejected', 'final'];
    assert.deepEqual(all.map(endReasonOf), ['reset', 'cancel', 'timeout', 'replaced', 'closed', 'cancel', 'path-gone', 'path-gone']);
  });

  it('close() ends the rest as closed', () => {
    const w = world();
    w.values.set('/3/0/9', 1);
    observe(w, ['/3/0/9']);
    w.manager.close();
    assert.deepEqual(w.ended, ['closed']);
  });
});
