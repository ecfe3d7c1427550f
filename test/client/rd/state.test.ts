import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapStep,
  DEFAULT_RD_TIMING,
  INITIAL_BOOTSTRAP_STATE,
  initialRegState,
  nextUpdateAt,
  registrationStep,
  type BootstrapInput,
  type BootstrapState,
  type RdEffect,
  type RdTiming,
  type RegInput,
  type RegState,
} from '../../../src/client/rd/state.ts';

/** Drives a registration machine and records everything it asks for. */
class RegDriver {
  state: RegState;
  effects: RdEffect[] = [];
  now = 0;
  constructor(
    lifetime = 300,
    queueMode = false,
    readonly timing: RdTiming = DEFAULT_RD_TIMING,
  ) {
    this.state = initialRegState(lifetime, queueMode);
  }
  send(input: RegInput): RdEffect[] {
    const t = registrationStep(this.state, input, this.now, this.timing);
    this.state = t.state;
    this.effects.push(...t.effects);
    return [...t.effects];
  }
  /** Moves time to the machine's deadline and wakes it. */
  wake(): RdEffect[] {
    assert.ok(this.state.wakeAt !== undefined, `no deadline in phase ${this.state.phase}`);
    this.now = this.state.wakeAt;
    return this.send({ type: 'wake' });
  }
  events(): string[] {
    return this.effects.flatMap((e) => (e.type === 'emit' ? [e.event] : []));
  }
  clear(): void {
    this.effects = [];
  }
  registered(): void {
    this.send({ type: 'start' });
    this.send({ type: 'register-ok', location: '/rd/abc' });
    this.clear();
  }
}

const types = (effects: RdEffect[]): string[] =>
  effects.map((e) => (e.type === 'emit' ? `emit:${e.event}` : e.type === 'socket' ? `socket:${e.action}` : e.type));

