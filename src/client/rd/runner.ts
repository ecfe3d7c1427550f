/**
 * Runners carry out what the RD state machines decide: they own the channel (socket), the one
 * timer of each machine and the outstanding request, and feed results back as inputs. Inputs are
 * processed one at a time; effects run in order (opening a channel is awaited before the request
 * that needs it goes out).
 */
import type { IncomingResponse } from '../../coap/incoming.ts';
import type { CoapRequest } from '../../coap/message.ts';
import { AbortedError } from '../../errors.ts';
import type { SecurityInstanceValues } from '../../transport/dtls/lwm2m-security.ts';
import type { Clock, Timer } from '../../util/clock.ts';
import type { Channel, ChannelFactory } from './channel.ts';
import type { OrderAccount } from './order.ts';
import type { RdEvent } from './events.ts';
import {
  bootstrapOutcome,
  bootstrapRequest,
  deregisterOutcome,
  deregisterRequest,
  registerOutcome,
  registerRequest,
  updateOutcome,
  updateRequest,
  type LwM2mVersion,
  type Outcome,
  type RegistrationParams,
} from './messages.ts';
import {
  bootstrapStep,
  INITIAL_BOOTSTRAP_STATE,
  initialRegState,
  isRegistered,
  registrationStep,
  resolveTiming,
  type BootstrapInput,
  type CommunicationRetry,
  type BootstrapState,
  type RdEffect,
  type RdTiming,
  type RegInput,
  type RegState,
  type SocketAction,
  type Transition,
  type UpdateContent,
} from './state.ts';

/**
 * One LwM2M Server account: a Server object instance and its Security instance. The registration
 * order resources /1/x/13-15 (`priorityOrder`, `initialDelayMs`, `failureBlock`) come from OrderAccount.
 */
export interface ServerAccount extends OrderAccount {
  readonly ssid: number;
  readonly uri: string;
  readonly security: SecurityInstanceValues;
  readonly lifetime: number;
  /** /1/x/7 without the queue-mode flag (e.g. "U"). */
  readonly binding: string;
  readonly queueMode: boolean;
  /** /1/x/16 Bootstrap on Registration Failure (1.1; default true). */
  readonly bootstrapOnFailure: boolean;
  /** /1/x/17-20 when the Server instance has any of them (defaults for the others); see `resolveTiming`. */
  readonly communicationRetry?: CommunicationRetry;
}

/** The bootstrap server account (the Security instance with /0/x/1 true). */
export interface BootstrapAccount {
  readonly ssid?: number;
  readonly uri: string;
  readonly security: SecurityInstanceValues;
  /** /1/x/17-20 of a Server instance with the bootstrap account's Short Server ID, if one has them. */
  readonly communicationRetry?: CommunicationRetry;
}

/** What the runners need from the client around them. */
export interface RunnerHost {
  readonly clock: Clock;
  readonly endpointName: string;
  readonly version: LwM2mVersion;
  readonly timing?: Partial<RdTiming>;
  readonly openChannel: ChannelFactory;
  /** Link-format payload of Register/Update. */
  registrationLinks(): string;
  /** Preferred content format for bootstrap writes (`pct`, 1.1). */
  readonly bootstrapFormat?: number;
  /** Serve the server's requests arriving on this channel (attach the data model). */
  attach(target: { ssid: number | undefined; bootstrap: boolean }, channel: Channel, runner: RegistrationRunner | BootstrapRunner): void;
  detach(target: { ssid: number | undefined; bootstrap: boolean }): void;
  clearObservations(ssid: number): void;
  flushQueued(ssid: number): void;
  emit(event: RdEvent): void;
  /** A registration used up its retries. */
  exhausted(account: ServerAccount): void;
  /** The bootstrap server sent Bootstrap-Finish. */
  bootstrapDone(): void;
}

/** Runs effects in order for one machine; shared by both runners. */
abstract class MachineRunner<S extends { readonly wakeAt?: number }, I> {
  protected readonly host: RunnerHost;
  protected timing: RdTiming;
  protected state: S;
  #queue: I[] = [];
  #busy = false;
  #timer: Timer | undefined;
  #timerAt: number | undefined;
  #channel: Channel | undefined;
  #request: AbortController | undefined;
  #idleWaiters: (() => void)[] | undefined;
  #disposed = false;

  protected constructor(host: RunnerHost, initial: S, retry: CommunicationRetry | undefined) {
    this.host = host;
    // Shared when the host changes nothing (one object for a whole fleet).
    this.timing = MachineRunner.timingFor(host, retry);
    this.state = initial;
  }

