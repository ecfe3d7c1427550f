/**
 * The RD client as pure state machines (LwM2M Core 6.1 Bootstrap, 6.2 Registration): a state and an
 * input give a new state and a list of effects. Nothing here touches a socket or a timer: the runner
 * carries out the effects and feeds back results and timer expiries. Each state holds at most one
 * deadline (`wakeAt`), so a client needs one timer per machine however much it does.
 *
 * One RegistrationMachine runs per LwM2M Server account; one BootstrapMachine per client.
 */
import type { RdEventType } from './events.ts';

export interface RdTiming {
  /** Registration retries before giving up (the seed's CONFIG_LWM2M_RD_CLIENT_MAX_RETRIES). */
  readonly maxRetries: number;
  /** First retry delay; each further retry doubles it. */
  readonly retryBaseMs: number;
  /** Send the Update this long before the lifetime runs out (CONFIG_LWM2M_SECONDS_TO_UPDATE_EARLY). */
  readonly updateEarlyMs: number;
  /** Never update more often than this (the seed's 15 s minimum period). */
  readonly minimumUpdatePeriodMs: number;
  /** Optional fixed update period (CONFIG_LWM2M_UPDATE_PERIOD); the earlier of the two wins. */
  readonly updatePeriodMs?: number;
  /** Queue mode: how long to stay reachable after the last traffic (the spec's default: MAX_TRANSMIT_WAIT, 93 s). */
  readonly queueModeUptimeMs: number;
  /** After NETWORK_ERROR, wait this long and start over (undefined: stay stopped, as the seed does). */
  readonly recoveryDelayMs?: number;
  /** Bootstrap: give up waiting for Bootstrap-Finish after this long without a bootstrap operation. */
  readonly bootstrapTransferTimeoutMs: number;
  /**
   * The LwM2M 1.1 retry procedure (from /1/x/17-20, see `resolveTiming`). When set, failed attempts
   * follow it instead of `maxRetries` / `retryBaseMs`, and after a registration failure the machine
   * starts over after the Communication Sequence Delay Timer (unless `recoveryDelayMs` is undefined).
   */
  readonly communicationRetry?: CommunicationRetry;
}

/**
 * The registration retry procedure of LwM2M Core 1.1.1 6.2.1.1, from the Server object (E.2): a
 * registration attempt sequence makes up to `retryCount` attempts, attempt n+1 following the failed
 * attempt n after `retryTimerMs * 2^(n-1)`; a failed sequence is followed by the next one after
 * `sequenceDelayMs`; when `sequenceRetryCount` sequences have failed, the registration has failed
 * (and Bootstrap on Registration Failure /1/x/16 applies).
 */
export interface CommunicationRetry {
  /** /1/x/17 Communication Retry Count: attempts per sequence (values below 1 count as 1). */
  readonly retryCount: number;
  /** /1/x/18 Communication Retry Timer, in ms: the base of the exponential wait between attempts. */
  readonly retryTimerMs: number;
  /** /1/x/19 Communication Sequence Delay Timer, in ms: the wait between sequences. */
  readonly sequenceDelayMs: number;
  /** /1/x/20 Communication Sequence Retry Count: sequences before the registration fails (below 1 counts as 1). */
  readonly sequenceRetryCount: number;
}

/** The defaults of /1/x/17-20 (LwM2M Core 1.1.1 E.2): 5 attempts, 60 s timer, 86400 s sequence delay, 1 sequence. */
export const DEFAULT_COMMUNICATION_RETRY: CommunicationRetry = {
  retryCount: 5,
  retryTimerMs: 60_000,
  sequenceDelayMs: 86_400_000,
  sequenceRetryCount: 1,
};

/** The timing fields an application sets to choose the Zephyr-style backoff itself. */
const EXPLICIT_RETRY_FIELDS = ['maxRetries', 'retryBaseMs', 'recoveryDelayMs', 'communicationRetry'] as const;