describe('registration state machine', () => {
  test('start registers; success emits REGISTRATION_COMPLETE and schedules the Update before lifetime expiry', () => {
    const d = new RegDriver(300);
    assert.deepEqual(types(d.send({ type: 'start' })), ['socket:open', 'send-register']);
    assert.equal(d.state.phase, 'registering');
    d.now = 1000;
    assert.deepEqual(types(d.send({ type: 'register-ok', location: '/rd/abc' })), [
      'clear-observations',
      'emit:REGISTRATION_COMPLETE',
      'flush-queued',
    ]);
    assert.equal(d.state.phase, 'registered');
    assert.equal(d.state.location, '/rd/abc');
    assert.equal(d.state.wakeAt, 1000 + 300_000 - 6000);
  });

  test('periodic Update: REG_UPDATE, then REG_UPDATE_COMPLETE and the next deadline', () => {
    const d = new RegDriver(60);
    d.registered();
    assert.deepEqual(types(d.wake()), ['emit:REG_UPDATE', 'send-update']);
    assert.equal(d.now, 54_000);
    assert.equal(d.state.phase, 'updating');
    assert.deepEqual(types(d.send({ type: 'update-ok' })), ['emit:REG_UPDATE_COMPLETE', 'flush-queued']);
    assert.equal(d.state.wakeAt, 108_000);
  });

  test('updates never come more often than the 15 s minimum period', () => {
    const d = new RegDriver(10);
    d.registered();
    assert.equal(d.state.wakeAt, 15_000);
    assert.equal(nextUpdateAt({ ...d.state, lifetime: 30 }, DEFAULT_RD_TIMING), 24_000);
    assert.equal(nextUpdateAt({ ...d.state, lifetime: 3600 }, { ...DEFAULT_RD_TIMING, updatePeriodMs: 60_000 }), 60_000);
  });

  test('an Update answered with an error falls back to Register without a failure event', () => {
    const d = new RegDriver(60);
    d.registered();
    d.wake();
    d.clear();
    assert.deepEqual(types(d.send({ type: 'update-rejected', reason: '4.04 Not Found' })), ['send-register']);
    assert.equal(d.state.phase, 'registering');
    assert.equal(d.state.location, undefined);
    assert.deepEqual(d.events(), []);
  });

  test('an Update that times out raises REG_TIMEOUT and re-registers on a fresh socket', () => {
    const d = new RegDriver(60);
    d.registered();
    d.wake();
    d.clear();
    assert.deepEqual(types(d.send({ type: 'update-timeout' })), [
      'emit:REG_TIMEOUT',
      'socket:close',
      'socket:open',
      'send-register',
    ]);
  });

  test('a rejected Register emits REGISTRATION_FAILURE and retries with exponential backoff, then is exhausted', () => {
    const timing: RdTiming = { ...DEFAULT_RD_TIMING, recoveryDelayMs: undefined };
    const d = new RegDriver(300, false, timing);
    d.send({ type: 'start' });
    const delays: number[] = [];
    for (let i = 0; i < timing.maxRetries; i++) {
      d.send({ type: 'register-rejected', reason: '4.03 Forbidden' });
      assert.equal(d.state.phase, 'backoff');
      delays.push(d.state.wakeAt! - d.now);
      assert.deepEqual(types(d.wake()), ['socket:open', 'send-register']);
    }
    assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000]);
    d.clear();
    const last = d.send({ type: 'register-rejected', reason: '4.03 Forbidden' });
    assert.deepEqual(types(last), ['emit:REGISTRATION_FAILURE', 'socket:close', 'exhausted']);
    assert.equal(d.state.phase, 'idle');
    assert.equal(d.state.wakeAt, undefined);
  });

  test('with a recovery delay, exhaustion waits and then starts over', () => {
    const d = new RegDriver(300, false, { ...DEFAULT_RD_TIMING, maxRetries: 1, recoveryDelayMs: 60_000 });
    d.send({ type: 'start' });
    d.send({ type: 'register-timeout' });
    d.wake();
    d.clear();
    d.send({ type: 'register-timeout' });
    assert.deepEqual(types(d.effects), ['emit:REG_TIMEOUT', 'socket:close', 'exhausted']);
    assert.equal(d.state.phase, 'backoff');
    assert.equal(d.state.wakeAt! - d.now, 60_000);
    assert.deepEqual(types(d.wake()), ['socket:open', 'send-register']);
  });

  test('a Register timeout raises REG_TIMEOUT and backs off', () => {
    const d = new RegDriver();
    d.send({ type: 'start' });
    assert.deepEqual(types(d.send({ type: 'register-timeout' })), ['emit:REG_TIMEOUT']);
    assert.equal(d.state.phase, 'backoff');
  });

  test('stop de-registers: DEREGISTER, then DISCONNECT', () => {
    const d = new RegDriver();
    d.registered();
    assert.deepEqual(types(d.send({ type: 'stop', deregister: true })), ['emit:DEREGISTER', 'send-deregister']);
    assert.deepEqual(types(d.send({ type: 'deregister-ok' })), ['socket:close', 'emit:DISCONNECT']);
    assert.equal(d.state.phase, 'idle');
  });

  test('forced stop skips the De-register', () => {
    const d = new RegDriver();
    d.registered();
    assert.deepEqual(types(d.send({ type: 'stop', deregister: false })), ['socket:close', 'emit:DISCONNECT']);
  });

  test('a failed De-register emits DEREGISTER_FAILURE and still disconnects', () => {
    const d = new RegDriver();
    d.registered();
    d.send({ type: 'stop', deregister: true });
    d.clear();
    d.send({ type: 'deregister-failed', reason: 'timeout' });
    assert.deepEqual(d.events(), ['DEREGISTER_FAILURE', 'DISCONNECT']);
  });

  test('stop while registering aborts the request', () => {
    const d = new RegDriver();
    d.send({ type: 'start' });
    d.clear();
    assert.deepEqual(types(d.send({ type: 'stop', deregister: true })), ['abort-request', 'socket:close', 'emit:DISCONNECT']);
  });

  test('queue mode: RX off after the uptime, wake-up Update before sending, traffic keeps it awake', () => {
    const d = new RegDriver(3600, true);
    d.registered();
    assert.equal(d.state.wakeAt, 93_000);
    d.now = 50_000;
    d.send({ type: 'traffic' });
    assert.equal(d.state.wakeAt, 143_000);
    assert.deepEqual(types(d.wake()), ['emit:QUEUE_MODE_RX_OFF', 'socket:suspend']);
    assert.equal(d.state.phase, 'rx-off');
    assert.equal(d.state.wakeAt, nextUpdateAt(d.state, DEFAULT_RD_TIMING));
    d.now += 1000;
    assert.deepEqual(types(d.send({ type: 'outbound' })), ['socket:resume', 'emit:REG_UPDATE', 'send-update']);
    assert.deepEqual(types(d.send({ type: 'update-ok' })), ['emit:REG_UPDATE_COMPLETE', 'flush-queued']);
    assert.equal(d.state.phase, 'registered');
    assert.equal(d.state.wakeAt, d.now + 93_000);
  });

  test('queue mode: the periodic Update wakes a sleeping client', () => {
    const d = new RegDriver(200, true);
    d.registered();
    d.wake();
    assert.equal(d.state.phase, 'rx-off');
    d.clear();
    assert.deepEqual(types(d.wake()), ['socket:resume', 'emit:REG_UPDATE', 'send-update']);
    assert.equal(d.now, 194_000);
  });

  test('Disable de-registers, stays away for the timeout, then registers again', () => {
    const d = new RegDriver();
    d.registered();
    assert.deepEqual(types(d.send({ type: 'disable', seconds: 86400 })), ['emit:SERVER_DISABLED', 'send-deregister']);
    assert.deepEqual(types(d.send({ type: 'deregister-ok' })), ['socket:close']);
    assert.equal(d.state.phase, 'disabled');
    assert.equal(d.state.wakeAt, d.now + 86_400_000);
    d.send({ type: 'trigger-update' });
    assert.equal(d.state.phase, 'disabled');
    assert.deepEqual(types(d.wake()), ['socket:open', 'send-register']);
  });

  test('pause and resume: within the lifetime an Update, after it a new Register', () => {
    const d = new RegDriver(300);
    d.registered();
    assert.deepEqual(types(d.send({ type: 'pause' })), ['emit:ENGINE_SUSPENDED', 'socket:suspend']);
    assert.equal(d.state.wakeAt, undefined);
    d.send({ type: 'wake' });
    assert.equal(d.state.phase, 'suspended');
    d.now = 100_000;
    d.clear();
    assert.deepEqual(types(d.send({ type: 'resume' })), ['socket:resume', 'emit:REG_UPDATE', 'send-update']);

    const e = new RegDriver(300);
    e.registered();
    e.send({ type: 'pause' });
    e.now = 300_000;
    e.clear();
    assert.deepEqual(types(e.send({ type: 'resume' })), ['socket:resume', 'send-register']);
  });

  test('pause during an Update aborts it; resume sends it again', () => {
    const d = new RegDriver(60);
    d.registered();
    d.wake();
    d.clear();
    assert.deepEqual(types(d.send({ type: 'pause' })), ['abort-request', 'emit:ENGINE_SUSPENDED', 'socket:suspend']);
    d.now += 1000;
    assert.deepEqual(types(d.send({ type: 'resume' })), ['socket:resume', 'emit:REG_UPDATE', 'send-update']);
  });

  test('an Update asked for during Register goes out right after it, with the object list', () => {
    const d = new RegDriver();
    d.send({ type: 'start' });
    d.send({ type: 'trigger-update', content: { objects: true } });
    d.clear();
    const effects = d.send({ type: 'register-ok', location: '/rd/1' });
    const upd = effects.find((e) => e.type === 'send-update');
    assert.deepEqual(upd, { type: 'send-update', content: { objects: true, lifetime: false, binding: false } });
  });

  test('a lifetime change sends an Update carrying the lifetime', () => {
    const d = new RegDriver(300);
    d.registered();
    const effects = d.send({ type: 'lifetime-changed', lifetime: 600 });
    assert.deepEqual(effects.find((e) => e.type === 'send-update'), {
      type: 'send-update',
      content: { objects: false, lifetime: true, binding: false },
    });
    assert.equal(d.state.lifetime, 600);
    assert.deepEqual(d.send({ type: 'lifetime-changed', lifetime: 600 }), []);
  });

  test('a network error while registered re-establishes the registration with an Update if it is still valid', () => {
    const d = new RegDriver(300);
    d.registered();
    d.now = 10_000;
    assert.deepEqual(types(d.send({ type: 'network-error', reason: 'ICMP unreachable' })), ['emit:REG_TIMEOUT', 'socket:close']);
    assert.equal(d.state.phase, 'backoff');
    assert.deepEqual(types(d.wake()), ['socket:open', 'emit:REG_UPDATE', 'send-update']);
  });

  test('halt stops without events', () => {
    const d = new RegDriver();
    d.registered();
    assert.deepEqual(types(d.send({ type: 'halt' })), ['socket:close']);
    assert.equal(d.state.phase, 'idle');
  });

  test('results that do not belong to the current phase are ignored', () => {
    const d = new RegDriver();
    for (const input of [
      { type: 'register-ok', location: '/rd/x' },
      { type: 'update-ok' },
      { type: 'deregister-ok' },
      { type: 'wake' },
      { type: 'resume' },
    ] as RegInput[]) {
      assert.deepEqual(d.send(input), []);
      assert.equal(d.state.phase, 'idle');
    }
  });
});

