/**
 * The LwM2M 1.1 registration retry procedure (LwM2M Core 1.1.1 6.2.1.1, /1/x/17-20) in the pure RD
 * state machines: exact attempt times on fake time, sequences, failure, resets on success, the
 * bootstrap request under the same procedure, and the precedence of the client's timing option.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapStep,
  DEFAULT_COMMUNICATION_RETRY,
  DEFAULT_RD_TIMING,
  INITIAL_BOOTSTRAP_STATE,
  initialRegState,
  nextRetry,
  registrationStep,
  resolveTiming,
  type BootstrapInput,
  type BootstrapState,
  type CommunicationRetry,
  type RdEffect,
  type RdTiming,
  type RegInput,
  type RegState,
} from '../../../src/client/rd/state.ts';

const S = 1000;

const types = (effects: readonly RdEffect[]): string[] =>
  effects.map((e) => (e.type === 'emit' ? `emit:${e.event}` : e.type === 'socket' ? `socket:${e.action}` : e.type));

/** A registration machine on fake time that records when each Register went out. */
class Reg {
  state: RegState = initialRegState(300, false);
  now = 0;
  readonly attempts: number[] = [];
  readonly log: string[] = [];
  constructor(readonly timing: RdTiming) {}
  send(input: RegInput): string[] {
    const t = registrationStep(this.state, input, this.now, this.timing);
    this.state = t.state;
    if (t.effects.some((e) => e.type === 'send-register')) this.attempts.push(this.now);
    const out = types(t.effects);
    this.log.push(...out);
    return out;
  }
  wake(): string[] {
    assert.ok(this.state.wakeAt !== undefined, `no deadline in phase ${this.state.phase}`);
    this.now = this.state.wakeAt;
    return this.send({ type: 'wake' });
  }
  /** The pending Register fails after `afterMs` (a 5.03 at once, or a CoAP timeout later). */
  fail(afterMs = 0, how: 'rejected' | 'timeout' = 'rejected'): string[] {
    assert.equal(this.state.phase, 'registering');
    this.now += afterMs;
    return this.send(how === 'rejected' ? { type: 'register-rejected', reason: '5.03 Service Unavailable' } : { type: 'register-timeout' });
  }
}

const procedure = (p: Partial<CommunicationRetry>): RdTiming => ({ ...DEFAULT_RD_TIMING, communicationRetry: { ...DEFAULT_COMMUNICATION_RETRY, ...p } });