/**
 * The timing a machine runs with. Precedence: a `timing` option of the client that sets any of
 * `maxRetries`, `retryBaseMs`, `recoveryDelayMs` or `communicationRetry` wins over the Server
 * object's /1/x/17-20 (tests and fleets rely on fast timings); otherwise the resources (`fromServer`,
 * given for an LwM2M 1.1 client whose Server instance has any of them) select the 1.1 procedure;
 * otherwise the Zephyr-style backoff of DEFAULT_RD_TIMING applies (LwM2M 1.0, or no such resources).
 */
export function resolveTiming(explicit: Partial<RdTiming> | undefined, fromServer?: CommunicationRetry): RdTiming {
  const base = explicit === undefined ? DEFAULT_RD_TIMING : { ...DEFAULT_RD_TIMING, ...explicit };
  if (fromServer === undefined) return base;
  if (explicit !== undefined && EXPLICIT_RETRY_FIELDS.some((k) => k in explicit)) return base;
  return { ...base, communicationRetry: fromServer };
}

export const DEFAULT_RD_TIMING: RdTiming = {
  maxRetries: 5,
  retryBaseMs: 1000,
  updateEarlyMs: 6000,
  minimumUpdatePeriodMs: 15000,
  queueModeUptimeMs: 93000,
  recoveryDelayMs: 300000,
  bootstrapTransferTimeoutMs: 247000,
};

/** What an Update must carry besides the location (LwM2M Core 6.2.2). */
export interface UpdateContent {
  readonly objects: boolean;
  readonly lifetime: boolean;
  readonly binding: boolean;
}

const NO_UPDATE_CONTENT: UpdateContent = { objects: false, lifetime: false, binding: false };

function mergeContent(a: UpdateContent | undefined, b: Partial<UpdateContent>): UpdateContent {
  const base = a ?? NO_UPDATE_CONTENT;
  return {
    objects: base.objects || b.objects === true,
    lifetime: base.lifetime || b.lifetime === true,
    binding: base.binding || b.binding === true,
  };
}

export type SocketAction = 'open' | 'close' | 'suspend' | 'resume';

export type RdEffect =
  | { readonly type: 'send-register' }
  | { readonly type: 'send-update'; readonly content: UpdateContent }
  | { readonly type: 'send-deregister' }
  | { readonly type: 'send-bootstrap-request' }
  | { readonly type: 'abort-request' }
  | { readonly type: 'emit'; readonly event: RdEventType; readonly reason?: string }
  | { readonly type: 'socket'; readonly action: SocketAction }
  /** Deliver notifications and Sends buffered while the client was not reachable. */
  | { readonly type: 'flush-queued' }
  /** A new registration: observations of the previous one are gone (LwM2M Core 6.2.1). */
  | { readonly type: 'clear-observations' }
  /** Retries are used up; the orchestrator decides on fallback to bootstrap or NETWORK_ERROR. */
  | { readonly type: 'exhausted' }
  /** Bootstrap finished: the orchestrator starts the registrations. */
  | { readonly type: 'bootstrap-done' };

export interface Transition<S> {
  readonly state: S;
  readonly effects: readonly RdEffect[];
}

// ---------------------------------------------------------------------------------------------
// Registration

export type RegPhase =
  | 'idle'
  | 'registering'
  | 'registered'
  | 'rx-off'
  | 'updating'
  | 'deregistering'
  | 'backoff'
  | 'disabled'
  | 'suspended';

export interface RegState {
  readonly phase: RegPhase;
  /** Registration lifetime in seconds (/1/x/1). */
  readonly lifetime: number;
  readonly queueMode: boolean;
  /** Location path the server gave at registration (e.g. "/rd/5a3f"). */
  readonly location?: string;
  /** When the last Register or Update succeeded (clock ms). */
  readonly lastUpdateAt?: number;
  /** Last traffic with the server (queue mode keeps the socket open this long after it). */
  readonly lastTrafficAt?: number;
  /** Failed attempts so far (in the current sequence, with the 1.1 retry procedure). */
  readonly retries: number;
  /** 1.1 retry procedure: failed attempt sequences so far (absent when none). */
  readonly sequences?: number;
  /** An Update that was asked for while another exchange was in flight. */
  readonly pendingUpdate?: UpdateContent;
  /** The phase that `resume` returns to. */
  readonly suspendedFrom?: RegPhase;
  /** Why the machine is de-registering: the application stops it, or the server was disabled. */
  readonly deregisterFor?: 'stop' | 'disable';
  /** Disable timeout in ms, while de-registering for a Disable. */
  readonly disableForMs?: number;
  /** The one deadline the runner must wake the machine at. */
  readonly wakeAt?: number;
}

