/**
 * Registration order across servers (LwM2M Core 1.1.1 6.2.1.1, /1/x/13 Registration Priority
 * Order, /1/x/14 Initial Registration Delay Timer, /1/x/15 Registration Failure Block): the pure
 * machine, its driver on fake time, and the resources read from the Server object.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { serverAccounts } from '../../../src/client/accounts.ts';
import { LwM2mClient } from '../../../src/client/client.ts';
import { orderDone, orderStep, planOrder, RegistrationOrder, type OrderAccount, type OrderInput, type OrderState } from '../../../src/client/rd/order.ts';
import { FakeClock } from '../../../src/util/clock.ts';

const S = 1000;

/** The driver on a FakeClock, recording when each registration started. */
function driver(accounts: readonly OrderAccount[], registeredOnce?: Set<number>): { clock: FakeClock; order: RegistrationOrder; started: [number, number][] } {
  const clock = new FakeClock();
  const started: [number, number][] = [];
  const plan = planOrder(accounts, registeredOnce);
  assert.ok(plan !== undefined);
  const order = new RegistrationOrder({ clock, startRegistration: (ssid) => started.push([ssid, clock.now()]) }, plan, registeredOnce);
  return { clock, order, started };
}

describe('planOrder', () => {
  test('no Registration Priority Order anywhere: no plan (every registration starts at once, as without ordering)', () => {
    assert.equal(planOrder([{ ssid: 1 }, { ssid: 2, initialDelayMs: 5 * S, failureBlock: true }]), undefined);
    assert.equal(planOrder([]), undefined);
  });

  test('orders by /1/x/13 ascending, ties by Short Server ID; servers without it go to the unordered group', () => {
    const plan = planOrder([{ ssid: 7, priorityOrder: 2 }, { ssid: 3 }, { ssid: 5, priorityOrder: 0 }, { ssid: 2, priorityOrder: 2 }, { ssid: 9 }]);
    assert.ok(plan !== undefined);
    assert.deepEqual(
      plan.chain.map((e) => e.ssid),
      [5, 2, 7],
    );
    assert.deepEqual(plan.unordered, [3, 9]);
  });

  test('the delay is dropped for servers that registered since the last bootstrap; a missing /1/x/15 does not block', () => {
    const plan = planOrder(
      [
        { ssid: 1, priorityOrder: 1, initialDelayMs: 4 * S },
        { ssid: 2, priorityOrder: 2, initialDelayMs: 6 * S, failureBlock: true },
      ],
      new Set([1]),
    );
    assert.deepEqual(plan?.chain, [
      { ssid: 1, delayMs: 0, block: false },
      { ssid: 2, delayMs: 6 * S, block: true },
    ]);
  });
});