describe('1.1 registration retry procedure', () => {
  test('count 3, timer 60 s: attempts at 0, 60, 180 s; then the sequence delay and the next sequence', () => {
    const r = new Reg(procedure({ retryCount: 3, retryTimerMs: 60 * S, sequenceDelayMs: 600 * S, sequenceRetryCount: 2 }));
    r.send({ type: 'start' });
    r.fail();
    assert.equal(r.state.phase, 'backoff');
    r.wake();
    r.fail();
    r.wake();
    assert.deepEqual(r.attempts, [0, 60 * S, 180 * S]);
    assert.deepEqual(r.fail(), ['emit:REGISTRATION_FAILURE', 'socket:close'], 'the sequence failed: the socket closes for the delay');
    assert.equal(r.state.sequences, 1);
    assert.equal(r.state.wakeAt, 780 * S, 'sequence delay after the last attempt of the first sequence');
    assert.deepEqual(r.wake(), ['socket:open', 'send-register']);
    r.fail();
    r.wake();
    r.fail();
    r.wake();
    assert.deepEqual(r.attempts, [0, 60 * S, 180 * S, 780 * S, 840 * S, 960 * S]);
    assert.deepEqual(r.fail(), ['emit:REGISTRATION_FAILURE', 'socket:close', 'exhausted'], 'every sequence failed: registration failure');
    assert.equal(r.state.phase, 'backoff');
    assert.equal(r.state.sequences, undefined);
    assert.equal(r.state.retries, 0);
    assert.equal(r.state.wakeAt, 1560 * S, 'a client left alone starts over after the sequence delay');
    r.wake();
    assert.equal(r.attempts.at(-1), 1560 * S);
  });

  test('waits count from the failure of each attempt (CoAP timeouts take their time)', () => {
    const r = new Reg(procedure({ retryCount: 4, retryTimerMs: 10 * S, sequenceDelayMs: 100 * S, sequenceRetryCount: 1 }));
    r.send({ type: 'start' });
    assert.deepEqual(r.fail(93 * S, 'timeout'), ['emit:REG_TIMEOUT']);
    r.wake();
    r.fail(93 * S, 'timeout');
    r.wake();
    r.fail(0);
    r.wake();
    // 0 fails at 93, +10 -> 103 fails at 196, +20 -> 216 fails at 216, +40 -> 256
    assert.deepEqual(r.attempts, [0, 103 * S, 216 * S, 256 * S]);
    assert.deepEqual(r.fail(93 * S, 'timeout'), ['emit:REG_TIMEOUT', 'socket:close', 'exhausted'], 'sequence retry count 1: no second sequence');
  });

  test('a success in the middle resets attempt and sequence counters', () => {
    const r = new Reg(procedure({ retryCount: 3, retryTimerMs: 5 * S, sequenceDelayMs: 50 * S, sequenceRetryCount: 3 }));
    r.send({ type: 'start' });
    for (let i = 0; i < 2; i++) {
      r.fail();
      r.wake();
    }
    r.fail();
    assert.equal(r.state.sequences, 1);
    r.wake();
    r.fail();
    assert.equal(r.state.retries, 1);
    r.wake();
    assert.deepEqual(r.attempts, [0, 5 * S, 15 * S, 65 * S, 70 * S]);
    r.send({ type: 'register-ok', location: '/rd/1' });
    assert.equal(r.state.phase, 'registered');
    assert.equal(r.state.retries, 0);
    assert.equal(r.state.sequences, undefined);
    // The server goes away later: the lost connection is the first failed attempt of a fresh sequence.
    r.now += 1000 * S;
    r.send({ type: 'network-error', reason: 'ICMP port unreachable' });
    assert.equal(r.state.wakeAt, r.now + 5 * S, 'first wait of a fresh sequence');
    r.wake();
    assert.equal(r.state.phase, 'registering', 'the old registration expired: a new Register');
    const from = r.now;
    r.fail();
    r.wake();
    assert.equal(r.now - from, 10 * S, 'second wait of the sequence: timer * 2');
    r.fail();
    assert.equal(r.state.sequences, 1, 'one sequence failed, two more allowed');
    assert.deepEqual(r.log.filter((x) => x === 'exhausted'), []);
  });

  test('a retry count below 1 makes one attempt per sequence; a timer of 0 retries at once', () => {
    const r = new Reg(procedure({ retryCount: 0, retryTimerMs: 0, sequenceDelayMs: 30 * S, sequenceRetryCount: 2 }));
    r.send({ type: 'start' });
    r.fail();
    assert.equal(r.state.wakeAt, 30 * S);
    r.wake();
    assert.deepEqual(r.fail(), ['emit:REGISTRATION_FAILURE', 'socket:close', 'exhausted']);
    assert.deepEqual(nextRetry({ retries: 0 }, { retryCount: 3, retryTimerMs: 0, sequenceDelayMs: 1, sequenceRetryCount: 1 }), {
      kind: 'attempt',
      retries: 1,
      sequences: 0,
      delayMs: 0,
    });
  });

  test('without a recovery delay the machine stays idle after the registration failure', () => {
    const r = new Reg({ ...procedure({ retryCount: 1, sequenceRetryCount: 1 }), recoveryDelayMs: undefined });
    r.send({ type: 'start' });
    assert.deepEqual(r.fail(), ['emit:REGISTRATION_FAILURE', 'socket:close', 'exhausted']);
    assert.equal(r.state.phase, 'idle');
    assert.equal(r.state.wakeAt, undefined);
  });

  test('stop between sequences forgets the counters; start begins a fresh procedure', () => {
    const r = new Reg(procedure({ retryCount: 1, retryTimerMs: S, sequenceDelayMs: 10 * S, sequenceRetryCount: 3 }));
    r.send({ type: 'start' });
    r.fail();
    assert.equal(r.state.sequences, 1);
    r.send({ type: 'stop', deregister: true });
    assert.equal(r.state.phase, 'idle');
    assert.equal(r.state.sequences, undefined);
    r.send({ type: 'start' });
    r.fail();
    assert.equal(r.state.sequences, 1);
  });
});