export type RegInput =
  | { readonly type: 'start' }
  | { readonly type: 'stop'; readonly deregister: boolean }
  /** Stop silently (no events), e.g. when the orchestrator falls back to bootstrap. */
  | { readonly type: 'halt' }
  | { readonly type: 'register-ok'; readonly location: string }
  | { readonly type: 'register-rejected'; readonly reason: string }
  | { readonly type: 'register-timeout'; readonly reason?: string }
  | { readonly type: 'update-ok' }
  | { readonly type: 'update-rejected'; readonly reason: string }
  | { readonly type: 'update-timeout'; readonly reason?: string }
  | { readonly type: 'deregister-ok' }
  | { readonly type: 'deregister-failed'; readonly reason: string }
  | { readonly type: 'wake' }
  | { readonly type: 'trigger-update'; readonly content?: Partial<UpdateContent> }
  | { readonly type: 'lifetime-changed'; readonly lifetime: number }
  | { readonly type: 'disable'; readonly seconds: number }
  /** Traffic with the server (a request answered, a notification sent): keeps queue mode awake. */
  | { readonly type: 'traffic' }
  /** The application has something to send (queue mode: wake up with an Update first). */
  | { readonly type: 'outbound' }
  /** A transport failure (socket error, DTLS failure) or a CON to the server that timed out. */
  | { readonly type: 'network-error'; readonly reason: string }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' };

export function initialRegState(lifetime: number, queueMode: boolean): RegState {
  return { phase: 'idle', lifetime, queueMode, retries: 0 };
}

/** True while the server holds a registration for us (requests can be served). */
export function isRegistered(state: RegState): boolean {
  return state.phase === 'registered' || state.phase === 'rx-off' || state.phase === 'updating';
}

/** When the next periodic Update is due (clock ms), given the last successful Register/Update. */
export function nextUpdateAt(state: RegState, timing: RdTiming): number {
  const lifetimeMs = state.lifetime * 1000;
  const early = Math.min(timing.updateEarlyMs, lifetimeMs);
  let period = lifetimeMs - early;
  if (timing.updatePeriodMs !== undefined && timing.updatePeriodMs > 0) period = Math.min(period, timing.updatePeriodMs);
  period = Math.max(period, timing.minimumUpdatePeriodMs);
  return (state.lastUpdateAt ?? 0) + period;
}

function registrationExpired(state: RegState, now: number): boolean {
  return state.lastUpdateAt === undefined || now - state.lastUpdateAt >= state.lifetime * 1000;
}

/** The deadline of a registered (listening or sleeping) state: the Update, or the queue-mode RX off. */
function registeredWakeAt(state: RegState, timing: RdTiming): number {
  const update = nextUpdateAt(state, timing);
  if (state.phase !== 'registered' || !state.queueMode) return update;
  const rxOff = (state.lastTrafficAt ?? state.lastUpdateAt ?? 0) + timing.queueModeUptimeMs;
  return Math.min(update, rxOff);
}

function emit(event: RdEventType, reason?: string): RdEffect {
  return reason === undefined ? { type: 'emit', event } : { type: 'emit', event, reason };
}

function withWake(state: RegState, timing: RdTiming): RegState {
  return { ...state, wakeAt: registeredWakeAt(state, timing) };
}

function register(state: RegState, effects: RdEffect[]): Transition<RegState> {
  const { wakeAt: _w, pendingUpdate: _p, location: _l, ...rest } = state;
  effects.push({ type: 'send-register' });
  return { state: { ...rest, phase: 'registering' }, effects };
}

