import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedEmitter, type EventReceiver } from '../../src/util/typed-events.ts';

interface Events {
  a: number;
  b: string;
}

class Emitter extends TypedEmitter<Events> {
  fire<K extends keyof Events>(event: K, arg: Events[K]): void {
    this.emit(event, arg);
  }
}

test('listeners run in the order added; adding the same listener twice keeps one; off removes it', () => {
  const e = new Emitter();
  const seen: string[] = [];
  const one = (n: number): void => {
    seen.push(`one ${n}`);
  };
  const two = (n: number): void => {
    seen.push(`two ${n}`);
  };
  assert.equal(e.listenerCount('a'), 0);
  e.on('a', one).on('a', two).on('a', one);
  assert.equal(e.listenerCount('a'), 2);
  e.fire('a', 1);
  e.fire('b', 'nobody listens');
  e.off('a', one);
  e.off('a', one);
  e.fire('a', 2);
  e.off('a', two);
  assert.equal(e.listenerCount('a'), 0);
  e.fire('a', 3);
  assert.deepEqual(seen, ['one 1', 'two 1', 'two 2']);
});

test('an emit calls the listeners present when it started, even if a listener changes them', () => {
  const e = new Emitter();
  const seen: string[] = [];
  const late = (): void => {
    seen.push('late');
  };
  const second = (): void => {
    seen.push('second');
  };
  e.on('a', () => {
    seen.push('first');
    e.off('a', second);
    e.on('a', late);
  });
  e.on('a', second);
  e.fire('a', 1);
  assert.deepEqual(seen, ['first', 'second']);
  seen.length = 0;
  e.fire('a', 2);
  assert.deepEqual(seen, ['first', 'late']);
});

test('once and next deliver a single emission', async () => {
  const e = new Emitter();
  const seen: number[] = [];
  e.once('a', (n) => seen.push(n));
  const next = e.next('a', (n) => n > 1);
  e.fire('a', 1);
  e.fire('a', 2);
  e.fire('a', 3);
  assert.deepEqual(seen, [1]);
  assert.equal(await next, 2);
  assert.equal(e.listenerCount('a'), 0);
});

test('a listener exception goes to onListenerError and the other listeners still run', () => {
  const errors: unknown[] = [];
  class Quiet extends TypedEmitter<Events> {
    constructor() {
      super((error) => errors.push(error));
    }
    fire(n: number): void {
      this.emit('a', n);
    }
  }
  const e = new Quiet();
  const seen: number[] = [];
  e.on('a', () => {
    throw new Error('boom');
  });
  e.on('a', (n) => seen.push(n));
  e.fire(7);
  assert.deepEqual(seen, [7]);
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as Error).message, 'boom');
});

test('forwardTo: the receiver gets every event before the listeners; its exceptions are handled like a listener\'s; undefined removes it', () => {
  const errors: unknown[] = [];
  class Quiet extends TypedEmitter<Events> {
    constructor() {
      super((error) => errors.push(error));
    }
    fire<K extends keyof Events>(event: K, arg: Events[K]): void {
      this.emit(event, arg);
    }
  }
  const e = new Quiet();
  const order: string[] = [];
  const receiver: EventReceiver<Events> = {
    receive(event, arg) {
      order.push(`receiver ${event} ${String(arg)}`);
      if (arg === 'bad') throw new Error('receiver failed');
    },
  };
  e.on('a', (n) => order.push(`listener a ${n}`));
  e.forwardTo(receiver);
  e.fire('a', 1);
  e.fire('b', 'x');
  e.fire('b', 'bad');
  e.forwardTo(undefined);
  e.fire('a', 2);
  assert.deepEqual(order, ['receiver a 1', 'listener a 1', 'receiver b x', 'receiver b bad', 'listener a 2']);
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as Error).message, 'receiver failed');
});