  /** The client's timing, or the 1.1 retry procedure of the account's resources (LwM2M 1.1 only). */
  protected static timingFor(host: RunnerHost, retry: CommunicationRetry | undefined): RdTiming {
    return resolveTiming(host.timing, host.version === '1.0' ? undefined : retry);
  }

  get channel(): Channel | undefined {
    return this.#channel;
  }

  protected abstract step(state: S, input: I, now: number): Transition<S>;
  protected abstract wakeInput(): I;
  protected abstract target(): { ssid: number | undefined; bootstrap: boolean };
  protected abstract channelRequest(): { uri: string; security: SecurityInstanceValues };
  /** Input to feed when the channel cannot be opened or fails. */
  protected abstract failureInput(reason: string, fatal: boolean): I | undefined;
  protected abstract runEffect(effect: RdEffect): void;

  /** Feeds an input; inputs are processed in order. */
  send(input: I): void {
    if (this.#disposed) return;
    this.#queue.push(input);
    if (!this.#busy) void this.#drain();
  }

  /** Resolves once every queued input and its effects have been processed. */
  settled(): Promise<void> {
    if (!this.#busy && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#idleWaiters ??= []).push(resolve));
  }

  async #drain(): Promise<void> {
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const input = this.#queue.shift()!;
        const t = this.step(this.state, input, this.host.clock.now());
        this.state = t.state;
        for (const effect of t.effects) {
          const ok = await this.#run(effect);
          if (!ok || this.#disposed) break;
        }
        if (this.#disposed) break;
        this.#schedule();
      }
    } finally {
      this.#busy = false;
      // A fresh empty queue holds no backing store (an idle client keeps nothing here).
      if (this.#queue.length === 0) this.#queue = [];
      const waiters = this.#idleWaiters;
      this.#idleWaiters = undefined;
      for (const w of waiters ?? []) w();
    }
  }

  async #run(effect: RdEffect): Promise<boolean> {
    switch (effect.type) {
      case 'socket':
        return this.#socket(effect.action);
      case 'abort-request':
        this.#request?.abort();
        this.#request = undefined;
        return true;
      default:
        this.runEffect(effect);
        return true;
    }
  }

  async #socket(action: SocketAction): Promise<boolean> {
    switch (action) {
      case 'open': {
        if (this.#channel !== undefined) return true;
        try {
          const channel = await this.host.openChannel(this.channelRequest());
          if (this.#disposed) {
            // Disposed while the socket was being opened: nobody will close it later.
            await channel.close();
            return false;
          }
          this.#channel = channel;
          channel.onFailure((error) => {
            if (this.#channel !== channel) return;
            const input = this.failureInput(error.message, error.name === 'DtlsError');
            if (input !== undefined) {
              this.#request?.abort();
              this.#request = undefined;
              this.send(input);
            }
          });
          this.host.attach(this.target(), channel, this as unknown as RegistrationRunner | BootstrapRunner);
          return true;
        } catch (error) {
          const input = this.failureInput((error as Error).message, true);
          if (input !== undefined) this.#queue.unshift(input);
          return false;
        }
      }
      case 'close':
        await this.closeChannel();
        return true;
      case 'suspend':
        this.#channel?.setListening(false);
        return true;
      case 'resume':
        this.#channel?.setListening(true);
        return true;
    }
  }

  protected async closeChannel(): Promise<void> {
    const channel = this.#channel;
    if (channel === undefined) return;
    this.#channel = undefined;
    this.host.detach(this.target());
    await channel.close();
  }

  /** Sends a request on the channel; the outcome is fed back as an input unless aborted first. */
  protected exchange<T>(request: CoapRequest, read: (r: IncomingResponse) => Outcome<T>, done: (outcome: Outcome<T> | 'timeout', reason?: string) => I): void {
    const channel = this.#channel;
    if (channel === undefined) {
      this.send(done('timeout', 'no channel'));
      return;
    }
    const controller = new AbortController();
    this.#request = controller;
    channel.endpoint.request(channel.peer, request, { signal: controller.signal }).then(
      (response) => {
        if (controller.signal.aborted) return;
        this.#request = undefined;
        this.send(done(read(response)));
      },
      (error: unknown) => {
        if (controller.signal.aborted || error instanceof AbortedError) return;
        this.#request = undefined;
        this.send(done('timeout', (error as Error).message));
      },
    );
  }

  #schedule(): void {
    const at = this.state.wakeAt;
    if (at === undefined) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#timerAt = undefined;
      return;
    }
    // A later deadline keeps the earlier timer: waking early is harmless (the machine re-arms).
    if (this.#timerAt !== undefined && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.host.clock.setTimer(at - this.host.clock.now(), () => {
      this.#timer = undefined;
      this.#timerAt = undefined;
      this.send(this.wakeInput());
    });
  }