describe('orderStep', () => {
  const plan = (accounts: OrderAccount[]): OrderState => {
    const p = planOrder(accounts);
    assert.ok(p !== undefined);
    return p;
  };

  test('one at a time: the next starts when the previous registered', () => {
    let s = plan([{ ssid: 2, priorityOrder: 1 }, { ssid: 1, priorityOrder: 2 }, { ssid: 3, priorityOrder: 3 }]);
    let t = orderStep(s, { type: 'begin' }, 0);
    assert.deepEqual(t.start, [2]);
    s = t.state;
    // Another server's completion (or a repeated begin) changes nothing.
    assert.deepEqual(orderStep(s, { type: 'registered', ssid: 1 }, 10).start, []);
    assert.deepEqual(orderStep(s, { type: 'begin' }, 10).start, []);
    t = orderStep(s, { type: 'registered', ssid: 2 }, 10);
    assert.deepEqual(t.start, [1]);
    t = orderStep(t.state, { type: 'registered', ssid: 1 }, 20);
    assert.deepEqual(t.start, [3]);
    t = orderStep(t.state, { type: 'registered', ssid: 3 }, 30);
    assert.deepEqual(t.start, []);
    assert.ok(orderDone(t.state));
  });

  test('/1/x/14 counts from the completion of the previous server; the first waits it from the start', () => {
    let t = orderStep(plan([{ ssid: 1, priorityOrder: 1, initialDelayMs: 2 * S }, { ssid: 2, priorityOrder: 2, initialDelayMs: 5 * S }]), { type: 'begin' }, 100);
    assert.deepEqual(t.start, []);
    assert.equal(t.state.wakeAt, 2100);
    // An early wake does nothing.
    assert.deepEqual(orderStep(t.state, { type: 'wake' }, 2099).start, []);
    t = orderStep(t.state, { type: 'wake' }, 2100);
    assert.deepEqual(t.start, [1]);
    assert.equal(t.state.wakeAt, undefined);
    t = orderStep(t.state, { type: 'registered', ssid: 1 }, 3000);
    assert.deepEqual(t.start, []);
    assert.equal(t.state.wakeAt, 8000);
    t = orderStep(t.state, { type: 'wake' }, 8000);
    assert.deepEqual(t.start, [2]);
  });

  test('failure with /1/x/15 true blocks the servers after it until it registers after all; unordered ones are not held up', () => {
    let t = orderStep(plan([{ ssid: 1, priorityOrder: 1, failureBlock: true }, { ssid: 2, priorityOrder: 2 }, { ssid: 9 }]), { type: 'begin' }, 0);
    assert.deepEqual(t.start, [1]);
    t = orderStep(t.state, { type: 'failed', ssid: 1 }, 50);
    assert.deepEqual(t.start, [9]);
    assert.equal(t.state.blockedBy, 1);
    // Nothing else moves the blocked order, not even a second failure of the same server.
    for (const input of [{ type: 'failed', ssid: 1 }, { type: 'registered', ssid: 9 }, { type: 'wake' }] as const) {
      assert.deepEqual(orderStep(t.state, input, 60).start, []);
    }
    t = orderStep(t.state, { type: 'registered', ssid: 1 }, 90);
    assert.deepEqual(t.start, [2]);
    assert.equal(t.state.blockedBy, undefined);
  });

  test('failure with /1/x/15 false (or absent) proceeds to the next server, its delay counted from the failure', () => {
    let t = orderStep(plan([{ ssid: 1, priorityOrder: 1, failureBlock: false }, { ssid: 2, priorityOrder: 2, initialDelayMs: S }, { ssid: 3, priorityOrder: 3 }]), { type: 'begin' }, 0);
    t = orderStep(t.state, { type: 'failed', ssid: 1 }, 500);
    assert.deepEqual(t.start, []);
    assert.equal(t.state.wakeAt, 1500);
    t = orderStep(t.state, { type: 'wake' }, 1500);
    assert.deepEqual(t.start, [2]);
    t = orderStep(t.state, { type: 'failed', ssid: 2 }, 1600);
    assert.deepEqual(t.start, [3]);
    // The first server registering late changes nothing any more.
    assert.deepEqual(orderStep(t.state, { type: 'registered', ssid: 1 }, 1700).start, []);
  });

  test('unordered servers start together once the chain has run its course', () => {
    let t = orderStep(plan([{ ssid: 4 }, { ssid: 1, priorityOrder: 0 }, { ssid: 2 }]), { type: 'begin' }, 0);
    assert.deepEqual(t.start, [1]);
    t = orderStep(t.state, { type: 'registered', ssid: 1 }, 5);
    assert.deepEqual(t.start, [4, 2]);
    assert.ok(orderDone(t.state));
  });

  test('property: every server starts exactly once when none blocks, ordered ones in priority order', () => {
    const accounts = fc.uniqueArray(
      fc.record({ ssid: fc.integer({ min: 1, max: 65534 }), priority: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }), delay: fc.integer({ min: 0, max: 3 }), fails: fc.boolean() }),
      { selector: (a) => a.ssid, minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(accounts, (list) => {
        const p = planOrder(list.map((a) => ({ ssid: a.ssid, initialDelayMs: a.delay * S, failureBlock: false, ...(a.priority !== undefined ? { priorityOrder: a.priority } : {}) })));
        if (!list.some((a) => a.priority !== undefined)) return p === undefined;
        assert.ok(p !== undefined);
        let state = p;
        let now = 0;
        const started: number[] = [];
        const feed = (input: OrderInput): void => {
          const t = orderStep(state, input, now);
          state = t.state;
          started.push(...t.start);
        };
        feed({ type: 'begin' });
        for (let guard = 0; guard < 100 && !orderDone(state); guard++) {
          if (state.wakeAt !== undefined) {
            now = state.wakeAt;
            feed({ type: 'wake' });
          } else if (state.current !== undefined) {
            now += 10;
            const current = state.current;
            feed(list.find((a) => a.ssid === current)?.fails === true ? { type: 'failed', ssid: current } : { type: 'registered', ssid: current });
          }
        }
        assert.ok(orderDone(state));
        assert.deepEqual([...started].sort((a, b) => a - b), list.map((a) => a.ssid).sort((a, b) => a - b));
        const ordered = started.filter((ssid) => list.find((a) => a.ssid === ssid)?.priority !== undefined);
        const rank = (ssid: number): number => list.find((a) => a.ssid === ssid)?.priority ?? -1;
        for (let i = 1; i < ordered.length; i++) assert.ok(rank(ordered[i - 1]!) <= rank(ordered[i]!));
        return true;
      }),
    );
  });
});

