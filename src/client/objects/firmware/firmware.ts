/**
 * Firmware Update (object 5, LwM2M Core 1.1.1 E.6): push and pull delivery into a sink the
 * application provides, the State / Update Result machine (`state.ts`), Update (/5/0/2) calling the
 * application, Cancel (/5/0/10, object 1.1), Firmware Update Protocol Support (/5/0/8) and Delivery
 * Method (/5/0/9), progress events, and State / Update Result changes through the registry (so
 * observers are notified).
 *
 * Push: a Write of Package (/5/0/0), block-wise (Block1) or in one piece, reaches the sink block by
 * block without reassembly. Pull: a Write of Package URI (/5/0/1) starts a download after the
 * response (coap://, coaps:// through our DTLS, http://, https:// through Node's fetch). A
 * zero-length (or single NUL byte) Package or an empty Package URI resets the machine to Idle.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import type { WriteContext } from '../../../dm/registry.ts';
import { AbortedError, LwM2mStatusError } from '../../../errors.ts';
import { LwM2mPath } from '../../../model/path.ts';
import type { DtlsClientOptions } from '../../../transport/dtls/options.ts';
import type { Timer } from '../../../util/clock.ts';
import { TypedEmitter } from '../../../util/typed-events.ts';
import { afterResponse, definitionOf, fillInstance, hasResource, notAllowed, numberAt, stringAt, valueAt } from '../common.ts';
import { ALL_SCHEMES, download, DownloadError, parsePackageUri, type CoapDownloadOptions, type CoapProxyOptions, type DownloadScheme, type HttpDownloadOptions } from '../download/index.ts';
import { securityDtlsOptions } from './credentials.ts';
import { DeliveryMethod, FirmwareDeferralError, FirmwareError, FirmwareResult, FirmwareState, firmwareStep, type DeliveryMethodName, type FirmwareEvent, type FirmwareStatus } from './state.ts';

const FIRMWARE = 5;
const PATH = LwM2mPath.of(FIRMWARE, 0);
const at = (rid: number): LwM2mPath => PATH.child(rid);
const RES = { package: 0, uri: 1, update: 2, state: 3, result: 5, name: 6, version: 7, protocols: 8, delivery: 9, cancel: 10, severity: 11, lastChange: 12, maxDefer: 13, autoUpdate: 14 } as const;

const SCHEME_VALUE: Readonly<Record<DownloadScheme, number>> = { coap: 0, coaps: 1, http: 2, https: 3 };

/** One transfer of a package into the sink. */
export interface FirmwareTransfer {
  readonly method: 'push' | 'pull';
  /** The Package URI of a pull. */
  readonly uri?: string;
  /** Total size when known (Size1 of a push, Size2 / Content-Length of a pull). */
  readonly totalSize?: number;
}

/** Package name and version (/5/0/6, /5/0/7) the sink may report once it has the whole image. */
export interface PackageInfo {
  readonly name?: string;
  readonly version?: string;
}

/** Why the sink must drop what it received. */
export type FirmwareAbortReason = 'reset' | 'cancel' | 'failed' | 'restart';

/**
 * Where the image goes (flash, a file, memory). Every method may be async; a transfer waits for it
 * (a push block is acknowledged only after `write` resolved). Throw FirmwareError to choose the
 * Update Result: NOT_ENOUGH_FLASH / OUT_OF_RAM from `open`/`write`, INTEGRITY_FAILURE /
 * UNSUPPORTED_PACKAGE from `finish`.
 */
export interface FirmwareSink {
  /** A transfer starts; anything kept from an earlier one is discarded. */
  open?(transfer: FirmwareTransfer): void | Promise<void>;
  /** Bytes at `offset`, in order, each byte once. */
  write(chunk: Uint8Array, offset: number): void | Promise<void>;
  /** Every byte arrived: verify the image. */
  finish?(transfer: FirmwareTransfer & { readonly size: number }): void | PackageInfo | Promise<void | PackageInfo>;
  /** The transfer or image is dropped: reset, Cancel, a failure, or a restarted download. */
  abort?(reason: FirmwareAbortReason): void | Promise<void>;
}

/** What the update callback learns about the image. */
export interface UpdateContext {
  readonly size: number;
  readonly method: 'push' | 'pull';
  readonly uri: string | undefined;
  readonly name: string | undefined;
  readonly version: string | undefined;
  /**
   * Whether the user may still defer this update (finishing with Update Result 11, DEFERRED): /5/0/13
   * Maximum Defer Period is above 0 and has not run out since the first deferral of this image.
   * False when the period ran out and the device starts the update by itself: install, do not prompt.
   */
  readonly deferrable: boolean;
}