  /** Stops timers and closes the channel at once (process shutdown). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#queue = [];
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = undefined;
    this.#request?.abort();
    this.#request = undefined;
    await this.closeChannel();
  }
}

/** Drives the registration of one server account. */
export class RegistrationRunner extends MachineRunner<RegState, RegInput> {
  #account: ServerAccount;
  /** Object links the server last received (in a Register or an Update). */
  #sentLinks: string | undefined;

  constructor(host: RunnerHost, account: ServerAccount) {
    super(host, initialRegState(account.lifetime, account.queueMode), account.communicationRetry);
    this.#account = account;
  }

  get account(): ServerAccount {
    return this.#account;
  }

  get ssid(): number {
    return this.#account.ssid;
  }

  get current(): RegState {
    return this.state;
  }

  get registered(): boolean {
    return isRegistered(this.state);
  }

  /** Server reachable for notifications right now (registered and listening). */
  get reachable(): boolean {
    return this.state.phase === 'registered' || this.state.phase === 'updating';
  }

  /** Updates the account (lifetime or binding changed by a server write). */
  updateAccount(account: ServerAccount): void {
    const before = this.#account;
    this.#account = account;
    if (account.communicationRetry !== undefined || before.communicationRetry !== undefined) this.timing = MachineRunner.timingFor(this.host, account.communicationRetry);
    if (account.lifetime !== before.lifetime) this.send({ type: 'lifetime-changed', lifetime: account.lifetime });
    if (account.binding !== before.binding || account.queueMode !== before.queueMode) {
      this.send({ type: 'trigger-update', content: { binding: true } });
    }
  }