class Bs {
  state: BootstrapState = INITIAL_BOOTSTRAP_STATE;
  now = 0;
  readonly requests: number[] = [];
  constructor(readonly timing: RdTiming) {}
  send(input: BootstrapInput): string[] {
    const t = bootstrapStep(this.state, input, this.now, this.timing);
    this.state = t.state;
    if (t.effects.some((e) => e.type === 'send-bootstrap-request')) this.requests.push(this.now);
    return types(t.effects);
  }
  wake(): string[] {
    this.now = this.state.wakeAt!;
    return this.send({ type: 'wake' });
  }
}

describe('1.1 retry procedure for the Bootstrap-Request', () => {
  test('rejections and timeouts are attempts; BOOTSTRAP_REG_FAILURE when the last sequence failed', () => {
    const b = new Bs(procedure({ retryCount: 2, retryTimerMs: 60 * S, sequenceDelayMs: 300 * S, sequenceRetryCount: 2 }));
    b.send({ type: 'start' });
    assert.deepEqual(b.send({ type: 'request-rejected', reason: '5.03' }), ['socket:close']);
    b.wake();
    b.send({ type: 'request-timeout' });
    assert.equal(b.state.sequences, 1);
    b.wake();
    b.send({ type: 'request-rejected', reason: '5.03' });
    b.wake();
    assert.deepEqual(b.requests, [0, 60 * S, 360 * S, 420 * S]);
    assert.deepEqual(b.send({ type: 'request-rejected', reason: '4.03' }), ['socket:close', 'emit:BOOTSTRAP_REG_FAILURE']);
    assert.deepEqual(b.state, INITIAL_BOOTSTRAP_STATE);
  });

  test('pause keeps the counters; resume asks again within the same sequence', () => {
    const b = new Bs(procedure({ retryCount: 1, retryTimerMs: S, sequenceDelayMs: 10 * S, sequenceRetryCount: 2 }));
    b.send({ type: 'start' });
    b.send({ type: 'request-timeout' });
    assert.equal(b.state.sequences, 1);
    b.send({ type: 'pause' });
    assert.equal(b.state.sequences, 1);
    assert.deepEqual(b.send({ type: 'resume' }), ['socket:resume', 'socket:open', 'send-bootstrap-request']);
    assert.equal(b.state.sequences, 1);
    assert.deepEqual(b.send({ type: 'request-timeout' }), ['socket:close', 'emit:BOOTSTRAP_REG_FAILURE']);
  });
});

describe('timing precedence', () => {
  const fromServer: CommunicationRetry = { retryCount: 2, retryTimerMs: 1000, sequenceDelayMs: 2000, sequenceRetryCount: 2 };

  test('without an explicit retry setting the Server resources select the 1.1 procedure', () => {
    assert.deepEqual(resolveTiming(undefined, fromServer).communicationRetry, fromServer);
    const t = resolveTiming({ queueModeUptimeMs: 5000 }, fromServer);
    assert.deepEqual(t.communicationRetry, fromServer);
    assert.equal(t.queueModeUptimeMs, 5000);
  });

  test('an explicit maxRetries, retryBaseMs, recoveryDelayMs or communicationRetry wins over the resources', () => {
    for (const explicit of [{ maxRetries: 1 }, { retryBaseMs: 10 }, { recoveryDelayMs: undefined }, { communicationRetry: DEFAULT_COMMUNICATION_RETRY }]) {
      const t = resolveTiming(explicit, fromServer);
      assert.notDeepEqual(t.communicationRetry, fromServer, JSON.stringify(explicit));
    }
    assert.equal(resolveTiming({ retryBaseMs: 10 }, fromServer).retryBaseMs, 10);
  });

  test('no resources: the Zephyr-style timing, shared when nothing is set', () => {
    assert.equal(resolveTiming(undefined, undefined), DEFAULT_RD_TIMING);
    assert.equal(resolveTiming({ maxRetries: 2 }).communicationRetry, undefined);
  });
});