class BsDriver {
  state: BootstrapState = INITIAL_BOOTSTRAP_STATE;
  now = 0;
  send(input: BootstrapInput): string[] {
    const t = bootstrapStep(this.state, input, this.now);
    this.state = t.state;
    return types([...t.effects]);
  }
  wake(): string[] {
    this.now = this.state.wakeAt!;
    return this.send({ type: 'wake' });
  }
}

describe('bootstrap state machine', () => {
  test('request, transfer, finish', () => {
    const b = new BsDriver();
    assert.deepEqual(b.send({ type: 'start' }), ['socket:open', 'send-bootstrap-request']);
    assert.deepEqual(b.send({ type: 'request-ok' }), ['emit:BOOTSTRAP_REG_COMPLETE']);
    assert.equal(b.state.phase, 'transfer');
    b.now = 5000;
    b.send({ type: 'activity' });
    assert.equal(b.state.wakeAt, 5000 + DEFAULT_RD_TIMING.bootstrapTransferTimeoutMs);
    assert.deepEqual(b.send({ type: 'finish' }), ['socket:close', 'emit:BOOTSTRAP_TRANSFER_COMPLETE', 'bootstrap-done']);
    assert.equal(b.state.phase, 'idle');
  });

  test('a rejected Bootstrap-Request fails at once', () => {
    const b = new BsDriver();
    b.send({ type: 'start' });
    assert.deepEqual(b.send({ type: 'request-rejected', reason: '4.00' }), ['socket:close', 'emit:BOOTSTRAP_REG_FAILURE']);
  });

  test('timeouts are retried with backoff, then BOOTSTRAP_REG_FAILURE', () => {
    const b = new BsDriver();
    b.send({ type: 'start' });
    for (let i = 0; i < DEFAULT_RD_TIMING.maxRetries; i++) {
      assert.deepEqual(b.send({ type: 'request-timeout' }), ['socket:close']);
      assert.equal(b.state.wakeAt! - b.now, 1000 * 2 ** i);
      assert.deepEqual(b.wake(), ['socket:open', 'send-bootstrap-request']);
    }
    assert.deepEqual(b.send({ type: 'request-timeout' }), ['socket:close', 'emit:BOOTSTRAP_REG_FAILURE']);
  });

  test('no Bootstrap-Finish within the transfer timeout asks again', () => {
    const b = new BsDriver();
    b.send({ type: 'start' });
    b.send({ type: 'request-ok' });
    assert.deepEqual(b.wake(), ['socket:close']);
    assert.equal(b.state.phase, 'backoff');
  });

  test('pause and resume re-request the bootstrap', () => {
    const b = new BsDriver();
    b.send({ type: 'start' });
    b.send({ type: 'request-ok' });
    assert.deepEqual(b.send({ type: 'pause' }), ['emit:ENGINE_SUSPENDED', 'socket:suspend']);
    assert.deepEqual(b.send({ type: 'finish' }), []);
    assert.deepEqual(b.send({ type: 'resume' }), ['socket:resume', 'socket:open', 'send-bootstrap-request']);
  });
});