  protected step(state: RegState, input: RegInput, now: number): Transition<RegState> {
    return registrationStep(state, input, now, this.timing);
  }
  protected wakeInput(): RegInput {
    return { type: 'wake' };
  }
  protected target(): { ssid: number; bootstrap: boolean } {
    return { ssid: this.#account.ssid, bootstrap: false };
  }
  protected channelRequest(): { uri: string; security: SecurityInstanceValues } {
    return { uri: this.#account.uri, security: this.#account.security };
  }
  protected failureInput(reason: string, fatal: boolean): RegInput | undefined {
    switch (this.state.phase) {
      case 'registering':
        return fatal ? { type: 'register-rejected', reason } : { type: 'register-timeout', reason };
      case 'idle':
      case 'backoff':
      case 'disabled':
      case 'suspended':
        return undefined;
      default:
        return { type: 'network-error', reason };
    }
  }

  #params(): RegistrationParams {
    const a = this.#account;
    return {
      endpointName: this.host.endpointName,
      version: this.host.version,
      lifetime: this.state.lifetime,
      binding: a.binding,
      queueMode: a.queueMode,
      links: this.host.registrationLinks(),
    };
  }

  protected runEffect(effect: RdEffect): void {
    const ssid = this.#account.ssid;
    switch (effect.type) {
      case 'send-register': {
        const params = this.#params();
        this.#sentLinks = params.links;
        this.exchange(registerRequest(params), registerOutcome, (o, reason) =>
          o === 'timeout'
            ? { type: 'register-timeout', reason: reason ?? 'timeout' }
            : o.ok
              ? { type: 'register-ok', location: o.value }
              : { type: 'register-rejected', reason: o.reason },
        );
        return;
      }
      case 'send-update': {
        const location = this.state.location ?? '/rd';
        this.exchange(updateRequest(location, this.#updateParts(effect.content)), updateOutcome, (o, reason) =>
          o === 'timeout' ? { type: 'update-timeout', reason: reason ?? 'timeout' } : o.ok ? { type: 'update-ok' } : { type: 'update-rejected', reason: o.reason },
        );
        return;
      }
      case 'send-deregister': {
        const location = this.state.location ?? '/rd';
        this.exchange(deregisterRequest(location), deregisterOutcome, (o, reason) =>
          o === 'timeout' ? { type: 'deregister-failed', reason: reason ?? 'timeout' } : o.ok ? { type: 'deregister-ok' } : { type: 'deregister-failed', reason: o.reason },
        );
        return;
      }
      case 'emit':
        this.host.emit({ type: effect.event, ssid, ...(effect.reason !== undefined ? { reason: effect.reason } : {}) });
        return;
      case 'flush-queued':
        this.host.flushQueued(ssid);
        return;
      case 'clear-observations':
        this.host.clearObservations(ssid);
        return;
      case 'exhausted':
        this.host.exhausted(this.#account);
        return;
      case 'send-bootstrap-request':
      case 'bootstrap-done':
      case 'socket':
      case 'abort-request':
        return;
    }
  }

  #updateParts(content: UpdateContent): { lifetime?: number; binding?: string; links?: string } {
    const a = this.#account;
    const binding = this.host.version === '1.0' && a.queueMode && !a.binding.includes('Q') ? `${a.binding}Q` : a.binding;
    const links = content.objects ? this.host.registrationLinks() : undefined;
    if (links !== undefined) this.#sentLinks = links;
    return {
      ...(content.lifetime ? { lifetime: this.state.lifetime } : {}),
      ...(content.binding ? { binding } : {}),
      ...(links !== undefined ? { links } : {}),
    };
  }

  start(): void {
    this.#sentLinks = undefined;
    this.send({ type: 'start' });
  }
  stop(deregister: boolean): void {
    this.send({ type: 'stop', deregister });
  }
  halt(): void {
    this.send({ type: 'halt' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  /**
   * Asks for an Update (with the given parts). A change-driven object-list Update is dropped when the
   * server already has these links (the change was in the Register or Update still in flight).
   */
  triggerUpdate(content?: Partial<UpdateContent>): void {
    if (content?.objects === true && content.lifetime !== true && content.binding !== true && this.state.phase !== 'idle') {
      // The Register not yet sent will carry the current links anyway.
      if (this.#sentLinks === undefined && this.state.phase === 'registering') return;
      if (this.#sentLinks !== undefined && this.#sentLinks === this.host.registrationLinks()) return;
    }
    this.send(content === undefined ? { type: 'trigger-update' } : { type: 'trigger-update', content });
  }
  disable(seconds: number): void {
    this.send({ type: 'disable', seconds });
  }
  traffic(): void {
    this.send({ type: 'traffic' });
  }
  outbound(): void {
    this.send({ type: 'outbound' });
  }
  networkError(reason: string): void {
    this.send({ type: 'network-error', reason });
  }
}

/** Drives a client-initiated bootstrap with the bootstrap server account. */
export class BootstrapRunner extends MachineRunner<BootstrapState, BootstrapInput> {
  readonly account: BootstrapAccount;

  constructor(host: RunnerHost, account: BootstrapAccount) {
    super(host, INITIAL_BOOTSTRAP_STATE, account.communicationRetry);
    this.account = account;
  }

  get current(): BootstrapState {
    return this.state;
  }

  protected step(state: BootstrapState, input: BootstrapInput, now: number): Transition<BootstrapState> {
    return bootstrapStep(state, input, now, this.timing);
  }
  protected wakeInput(): BootstrapInput {
    return { type: 'wake' };
  }
  protected target(): { ssid: number | undefined; bootstrap: boolean } {
    return { ssid: this.account.ssid, bootstrap: true };
  }
  protected channelRequest(): { uri: string; security: SecurityInstanceValues } {
    return { uri: this.account.uri, security: this.account.security };
  }
  protected failureInput(reason: string, fatal: boolean): BootstrapInput | undefined {
    if (this.state.phase !== 'requesting') return undefined;
    return fatal ? { type: 'request-rejected', reason } : { type: 'request-timeout', reason };
  }

  protected runEffect(effect: RdEffect): void {
    switch (effect.type) {
      case 'send-bootstrap-request':
        this.exchange(bootstrapRequest(this.host.endpointName, this.host.version, this.host.bootstrapFormat), bootstrapOutcome, (o, reason) =>
          o === 'timeout' ? { type: 'request-timeout', reason: reason ?? 'timeout' } : o.ok ? { type: 'request-ok' } : { type: 'request-rejected', reason: o.reason },
        );
        return;
      case 'emit':
        this.host.emit({
          type: effect.event,
          ...(this.account.ssid !== undefined ? { ssid: this.account.ssid } : {}),
          ...(effect.reason !== undefined ? { reason: effect.reason } : {}),
        });
        return;
      case 'bootstrap-done':
        this.host.bootstrapDone();
        return;
      default:
        return;
    }
  }

  start(): void {
    this.send({ type: 'start' });
  }
  stop(): void {
    this.send({ type: 'stop' });
  }
  pause(): void {
    this.send({ type: 'pause' });
  }
  resume(): void {
    this.send({ type: 'resume' });
  }
  /** The bootstrap server wrote, read, discovered or deleted something. */
  activity(): void {
    this.send({ type: 'activity' });
  }
  /** Bootstrap-Finish was received and answered. */
  finish(): void {
    this.send({ type: 'finish' });
  }
}