/**
 * Applies the downloaded image (Update, /5/0/2), called after the response went out. Resolving
 * means success (Update Result 1); throwing FirmwareError chooses the result (default 8); returning
 * 'pending' leaves the state Updating until `finishUpdate()` (e.g. after a reboot).
 */
export type UpdateCallback = (ctx: UpdateContext) => void | 'pending' | Promise<void | 'pending'>;

export interface FirmwareUpdateOptions {
  readonly sink: FirmwareSink;
  readonly onUpdate?: UpdateCallback;
  /** Schemes for Package URI (/5/0/8); default coap, coaps, http, https. */
  readonly protocols?: readonly DownloadScheme[];
  /** /5/0/9; default 'both'. */
  readonly delivery?: DeliveryMethodName;
  /** Block-wise CoAP download settings. */
  readonly coap?: CoapDownloadOptions;
  /** HTTP(S) download settings. */
  readonly http?: HttpDownloadOptions;
  /**
   * Pull through a CoAP forward proxy (the seed's CoAP pull proxy support): http(s) package URIs
   * (or `schemes`) are requested from the proxy with Proxy-Uri. DTLS for a coaps:// proxy comes
   * from `dtls` with the proxy's URI.
   */
  readonly coapProxy?: CoapProxyOptions;
  /**
   * DTLS settings for coaps:// package URIs. Default: the Security instance whose URI names the same
   * host and port, else the Security instance of the server that wrote the URI.
   */
  readonly dtls?: DtlsClientOptions | ((uri: URL) => DtlsClientOptions | undefined);
  /** A push with no block for this many seconds fails with Update Result 4 (default 300). */
  readonly pushTimeout?: number;
  /** /5/0/11 (default 1, mandatory) and /5/0/13 (default 0: no deferral), object 1.1. */
  readonly severity?: number;
  readonly maxDeferPeriod?: number;
}

export interface FirmwareEvents {
  /** State and/or Update Result changed. */
  state: FirmwareStatus & { readonly previous: FirmwareStatus };
  /** Bytes of the current transfer received so far. */
  progress: { readonly method: 'push' | 'pull'; readonly received: number; readonly total: number | undefined };
  /** Unexpected failures (a sink method threw something else than FirmwareError, a callback failed). */
  error: Error;
}

interface ActiveTransfer {
  transfer: FirmwareTransfer;
  readonly controller: AbortController;
  received: number;
}

function isResetPackage(bytes: Uint8Array): boolean {
  return bytes.length === 0 || (bytes.length === 1 && bytes[0] === 0);
}

/** The Firmware Update object of one client. */
export class FirmwareUpdateObject extends TypedEmitter<FirmwareEvents> {
  readonly #engine: LwM2mEngine;
  readonly #options: FirmwareUpdateOptions;
  readonly #schemes: ReadonlySet<DownloadScheme>;
  readonly #delivery: number;
  #status: FirmwareStatus = { state: FirmwareState.IDLE, result: FirmwareResult.INITIAL };
  #update: UpdateCallback | undefined;
  #active: ActiveTransfer | undefined;
  /** The image held in Downloaded / Updating. */
  #image: (FirmwareTransfer & { size: number }) | undefined;
  #lastBlockAt = 0;
  #watchdog: Timer | undefined;
  /** When the Maximum Defer Period of the held image runs out (clock ms), from its first deferral. */
  #deferDeadline: number | undefined;
  #deferTimer: Timer | undefined;