function update(state: RegState, content: UpdateContent, effects: RdEffect[]): Transition<RegState> {
  const { wakeAt: _w, pendingUpdate: _p, ...rest } = state;
  if (state.phase === 'rx-off') effects.push({ type: 'socket', action: 'resume' });
  effects.push(emit('REG_UPDATE'), { type: 'send-update', content });
  return { state: { ...rest, phase: 'updating' }, effects };
}

/** Drops the retry counters (a success, a fresh start). */
function fresh(state: RegState): RegState {
  if (state.sequences === undefined) return state.retries === 0 ? state : { ...state, retries: 0 };
  const { sequences: _s, ...rest } = state;
  return { ...rest, retries: 0 };
}

/** A failed attempt: wait and retry with exponential backoff, or report exhaustion. */
function backoff(state: RegState, now: number, timing: RdTiming, effects: RdEffect[]): Transition<RegState> {
  const { wakeAt: _w, pendingUpdate: _p, ...rest } = state;
  if (timing.communicationRetry !== undefined) return retrySequence(rest, now, timing, timing.communicationRetry, effects);
  if (state.retries >= timing.maxRetries) {
    effects.push({ type: 'socket', action: 'close' }, { type: 'exhausted' });
    if (timing.recoveryDelayMs === undefined) return { state: { ...rest, phase: 'idle', retries: 0 }, effects };
    return { state: { ...rest, phase: 'backoff', retries: 0, wakeAt: now + timing.recoveryDelayMs }, effects };
  }
  const delay = timing.retryBaseMs * 2 ** state.retries;
  return { state: { ...rest, phase: 'backoff', retries: state.retries + 1, wakeAt: now + delay }, effects };
}

/**
 * Where the 1.1 retry procedure goes after a failed attempt (LwM2M Core 1.1.1 6.2.1.1): the next
 * attempt of the sequence, the next sequence after the sequence delay, or a registration failure.
 */
export function nextRetry(
  counters: { readonly retries: number; readonly sequences?: number | undefined },
  p: CommunicationRetry,
): { readonly kind: 'attempt' | 'sequence' | 'failed'; readonly retries: number; readonly sequences: number; readonly delayMs: number } {
  const attempt = counters.retries + 1;
  const sequences = counters.sequences ?? 0;
  if (attempt < Math.max(1, p.retryCount)) return { kind: 'attempt', retries: attempt, sequences, delayMs: p.retryTimerMs * 2 ** (attempt - 1) };
  if (sequences + 1 < Math.max(1, p.sequenceRetryCount)) return { kind: 'sequence', retries: 0, sequences: sequences + 1, delayMs: p.sequenceDelayMs };
  return { kind: 'failed', retries: 0, sequences: 0, delayMs: p.sequenceDelayMs };
}

function retrySequence(rest: RegState, now: number, timing: RdTiming, p: CommunicationRetry, effects: RdEffect[]): Transition<RegState> {
  const next = nextRetry(rest, p);
  const wakeAt = now + next.delayMs;
  switch (next.kind) {
    case 'attempt':
      return { state: { ...rest, phase: 'backoff', retries: next.retries, wakeAt }, effects };
    case 'sequence':
      // A sequence delay may be long (a day by default): nothing is kept open meanwhile.
      effects.push({ type: 'socket', action: 'close' });
      return { state: { ...rest, phase: 'backoff', retries: 0, sequences: next.sequences, wakeAt }, effects };
    case 'failed': {
      effects.push({ type: 'socket', action: 'close' }, { type: 'exhausted' });
      const reset = fresh(rest);
      if (timing.recoveryDelayMs === undefined) return { state: { ...reset, phase: 'idle' }, effects };
      return { state: { ...reset, phase: 'backoff', wakeAt }, effects };
    }
  }
}

