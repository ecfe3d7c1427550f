/** ServerEmitter: what LwM2mServer and BootstrapServer do with exceptions from their listeners. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerEmitter } from '../../src/server/emitter.ts';
import { BootstrapServer } from '../../src/server/bootstrap-server.ts';
import { LwM2mServer } from '../../src/server/server.ts';

interface Events {
  ping: number;
  error: Error;
}

class Probe extends ServerEmitter<Events> {
  fire(n: number): void {
    this.emit('ping', n);
  }
}

test('a listener exception becomes an error event; other listeners still run', () => {
  const p = new Probe();
  const errors: Error[] = [];
  const seen: number[] = [];
  p.on('error', (e) => errors.push(e));
  p.on('ping', () => {
    throw new Error('listener broke');
  });
  p.on('ping', (n) => seen.push(n));
  p.fire(1);
  p.on('ping', () => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error throw is wrapped
    throw 'text';
  });
  p.fire(2);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(
    errors.map((e) => e.message),
    ['listener broke', 'listener broke', 'text'],
  );
});

test('an error listener that throws is rethrown on a fresh stack, not re-emitted', (t) => {
  const queued: (() => void)[] = [];
  t.mock.method(globalThis, 'queueMicrotask', (fn: () => void) => {
    queued.push(fn);
  });
  const p = new Probe();
  let errorCalls = 0;
  p.on('error', () => {
    errorCalls++;
    throw new Error('error listener broke');
  });
  p.on('ping', () => {
    throw new Error('listener broke');
  });
  p.fire(1);
  assert.equal(errorCalls, 1, 'no recursion');
  assert.equal(queued.length, 1);
  // The guard is reset: the next failure is reported again.
  p.fire(2);
  t.mock.restoreAll();
  assert.equal(errorCalls, 2);
  assert.equal(queued.length, 2);
  assert.throws(() => queued[0]!(), /error listener broke/);
});

test('both companion servers report listener exceptions this way', () => {
  assert.ok(Object.prototype.isPrototypeOf.call(ServerEmitter.prototype, LwM2mServer.prototype));
  assert.ok(Object.prototype.isPrototypeOf.call(ServerEmitter.prototype, BootstrapServer.prototype));
});