  constructor(engine: LwM2mEngine, options: FirmwareUpdateOptions) {
    super();
    this.#engine = engine;
    this.#options = options;
    this.#update = options.onUpdate;
    // A proxy that is not a coap(s) URI is the application's mistake, reported here and not as a package failure.
    if (options.coapProxy !== undefined) parsePackageUri(options.coapProxy.uri, new Set(['coap', 'coaps']));
    this.#schemes = new Set(options.protocols ?? ALL_SCHEMES);
    this.#delivery = DeliveryMethod[options.delivery ?? 'both'];
    const def = definitionOf(engine, FIRMWARE);
    fillInstance(engine.registry, def, 0, {
      [RES.uri]: '',
      [RES.state]: FirmwareState.IDLE,
      [RES.result]: FirmwareResult.INITIAL,
      [RES.protocols]: [...this.#schemes].map((s) => SCHEME_VALUE[s]).sort((a, b) => a - b),
      [RES.delivery]: this.#delivery,
      [RES.severity]: options.severity ?? 1,
      [RES.lastChange]: new Date(Math.floor(engine.clock.wallTime() / 1000) * 1000),
      [RES.maxDefer]: options.maxDeferPeriod ?? 0,
      [RES.autoUpdate]: false,
    });
    const state = numberAt(engine.registry, at(RES.state));
    const result = numberAt(engine.registry, at(RES.result));
    if (state === FirmwareState.IDLE && result !== undefined && result >= 0 && result <= 11) this.#status = { state, result: result as FirmwareResult };
    this.#install(hasResource(def, RES.cancel));
  }

  #install(cancel: boolean): void {
    const reg = this.#engine.registry;
    reg.onValidate(at(RES.package), (value, ctx) => {
      this.#checkPackageBlock(value as Uint8Array, ctx);
    });
    reg.onPostWrite(at(RES.package), (value, ctx) => this.#packageBlock(value as Uint8Array, ctx));
    reg.onValidate(at(RES.uri), (value, ctx) => {
      if (ctx.source === 'app' && value === '' && this.#status.state === FirmwareState.IDLE) return;
      this.#checkUri(value as string);
    });
    reg.onPostWrite(at(RES.uri), (value, ctx) => {
      this.#uriWritten(value as string, ctx.ssid);
    });
    reg.onExecute(at(RES.update), () => {
      this.#executeUpdate();
    });
    if (cancel) {
      reg.onExecute(at(RES.cancel), () => {
        this.cancel();
      });
    }
  }

  // --- state ---------------------------------------------------------------------------------------

  get state(): FirmwareState {
    return this.#status.state;
  }

  get result(): FirmwareResult {
    return this.#status.result;
  }

  /** Applies an event; throws 4.05 when the machine does not allow it now. */
  #step(event: FirmwareEvent): void {
    const next = firmwareStep(this.#status, event);
    if (next === undefined) throw notAllowed(`firmware update: '${event.type}' is not allowed in state ${this.#status.state}`);
    this.#set(next);
  }

  #set(next: FirmwareStatus, extra?: PackageInfo): void {
    const previous = this.#status;
    this.#status = next;
    const reg = this.#engine.registry;
    const def = definitionOf(this.#engine, FIRMWARE);
    reg.lock();
    try {
      if (next.state !== previous.state && hasResource(def, RES.lastChange)) {
        reg.set(at(RES.lastChange), new Date(Math.floor(this.#engine.clock.wallTime() / 1000) * 1000));
      }
      if (extra?.name !== undefined) reg.set(at(RES.name), extra.name);
      if (extra?.version !== undefined) reg.set(at(RES.version), extra.version);
      reg.set(at(RES.result), next.result);
      reg.set(at(RES.state), next.state);
    } finally {
      reg.unlock();
    }
    if (next.state !== previous.state || next.result !== previous.result) this.emit('state', { ...next, previous });
  }

  #report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  /** The result a failure stands for: FirmwareError's own, else `fallback`. */
  #resultOf(error: unknown, fallback: FirmwareResult): FirmwareResult {
    if (error instanceof FirmwareError) return error.result;
    if (error instanceof DownloadError) {
      switch (error.reason) {
        case 'invalid-uri':
        case 'rejected':
          return FirmwareResult.INVALID_URI;
        case 'unsupported-protocol':
          return FirmwareResult.UNSUPPORTED_PROTOCOL;
        case 'connection-lost':
          return FirmwareResult.CONNECTION_LOST;
      }
    }
    this.#report(error);
    return fallback;
  }

  async #sinkAbort(reason: FirmwareAbortReason): Promise<void> {
    try {
      await this.#options.sink.abort?.(reason);
    } catch (error) {
      this.#report(error);
    }
  }

  /** Stops the running transfer (its sink is aborted with `reason`). */
  #stopTransfer(): ActiveTransfer | undefined {
    const active = this.#active;
    this.#active = undefined;
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    active?.controller.abort(new AbortedError('firmware transfer stopped'));
    return active;
  }

  #fail(result: FirmwareResult): void {
    this.#stopTransfer();
    void this.#sinkAbort('failed');
    this.#set({ state: FirmwareState.IDLE, result });
  }

  /** Resets the machine to Idle with Update Result 0, dropping a transfer or image (an empty Package / Package URI write). */
  reset(): void {
    this.#step({ type: 'reset' });
    const hadSomething = this.#stopTransfer() !== undefined || this.#image !== undefined;
    this.#image = undefined;
    this.#clearDefer();
    if (hadSomething) void this.#sinkAbort('reset');
  }

  /** Cancel (/5/0/10): drops the transfer or the downloaded image; Update Result 10. 4.05 while Idle or Updating. */
  cancel(): void {
    this.#step({ type: 'cancel' });
    this.#stopTransfer();
    this.#image = undefined;
    this.#clearDefer();
    void this.#sinkAbort('cancel');
  }

  // --- push (/5/0/0) -------------------------------------------------------------------------------

  #checkPackageBlock(bytes: Uint8Array, ctx: WriteContext): void {
    const block = ctx.block ?? { offset: 0, last: true, totalSize: bytes.length };
    const { state } = this.#status;
    if (block.offset === 0 && block.last && isResetPackage(bytes)) {
      if (state === FirmwareState.UPDATING) throw notAllowed('firmware update: cannot reset while updating');
      return;
    }
    if (this.#delivery === DeliveryMethod.pull) throw notAllowed('firmware update: this client only pulls (Delivery Method 0)');
    const active = this.#active;
    if (block.offset === 0) {
      if (state === FirmwareState.IDLE) return;
      if (state === FirmwareState.DOWNLOADING && active?.transfer.method === 'push') return;
      throw notAllowed(`firmware update: a package write is not allowed in state ${state}`);
    }
    if (active?.transfer.method !== 'push') throw new LwM2mStatusError(0x88, 'firmware update: no package transfer in progress');
    if (block.offset > active.received) throw new LwM2mStatusError(0x88, `firmware update: expected offset ${active.received}, got ${block.offset}`);
  }

  async #packageBlock(bytes: Uint8Array, ctx: WriteContext): Promise<void> {
    const reg = this.#engine.registry;
    if (reg.get(at(RES.package)) !== undefined) reg.delete(at(RES.package));
    const block = ctx.block ?? { offset: 0, last: true, totalSize: bytes.length };
    if (block.offset === 0 && block.last && isResetPackage(bytes)) {
      this.reset();
      return;
    }
    let active = this.#active;
    if (block.offset === 0) {
      if (active !== undefined) {
        // The server started the push over.
        this.#stopTransfer();
        await this.#sinkAbort('restart');
      } else this.#step({ type: 'start' });
      const transfer: FirmwareTransfer = { method: 'push', ...(block.totalSize !== undefined ? { totalSize: block.totalSize } : {}) };
      active = { transfer, controller: new AbortController(), received: 0 };
      this.#active = active;
      this.#armWatchdog();
      try {
        await this.#options.sink.open?.(transfer);
      } catch (error) {
        this.#pushFailed(active, error);
        return;
      }
    }
    if (active === undefined || this.#active !== active) throw new LwM2mStatusError(0x88, 'firmware update: the transfer was stopped');
    this.#lastBlockAt = this.#engine.clock.now();
    if (block.offset + bytes.length <= active.received) return; // a repeated block
    const fresh = bytes.subarray(active.received - block.offset);
    try {
      await this.#options.sink.write(fresh, active.received);
    } catch (error) {
      this.#pushFailed(active, error);
      return;
    }
    if (this.#active !== active) throw new LwM2mStatusError(0x88, 'firmware update: the transfer was stopped');
    active.received += fresh.length;
    this.emit('progress', { method: 'push', received: active.received, total: active.transfer.totalSize });
    if (block.last) await this.#complete(active);
  }

  #pushFailed(active: ActiveTransfer, error: unknown): void {
    if (this.#active !== active) return;
    const result = this.#resultOf(error, FirmwareResult.UPDATE_FAILED);
    this.#fail(result);
    // Stop the sender: later blocks have nowhere to go.
    throw new LwM2mStatusError(result === FirmwareResult.NOT_ENOUGH_FLASH ? 0x8d : 0xa0, `firmware update failed with Update Result ${result}`);
  }

  #armWatchdog(): void {
    const timeoutMs = (this.#options.pushTimeout ?? 300) * 1000;
    const clock = this.#engine.clock;
    this.#lastBlockAt = clock.now();
    const check = (): void => {
      const idle = clock.now() - this.#lastBlockAt;
      if (this.#active?.transfer.method !== 'push') {
        this.#watchdog = undefined;
        return;
      }
      if (idle >= timeoutMs) {
        this.#watchdog = undefined;
        this.#fail(FirmwareResult.CONNECTION_LOST);
        return;
      }
      this.#watchdog = clock.setTimer(timeoutMs - idle, check, { unref: true });
    };
    this.#watchdog?.cancel();
    this.#watchdog = clock.setTimer(timeoutMs, check, { unref: true });
  }

  /** Every byte arrived: the sink verifies, then Downloaded (or Idle with its result). */
  async #complete(active: ActiveTransfer): Promise<void> {
    this.#watchdog?.cancel();
    this.#watchdog = undefined;
    const image = { ...active.transfer, size: active.received };
    let info: void | PackageInfo;
    try {
      info = await this.#options.sink.finish?.(image);
    } catch (error) {
      if (this.#active === active) this.#fail(this.#resultOf(error, FirmwareResult.INTEGRITY_FAILURE));
      return;
    }
    if (this.#active !== active) return;
    this.#active = undefined;
    this.#image = image;
    this.#clearDefer();
    const next = firmwareStep(this.#status, { type: 'downloaded' });
    if (next === undefined) return;
    this.#set(next, info ?? undefined);
    if (valueAt(this.#engine.registry, at(RES.autoUpdate)) === true) afterResponse(() => {
      try {
        this.#executeUpdate();
      } catch (error) {
        this.#report(error);
      }
    });
  }

  // --- pull (/5/0/1) -------------------------------------------------------------------------------

  #checkUri(uri: string): void {
    const { state } = this.#status;
    if (uri === '') {
      if (state === FirmwareState.UPDATING) throw notAllowed('firmware update: cannot reset while updating');
      return;
    }
    if (this.#delivery === DeliveryMethod.push) throw notAllowed('firmware update: this client only accepts pushed packages (Delivery Method 1)');
    if (state !== FirmwareState.IDLE) throw notAllowed(`firmware update: a Package URI write is not allowed in state ${state}`);
  }

  #uriWritten(uri: string, ssid: number | undefined): void {
    if (uri === '') {
      this.reset();
      return;
    }
    this.#step({ type: 'start' });
    const active: ActiveTransfer = { transfer: { method: 'pull', uri }, controller: new AbortController(), received: 0 };
    this.#active = active;
    afterResponse(() => {
      void this.#pull(active, ssid);
    });
  }

  /** Starts a pull of `uri` as a server's Package URI write would (Idle only). */
  pull(uri: string): void {
    this.#checkUri(uri);
    this.#engine.registry.set(at(RES.uri), uri);
  }

  async #pull(active: ActiveTransfer, ssid: number | undefined): Promise<void> {
    if (this.#active !== active) return;
    const sink = this.#options.sink;
    const uri = active.transfer.uri!;
    let total: number | undefined;
    try {
      await sink.open?.(active.transfer);
      const size = await download(
        uri,
        {
          write: (chunk, offset) => {
            if (this.#active !== active) throw new AbortedError('firmware transfer stopped');
            return sink.write(chunk, offset);
          },
          restart: async () => {
            await sink.abort?.('restart');
            await sink.open?.(active.transfer);
          },
        },
        {
          schemes: this.#schemes,
          signal: active.controller.signal,
          clock: this.#engine.clock,
          coap: this.#options.coap,
          http: this.#options.http,
          coapProxy: this.#options.coapProxy,
          dtls: (url) => this.#dtlsFor(url, ssid),
          onProgress: (p) => {
            active.received = p.received;
            total = p.total;
            this.emit('progress', { method: 'pull', received: p.received, total: p.total });
          },
        },
      );
      if (this.#active !== active) return;
      active.received = size;
      if (total !== undefined) active.transfer = { ...active.transfer, totalSize: total };
      await this.#complete(active);
    } catch (error) {
      if (this.#active !== active || active.controller.signal.aborted) return;
      this.#fail(this.#resultOf(error, FirmwareResult.CONNECTION_LOST));
    }
  }

  /** DTLS options for a coaps:// package URI (see FirmwareUpdateOptions.dtls). */
  #dtlsFor(url: URL, ssid: number | undefined): DtlsClientOptions | undefined {
    const given = this.#options.dtls;
    if (typeof given === 'function') return given(url);
    if (given !== undefined) return given;
    try {
      return securityDtlsOptions(this.#engine, url, ssid);
    } catch (error) {
      this.#report(error);
      return undefined;
    }
  }

  // --- update (/5/0/2) -----------------------------------------------------------------------------

  /** Sets the application's update callback (replacing the one given in the options). */
  onUpdate(cb: UpdateCallback): void {
    this.#update = cb;
  }

  #executeUpdate(): void {
    const cb = this.#update;
    if (this.#status.state !== FirmwareState.DOWNLOADED) throw notAllowed(`firmware update: Update needs state Downloaded (2), not ${this.#status.state}`);
    if (cb === undefined) throw new LwM2mStatusError(0xa1, 'firmware update: the application has no update handler');
    const image = this.#image;
    this.#step({ type: 'update' });
    const reg = this.#engine.registry;
    const ctx: UpdateContext = {
      size: image?.size ?? 0,
      method: image?.method ?? 'push',
      uri: image?.uri,
      name: stringAt(reg, at(RES.name)),
      version: stringAt(reg, at(RES.version)),
      deferrable: this.#deferrable(),
    };
    afterResponse(() => {
      void this.#runUpdate(cb, ctx);
    });
  }

  async #runUpdate(cb: UpdateCallback, ctx: UpdateContext): Promise<void> {
    try {
      const r = await cb(ctx);
      if (r === 'pending' || this.#status.state !== FirmwareState.UPDATING) return;
      this.finishUpdate(FirmwareResult.SUCCESS);
    } catch (error) {
      if (this.#status.state !== FirmwareState.UPDATING) return;
      this.finishUpdate(this.#resultOf(error, FirmwareResult.UPDATE_FAILED));
    }
  }

  /**
   * Ends an update in progress (after the callback returned 'pending'): SUCCESS (1) goes to Idle;
   * DEFERRED (11) back to Downloaded; a failure result to Downloaded, or Idle for 5 and 6.
   */
  finishUpdate(result: FirmwareResult = FirmwareResult.SUCCESS): void {
    if (result === FirmwareResult.SUCCESS) {
      this.#step({ type: 'updated' });
      this.#image = undefined;
    this.#clearDefer();
      return;
    }
    if (result === FirmwareResult.DEFERRED) {
      if (!this.#deferrable()) {
        // /5/0/13 is 0 or its period ran out: the update may not be put off; it counts as failed.
        this.#report(new FirmwareDeferralError(this.#maxDeferSeconds()));
        result = FirmwareResult.UPDATE_FAILED;
      } else {
        this.#step({ type: 'deferred' });
        this.#startDeferPeriod();
        return;
      }
    }
    this.#step({ type: 'update-failed', result });
    if (this.#status.state === FirmwareState.IDLE) {
      this.#image = undefined;
    this.#clearDefer();
      void this.#sinkAbort('failed');
    }
  }

  /**
   * Reports the outcome of an update that completed across a restart (State Idle, Update Result
   * `result`, e.g. 1 after booting the new image or 8 after a rollback).
   */
  restoreResult(result: FirmwareResult): void {
    this.#stopTransfer();
    this.#image = undefined;
    this.#clearDefer();
    this.#set({ state: FirmwareState.IDLE, result });
  }

  /** Stops a running transfer, the push watchdog and the defer timer. */
  dispose(): void {
    this.#stopTransfer();
    this.#clearDefer();
  }

  // --- deferral (/5/0/13) --------------------------------------------------------------------------

  #maxDeferSeconds(): number {
    return numberAt(this.#engine.registry, at(RES.maxDefer)) ?? 0;
  }

  #deferrable(): boolean {
    if (this.#maxDeferSeconds() <= 0) return false;
    return this.#deferDeadline === undefined || this.#engine.clock.now() < this.#deferDeadline;
  }

  /** The first deferral of an image starts its Maximum Defer Period; when it runs out the update starts by itself. */
  #startDeferPeriod(): void {
    if (this.#deferDeadline !== undefined) return;
    const clock = this.#engine.clock;
    this.#deferDeadline = clock.now() + this.#maxDeferSeconds() * 1000;
    this.#deferTimer = clock.setTimer(this.#deferDeadline - clock.now(), () => {
      this.#deferTimer = undefined;
      if (this.#status.state !== FirmwareState.DOWNLOADED) return;
      try {
        this.#executeUpdate();
      } catch (error) {
        this.#report(error);
      }
    }, { unref: true });
  }

  #clearDefer(): void {
    this.#deferTimer?.cancel();
    this.#deferTimer = undefined;
    this.#deferDeadline = undefined;
  }
}

/** Creates /5/0 with its behaviour; returns the application's handle. */
export function installFirmwareUpdate(engine: LwM2mEngine, options: FirmwareUpdateOptions): FirmwareUpdateObject {
  return new FirmwareUpdateObject(engine, options);
}