function deregistered(state: RegState, now: number, effects: RdEffect[]): Transition<RegState> {
  const { wakeAt: _w, pendingUpdate: _p, location: _l, sequences: _s, deregisterFor, disableForMs, ...rest } = state;
  effects.push({ type: 'socket', action: 'close' });
  if (deregisterFor === 'disable') {
    return { state: { ...rest, phase: 'disabled', retries: 0, wakeAt: now + (disableForMs ?? 0) }, effects };
  }
  effects.push(emit('DISCONNECT'));
  const { lastUpdateAt: _u, ...idle } = rest;
  return { state: { ...idle, phase: 'idle', retries: 0 }, effects };
}

/**
 * The registration state machine of one server account (LwM2M Core 6.2; failure handling after the
 * seed: retries with exponential backoff, Update failure falls back to Register, Disable).
 */
export function registrationStep(state: RegState, input: RegInput, now: number, timing: RdTiming = DEFAULT_RD_TIMING): Transition<RegState> {
  const effects: RdEffect[] = [];
  const same = (): Transition<RegState> => ({ state, effects });

  if (state.phase === 'suspended') {
    if (input.type === 'resume') return resumeRegistration(state, now, timing, effects);
    if (input.type === 'halt') return { state: initialRegState(state.lifetime, state.queueMode), effects: [{ type: 'socket', action: 'close' }] };
    if (input.type === 'stop') return deregistered({ ...state, deregisterFor: 'stop' }, now, effects);
    if (input.type === 'lifetime-changed') return { state: { ...state, lifetime: input.lifetime }, effects };
    return same();
  }

  switch (input.type) {
    case 'start':
      if (state.phase !== 'idle' && state.phase !== 'disabled') return same();
      effects.push({ type: 'socket', action: 'open' });
      return register(fresh(state), effects);

    case 'stop': {
      if (state.phase === 'idle') return same();
      const stopping: RegState = { ...state, deregisterFor: 'stop' };
      if (input.deregister && isRegistered(state)) {
        if (state.phase === 'updating') effects.push({ type: 'abort-request' });
        if (state.phase === 'rx-off') effects.push({ type: 'socket', action: 'resume' });
        effects.push(emit('DEREGISTER'), { type: 'send-deregister' });
        const { wakeAt: _w, ...rest } = stopping;
        return { state: { ...rest, phase: 'deregistering' }, effects };
      }
      if (state.phase === 'registering' || state.phase === 'updating' || state.phase === 'deregistering') {
        effects.push({ type: 'abort-request' });
      }
      return deregistered(stopping, now, effects);
    }

    case 'halt': {
      if (state.phase === 'idle') return same();
      if (state.phase === 'registering' || state.phase === 'updating' || state.phase === 'deregistering') {
        effects.push({ type: 'abort-request' });
      }
      effects.push({ type: 'socket', action: 'close' });
      return { state: initialRegState(state.lifetime, state.queueMode), effects };
    }

    case 'register-ok': {
      if (state.phase !== 'registering') return same();
      effects.push({ type: 'clear-observations' }, emit('REGISTRATION_COMPLETE'), { type: 'flush-queued' });
      const registered: RegState = {
        ...fresh(state),
        phase: 'registered',
        location: input.location,
        lastUpdateAt: now,
        lastTrafficAt: now,
      };
      if (state.pendingUpdate !== undefined) return update(registered, state.pendingUpdate, effects);
      return { state: withWake(registered, timing), effects };
    }

    case 'register-rejected':
      if (state.phase !== 'registering') return same();
      effects.push(emit('REGISTRATION_FAILURE', input.reason));
      return backoff(state, now, timing, effects);

    case 'register-timeout':
      if (state.phase !== 'registering') return same();
      effects.push(emit('REG_TIMEOUT', input.reason ?? 'timeout'));
      return backoff(state, now, timing, effects);

    case 'update-ok': {
      if (state.phase !== 'updating') return same();
      effects.push(emit('REG_UPDATE_COMPLETE'), { type: 'flush-queued' });
      const registered: RegState = { ...fresh(state), phase: 'registered', lastUpdateAt: now, lastTrafficAt: now };
      if (state.pendingUpdate !== undefined) return update(registered, state.pendingUpdate, effects);
      return { state: withWake(registered, timing), effects };
    }

    case 'update-rejected':
      // The server lost our registration (typically 4.04): register again, no failure event.
      if (state.phase !== 'updating') return same();
      return register(state, effects);

    case 'update-timeout':
      if (state.phase !== 'updating') return same();
      effects.push(emit('REG_TIMEOUT', input.reason ?? 'timeout'), { type: 'socket', action: 'close' }, { type: 'socket', action: 'open' });
      return register(state, effects);

    case 'deregister-ok':
      if (state.phase !== 'deregistering') return same();
      return deregistered(state, now, effects);

    case 'deregister-failed':
      if (state.phase !== 'deregistering') return same();
      effects.push(emit('DEREGISTER_FAILURE', input.reason));
      return deregistered(state, now, effects);

    case 'wake':
      return onWake(state, now, timing, effects);

    case 'trigger-update': {
      const content = mergeContent(undefined, input.content ?? {});
      if (state.phase === 'registered' || state.phase === 'rx-off') return update(state, content, effects);
      if (state.phase === 'registering' || state.phase === 'updating') {
        return { state: { ...state, pendingUpdate: mergeContent(state.pendingUpdate, content) }, effects };
      }
      return same();
    }

    case 'lifetime-changed': {
      const changed: RegState = { ...state, lifetime: input.lifetime };
      if (input.lifetime === state.lifetime) return same();
      return registrationStep(changed, { type: 'trigger-update', content: { lifetime: true } }, now, timing);
    }

    case 'disable': {
      const disableForMs = Math.max(0, input.seconds) * 1000;
      if (state.phase === 'idle' || state.phase === 'disabled' || state.phase === 'deregistering') return same();
      effects.push(emit('SERVER_DISABLED'));
      if (isRegistered(state)) {
        if (state.phase === 'updating') effects.push({ type: 'abort-request' });
        if (state.phase === 'rx-off') effects.push({ type: 'socket', action: 'resume' });
        effects.push({ type: 'send-deregister' });
        const { wakeAt: _w, pendingUpdate: _p, ...rest } = state;
        return { state: { ...rest, phase: 'deregistering', deregisterFor: 'disable', disableForMs }, effects };
      }
      if (state.phase === 'registering') effects.push({ type: 'abort-request' });
      return deregistered({ ...state, deregisterFor: 'disable', disableForMs }, now, effects);
    }

    case 'traffic':
      if (state.phase !== 'registered') return same();
      return { state: withWake({ ...state, lastTrafficAt: now }, timing), effects };

    case 'outbound':
      if (state.phase === 'rx-off') return update(state, NO_UPDATE_CONTENT, effects);
      if (state.phase === 'registered') return { state: withWake({ ...state, lastTrafficAt: now }, timing), effects };
      return same();

    case 'network-error':
      switch (state.phase) {
        case 'registering':
          return registrationStep(state, { type: 'register-timeout', reason: input.reason }, now, timing);
        case 'updating':
          return registrationStep(state, { type: 'update-timeout', reason: input.reason }, now, timing);
        case 'deregistering':
          return registrationStep(state, { type: 'deregister-failed', reason: input.reason }, now, timing);
        case 'registered':
        case 'rx-off':
          // The server cannot reach us any more; start over with a fresh registration.
          effects.push(emit('REG_TIMEOUT', input.reason), { type: 'socket', action: 'close' });
          return backoff(state, now, timing, effects);
        default:
          return same();
      }

    case 'pause': {
      if (state.phase === 'idle') return same();
      if (state.phase === 'registering' || state.phase === 'updating' || state.phase === 'deregistering') {
        effects.push({ type: 'abort-request' });
      }
      effects.push(emit('ENGINE_SUSPENDED'), { type: 'socket', action: 'suspend' });
      const { wakeAt: _w, ...rest } = state;
      return { state: { ...rest, phase: 'suspended', suspendedFrom: state.phase }, effects };
    }

    case 'resume':
      return same();
  }
}