describe('RegistrationOrder on a fake clock', () => {
  test('starts each registration at the exact time: delay after the previous completion', async () => {
    const { clock, order, started } = driver([
      { ssid: 1, priorityOrder: 1 },
      { ssid: 2, priorityOrder: 2, initialDelayMs: 3 * S },
    ]);
    order.begin();
    assert.deepEqual(started, [[1, 0]]);
    await clock.tick(1700);
    order.registered(1);
    assert.deepEqual(started, [[1, 0]]);
    await clock.tick(2999);
    assert.deepEqual(started, [[1, 0]]);
    await clock.tick(1);
    assert.deepEqual(started, [
      [1, 0],
      [2, 4700],
    ]);
    assert.equal(clock.pending, 0);
  });

  test('pause stops the delay timer; resume after the deadline starts at once', async () => {
    const { clock, order, started } = driver([{ ssid: 5, priorityOrder: 1, initialDelayMs: 2 * S }]);
    order.begin();
    await clock.tick(500);
    order.pause();
    assert.equal(clock.pending, 0);
    await clock.tick(5000);
    assert.deepEqual(started, []);
    order.resume();
    await clock.tick(0);
    assert.deepEqual(started, [[5, 5500]]);
  });

  test('the delay applies only until the first successful registration: a new order with the same memory skips it', async () => {
    const first = driver([{ ssid: 1, priorityOrder: 1, initialDelayMs: 2 * S }]);
    first.order.begin();
    await first.clock.tick(2 * S);
    first.order.registered(1);
    first.order.dispose();
    const again = driver([{ ssid: 1, priorityOrder: 1, initialDelayMs: 2 * S }], first.order.registeredOnce);
    again.order.begin();
    assert.deepEqual(again.started, [[1, 0]]);
  });

  test('dispose cancels a pending delay', async () => {
    const { clock, order, started } = driver([{ ssid: 1, priorityOrder: 1, initialDelayMs: S }]);
    order.begin();
    order.dispose();
    await clock.tick(10 * S);
    assert.deepEqual(started, []);
  });
});

describe('serverAccounts reads /1/x/13-15', () => {
  test('present resources become priorityOrder, initialDelayMs (ms) and failureBlock; absent ones stay absent', () => {
    const client = new LwM2mClient({ endpoint: 'order-accounts' });
    client.create('/0/0', { 0: 'coap://127.0.0.1:5683', 1: false, 2: 3, 10: 1 });
    client.create('/0/1', { 0: 'coap://127.0.0.1:5684', 1: false, 2: 3, 10: 2 });
    client.create('/1/0', { 0: 1, 1: 300, 6: false, 7: 'U', 13: 4, 14: 30, 15: true });
    client.create('/1/1', { 0: 2, 1: 300, 6: false, 7: 'U' });
    const [a, b] = serverAccounts(client.registry);
    assert.ok(a !== undefined);
    assert.equal(a.priorityOrder, 4);
    assert.equal(a.initialDelayMs, 30_000);
    assert.equal(a.failureBlock, true);
    assert.ok(b !== undefined && !('priorityOrder' in b) && !('initialDelayMs' in b) && !('failureBlock' in b));
    client.engine.close();
  });
});