function onWake(state: RegState, now: number, timing: RdTiming, effects: RdEffect[]): Transition<RegState> {
  if (state.wakeAt === undefined || now < state.wakeAt) return { state, effects };
  switch (state.phase) {
    case 'registered':
    case 'rx-off': {
      if (now >= nextUpdateAt(state, timing)) return update(state, NO_UPDATE_CONTENT, effects);
      // Queue mode: the listening window is over.
      effects.push(emit('QUEUE_MODE_RX_OFF'), { type: 'socket', action: 'suspend' });
      const sleeping: RegState = { ...state, phase: 'rx-off' };
      return { state: { ...sleeping, wakeAt: nextUpdateAt(sleeping, timing) }, effects };
    }
    case 'backoff':
      // Still inside the lifetime of an earlier registration: an Update may be enough.
      if (!registrationExpired(state, now) && state.location !== undefined) {
        effects.push({ type: 'socket', action: 'open' });
        return update(state, NO_UPDATE_CONTENT, effects);
      }
      effects.push({ type: 'socket', action: 'open' });
      return register(state, effects);
    case 'disabled':
      effects.push({ type: 'socket', action: 'open' });
      return register(fresh(state), effects);
    default:
      return { state, effects };
  }
}

function resumeRegistration(state: RegState, now: number, timing: RdTiming, effects: RdEffect[]): Transition<RegState> {
  const from = state.suspendedFrom ?? 'idle';
  const { suspendedFrom: _s, ...rest } = state;
  const base: RegState = { ...rest, phase: from };
  switch (from) {
    case 'registered':
    case 'rx-off':
    case 'updating':
      effects.push({ type: 'socket', action: 'resume' });
      if (registrationExpired(base, now)) return register(base, effects);
      return update({ ...base, phase: 'registered' }, mergeContent(state.pendingUpdate, {}), effects);
    case 'registering':
    case 'backoff':
      effects.push({ type: 'socket', action: 'resume' });
      return register(base, effects);
    case 'deregistering':
      return deregistered(base, now, effects);
    case 'disabled':
      return { state: { ...base, wakeAt: now }, effects };
    default:
      return { state: base, effects };
  }
}

// ---------------------------------------------------------------------------------------------
// Bootstrap

export type BootstrapPhase = 'idle' | 'requesting' | 'transfer' | 'backoff' | 'suspended';

export interface BootstrapState {
  readonly phase: BootstrapPhase;
  readonly retries: number;
  /** 1.1 retry procedure: failed request sequences so far (absent when none). */
  readonly sequences?: number;
  readonly suspendedFrom?: BootstrapPhase;
  readonly wakeAt?: number;
}

export type BootstrapInput =
  | { readonly type: 'start' }
  | { readonly type: 'stop' }
  | { readonly type: 'request-ok' }
  | { readonly type: 'request-rejected'; readonly reason: string }
  | { readonly type: 'request-timeout'; readonly reason?: string }
  /** The bootstrap server sent an operation (Write, Delete, Discover, Read): the transfer goes on. */
  | { readonly type: 'activity' }
  | { readonly type: 'finish' }
  | { readonly type: 'wake' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' };

export const INITIAL_BOOTSTRAP_STATE: BootstrapState = { phase: 'idle', retries: 0 };

/**
 * Client-initiated bootstrap (LwM2M Core 6.1.3): Bootstrap-Request, then the server's operations
 * until Bootstrap-Finish. A rejected request fails at once (BOOTSTRAP_REG_FAILURE, as the seed);
 * timeouts are retried with backoff, then reported the same way. With `timing.communicationRetry`
 * (a Server instance holding /1/x/17-20 for the bootstrap account's Short Server ID) every failed
 * request, rejected or not, is an attempt of the 6.2.1.1 retry procedure instead, and
 * BOOTSTRAP_REG_FAILURE comes when its last sequence has failed.
 */
export function bootstrapStep(state: BootstrapState, input: BootstrapInput, now: number, timing: RdTiming = DEFAULT_RD_TIMING): Transition<BootstrapState> {
  const effects: RdEffect[] = [];
  const same = (): Transition<BootstrapState> => ({ state, effects });
  const request = (retries: number): Transition<BootstrapState> => {
    effects.push({ type: 'socket', action: 'open' }, { type: 'send-bootstrap-request' });
    const sequences = state.phase === 'idle' ? undefined : state.sequences;
    return { state: sequences === undefined ? { phase: 'requesting', retries } : { phase: 'requesting', retries, sequences }, effects };
  };
  const fail = (reason: string): Transition<BootstrapState> => {
    effects.push({ type: 'socket', action: 'close' }, emit('BOOTSTRAP_REG_FAILURE', reason));
    return { state: INITIAL_BOOTSTRAP_STATE, effects };
  };
  const retry = (reason: string): Transition<BootstrapState> => {
    const procedure = timing.communicationRetry;
    if (procedure !== undefined) {
      const next = nextRetry(state, procedure);
      if (next.kind === 'failed') return fail(reason);
      effects.push({ type: 'socket', action: 'close' });
      const counters = next.sequences === 0 ? { retries: next.retries } : { retries: next.retries, sequences: next.sequences };
      return { state: { phase: 'backoff', ...counters, wakeAt: now + next.delayMs }, effects };
    }
    if (state.retries >= timing.maxRetries) return fail(reason);
    effects.push({ type: 'socket', action: 'close' });
    return { state: { phase: 'backoff', retries: state.retries + 1, wakeAt: now + timing.retryBaseMs * 2 ** state.retries }, effects };
  };

  if (state.phase === 'suspended') {
    if (input.type === 'stop') return { state: INITIAL_BOOTSTRAP_STATE, effects: [{ type: 'socket', action: 'close' }] };
    if (input.type !== 'resume') return same();
    effects.push({ type: 'socket', action: 'resume' });
    // A transfer cut short by the pause cannot be trusted: ask again.
    if (state.suspendedFrom === 'idle') return { state: INITIAL_BOOTSTRAP_STATE, effects };
    return request(state.retries);
  }

  switch (input.type) {
    case 'start':
      if (state.phase !== 'idle') return same();
      return request(0);
    case 'stop':
      if (state.phase === 'idle') return same();
      if (state.phase === 'requesting') effects.push({ type: 'abort-request' });
      effects.push({ type: 'socket', action: 'close' });
      return { state: INITIAL_BOOTSTRAP_STATE, effects };
    case 'request-ok':
      if (state.phase !== 'requesting') return same();
      effects.push(emit('BOOTSTRAP_REG_COMPLETE'));
      return { state: { phase: 'transfer', retries: 0, wakeAt: now + timing.bootstrapTransferTimeoutMs }, effects };
    case 'request-rejected':
      if (state.phase !== 'requesting') return same();
      return timing.communicationRetry === undefined ? fail(input.reason) : retry(input.reason);
    case 'request-timeout':
      if (state.phase !== 'requesting') return same();
      return retry(input.reason ?? 'timeout');
    case 'activity':
      // A server-initiated bootstrap may start with an operation rather than our request.
      if (state.phase !== 'transfer' && state.phase !== 'requesting') return same();
      return { state: { phase: 'transfer', retries: 0, wakeAt: now + timing.bootstrapTransferTimeoutMs }, effects };
    case 'finish':
      if (state.phase !== 'transfer' && state.phase !== 'requesting') return same();
      effects.push({ type: 'socket', action: 'close' }, emit('BOOTSTRAP_TRANSFER_COMPLETE'), { type: 'bootstrap-done' });
      return { state: INITIAL_BOOTSTRAP_STATE, effects };
    case 'wake':
      if (state.wakeAt === undefined || now < state.wakeAt) return same();
      if (state.phase === 'backoff') return request(state.retries);
      if (state.phase === 'transfer') return retry('no Bootstrap-Finish');
      return same();
    case 'pause': {
      if (state.phase === 'idle') return same();
      if (state.phase === 'requesting') effects.push({ type: 'abort-request' });
      effects.push(emit('ENGINE_SUSPENDED'), { type: 'socket', action: 'suspend' });
      const { wakeAt: _w, ...counters } = state;
      return { state: { ...counters, phase: 'suspended', suspendedFrom: state.phase }, effects };
    }
    case 'resume':
      return same();
  }
}
