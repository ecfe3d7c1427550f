/**
 * LwM2M Software Management (object 9, registry object 9 / OMA SCOMO-LwM2M): one instance per
 * software component, with the package installation state machine (Update State /9/x/7: 0 INITIAL,
 * 1 DOWNLOAD STARTED, 2 DOWNLOADED, 3 DELIVERED, 4 INSTALLED) and its results (/9/x/9), and the
 * activation state machine (Activate /9/x/10, Deactivate /9/x/11, Activation State /9/x/12).
 *
 * A package arrives by push (Package /9/x/2, block-wise into the sink) or pull (Package URI
 * /9/x/3, the same downloaders as Firmware Update; User Name /9/x/14 and Password /9/x/15 become
 * HTTP basic authentication). Once every byte arrived the sink verifies it (DOWNLOADED -> DELIVERED,
 * result 3). Install (/9/x/4, DELIVERED only) and Uninstall (/9/x/6; argument 1 "ForUpdate") call the
 * application after the response.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import type { ExecuteArguments } from '../../dm/execute-args.ts';
import type { WriteContext } from '../../dm/registry.ts';
import { AbortedError, LwM2mError, LwM2mStatusError, type LwM2mErrorOptions } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { TypedEmitter } from '../../util/typed-events.ts';
import { afterResponse, definitionOf, fillInstance, notAllowed, setAll, stringAt } from './common.ts';
import { ALL_SCHEMES, download, DownloadError, type CoapDownloadOptions, type CoapProxyOptions, type DownloadScheme, type HttpDownloadOptions } from './download/index.ts';

const SOFTWARE = 9;

/** Update State (/9/x/7). */
export const SoftwareState = { INITIAL: 0, DOWNLOAD_STARTED: 1, DOWNLOADED: 2, DELIVERED: 3, INSTALLED: 4 } as const;
export type SoftwareState = (typeof SoftwareState)[keyof typeof SoftwareState];

/** Update Result (/9/x/9). */
export const SoftwareResult = {
  INITIAL: 0,
  DOWNLOADING: 1,
  INSTALLED: 2,
  DELIVERED: 3,
  NOT_ENOUGH_STORAGE: 50,
  OUT_OF_MEMORY: 51,
  CONNECTION_LOST: 52,
  INTEGRITY_FAILURE: 53,
  UNSUPPORTED_PACKAGE: 54,
  INVALID_URI: 56,
  UPDATE_ERROR: 57,
  INSTALL_FAILURE: 58,
  UNINSTALL_FAILURE: 59,
} as const;
export type SoftwareResult = (typeof SoftwareResult)[keyof typeof SoftwareResult];

/** Thrown by the sink or a callback to choose the Update Result. */
export class SoftwareError extends LwM2mError {
  readonly result: SoftwareResult;
  constructor(result: SoftwareResult, message?: string, options?: LwM2mErrorOptions) {
    super('SOFTWARE', message ?? `software update result ${result}`, options);
    this.result = result;
  }
}

/** Where a software package goes; like the firmware sink. */
export interface SoftwareSink {
  open?(transfer: { readonly method: 'push' | 'pull'; readonly uri?: string; readonly totalSize?: number }): void | Promise<void>;
  write(chunk: Uint8Array, offset: number): void | Promise<void>;
  /** Every byte arrived: verify (throw SoftwareError 53/54); may name the package. */
  finish?(info: { readonly size: number }): void | { name?: string; version?: string } | Promise<void | { name?: string; version?: string }>;
  abort?(reason: 'failed' | 'uninstall' | 'restart'): void | Promise<void>;
}

export interface SoftwareManagementOptions {
  readonly iid?: number;
  /** /9/x/0 and /9/x/1 of the software in place (default empty). */
  readonly name?: string;
  readonly version?: string;
  /** Start in INSTALLED (software already on the device), optionally active. */
  readonly installed?: boolean;
  readonly active?: boolean;
  readonly sink: SoftwareSink;
  /** Installs the delivered package; throw to fail (result 58). */
  readonly install?: () => void | Promise<void>;
  /** Removes the software, or prepares an update of it (`forUpdate`); throw to fail (result 59). */
  readonly uninstall?: (forUpdate: boolean) => void | Promise<void>;
  readonly activate?: () => void | Promise<void>;
  readonly deactivate?: () => void | Promise<void>;
  readonly protocols?: readonly DownloadScheme[];
  readonly coap?: CoapDownloadOptions;
  readonly http?: HttpDownloadOptions;
  /** Pull through a CoAP forward proxy (see FirmwareUpdateOptions.coapProxy). */
  readonly coapProxy?: CoapProxyOptions;
}

export interface SoftwareEvents {
  state: { readonly state: SoftwareState; readonly result: SoftwareResult; readonly active: boolean };
  progress: { readonly received: number; readonly total: number | undefined };
  error: Error;
}

/** One Software Management instance. */
export class SoftwareManagementObject extends TypedEmitter<SoftwareEvents> {
  readonly #engine: LwM2mEngine;
  readonly #options: SoftwareManagementOptions;
  readonly path: LwM2mPath;
  #state: SoftwareState;
  #result: SoftwareResult = SoftwareResult.INITIAL;
  #active: boolean;
  #transfer: { controller: AbortController; received: number; method: 'push' | 'pull' } | undefined;

  constructor(engine: LwM2mEngine, options: SoftwareManagementOptions) {
    super();
    this.#engine = engine;
    this.#options = options;
    const reg = engine.registry;
    const iid = options.iid ?? reg.freeInstanceId(SOFTWARE);
    this.path = LwM2mPath.of(SOFTWARE, iid);
    this.#state = options.installed === true ? SoftwareState.INSTALLED : SoftwareState.INITIAL;
    this.#active = options.installed === true && options.active === true;
    fillInstance(reg, definitionOf(engine, SOFTWARE), iid, {
      0: options.name ?? '',
      1: options.version ?? '',
      7: this.#state,
      8: false,
      9: this.#result,
      12: this.#active,
    });
    const at = (rid: number): LwM2mPath => this.path.child(rid);
    reg.onValidate(at(2), (_v, ctx) => {
      this.#checkPush(ctx);
    });
    reg.onPostWrite(at(2), (value, ctx) => this.#pushBlock(value as Uint8Array, ctx));
    reg.onValidate(at(3), (value) => {
      if (value !== '' && this.#state !== SoftwareState.INITIAL) throw notAllowed(`software management: a Package URI needs state INITIAL, not ${this.#state}`);
    });
    reg.onPostWrite(at(3), (value) => {
      if (value !== '') this.#startPull(value as string);
    });
    reg.onExecute(at(4), () => {
      this.#install();
    });
    reg.onExecute(at(6), (args) => {
      this.#uninstall(args);
    });
    reg.onExecute(at(10), () => this.#activation(true));
    reg.onExecute(at(11), () => this.#activation(false));
  }

  get state(): SoftwareState {
    return this.#state;
  }
  get result(): SoftwareResult {
    return this.#result;
  }
  get active(): boolean {
    return this.#active;
  }

  #set(state: SoftwareState, result: SoftwareResult, info?: { name?: string; version?: string }): void {
    this.#state = state;
    this.#result = result;
    setAll(this.#engine.registry, this.path, { 0: info?.name, 1: info?.version, 7: state, 9: result, 12: this.#active });
    this.emit('state', { state, result, active: this.#active });
  }

  #report(error: unknown): void {
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  #resultOf(error: unknown, fallback: SoftwareResult): SoftwareResult {
    if (error instanceof SoftwareError) return error.result;
    if (error instanceof DownloadError) {
      if (error.reason === 'connection-lost') return SoftwareResult.CONNECTION_LOST;
      if (error.reason === 'unsupported-protocol') return SoftwareResult.UPDATE_ERROR;
      return SoftwareResult.INVALID_URI;
    }
    this.#report(error);
    return fallback;
  }

  #fail(result: SoftwareResult): void {
    this.#transfer?.controller.abort(new AbortedError('software transfer stopped'));
    this.#transfer = undefined;
    void Promise.resolve(this.#options.sink.abort?.('failed')).catch((e: unknown) => {
      this.#report(e);
    });
    this.#set(SoftwareState.INITIAL, result);
  }

  // --- delivery ------------------------------------------------------------------------------------

  #checkPush(ctx: WriteContext): void {
    const offset = ctx.block?.offset ?? 0;
    if (offset === 0) {
      if (this.#state !== SoftwareState.INITIAL && !(this.#state === SoftwareState.DOWNLOAD_STARTED && this.#transfer?.method === 'push')) {
        throw notAllowed(`software management: a Package write needs state INITIAL, not ${this.#state}`);
      }
      return;
    }
    const t = this.#transfer;
    if (t?.method !== 'push' || offset > t.received) throw new LwM2mStatusError(0x88, 'software management: no package transfer at this offset');
  }

  async #pushBlock(bytes: Uint8Array, ctx: WriteContext): Promise<void> {
    const reg = this.#engine.registry;
    if (reg.get(this.path.child(2)) !== undefined) reg.delete(this.path.child(2));
    const block = ctx.block ?? { offset: 0, last: true, totalSize: bytes.length };
    const sink = this.#options.sink;
    if (block.offset === 0) {
      this.#transfer?.controller.abort();
      const t = { controller: new AbortController(), received: 0, method: 'push' as const };
      this.#transfer = t;
      this.#set(SoftwareState.DOWNLOAD_STARTED, SoftwareResult.DOWNLOADING);
      try {
        await sink.open?.({ method: 'push', ...(block.totalSize !== undefined ? { totalSize: block.totalSize } : {}) });
      } catch (error) {
        this.#fail(this.#resultOf(error, SoftwareResult.UPDATE_ERROR));
        throw new LwM2mStatusError(0xa0, 'software package rejected');
      }
    }
    const t = this.#transfer;
    if (t === undefined) throw new LwM2mStatusError(0x88, 'software management: the transfer was stopped');
    if (block.offset + bytes.length <= t.received) return;
    const fresh = bytes.subarray(t.received - block.offset);
    try {
      await sink.write(fresh, t.received);
    } catch (error) {
      const result = this.#resultOf(error, SoftwareResult.UPDATE_ERROR);
      this.#fail(result);
      throw new LwM2mStatusError(result === SoftwareResult.NOT_ENOUGH_STORAGE ? 0x8d : 0xa0, `software package rejected with result ${result}`);
    }
    t.received += fresh.length;
    this.emit('progress', { received: t.received, total: block.totalSize });
    if (block.last) await this.#delivered(t);
  }

  #startPull(uri: string): void {
    const t = { controller: new AbortController(), received: 0, method: 'pull' as const };
    this.#transfer = t;
    this.#set(SoftwareState.DOWNLOAD_STARTED, SoftwareResult.DOWNLOADING);
    afterResponse(() => {
      void this.#pull(t, uri);
    });
  }

  async #pull(t: { controller: AbortController; received: number; method: 'push' | 'pull' }, uri: string): Promise<void> {
    const sink = this.#options.sink;
    const reg = this.#engine.registry;
    const user = stringAt(reg, this.path.child(14));
    const password = stringAt(reg, this.path.child(15));
    const auth: Record<string, string> = user !== undefined && user !== '' ? { authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` } : {};
    try {
      await sink.open?.({ method: 'pull', uri });
      const size = await download(
        uri,
        {
          write: (chunk, offset) => sink.write(chunk, offset),
          restart: async () => {
            await sink.abort?.('restart');
            await sink.open?.({ method: 'pull', uri });
          },
        },
        {
          schemes: new Set(this.#options.protocols ?? ALL_SCHEMES),
          signal: t.controller.signal,
          clock: this.#engine.clock,
          coap: this.#options.coap,
          http: { ...this.#options.http, headers: { ...this.#options.http?.headers, ...auth } },
          coapProxy: this.#options.coapProxy,
          onProgress: (p) => {
            t.received = p.received;
            this.emit('progress', p);
          },
        },
      );
      t.received = size;
      if (this.#transfer === t) await this.#delivered(t);
    } catch (error) {
      if (this.#transfer !== t || t.controller.signal.aborted) return;
      this.#fail(this.#resultOf(error, SoftwareResult.CONNECTION_LOST));
    }
  }

  async #delivered(t: { controller: AbortController; received: number }): Promise<void> {
    this.#set(SoftwareState.DOWNLOADED, SoftwareResult.DOWNLOADING);
    let info: void | { name?: string; version?: string };
    try {
      info = await this.#options.sink.finish?.({ size: t.received });
    } catch (error) {
      this.#fail(this.#resultOf(error, SoftwareResult.INTEGRITY_FAILURE));
      return;
    }
    this.#transfer = undefined;
    this.#set(SoftwareState.DELIVERED, SoftwareResult.DELIVERED, info ?? undefined);
  }

  // --- installation and activation ---------------------------------------------------------------

  #install(): void {
    if (this.#state !== SoftwareState.DELIVERED) throw notAllowed(`software management: Install needs state DELIVERED (3), not ${this.#state}`);
    const cb = this.#options.install;
    if (cb === undefined) throw new LwM2mStatusError(0xa1, 'software management: the application has no install handler');
    afterResponse(() => {
      void (async () => {
        try {
          await cb();
          this.#set(SoftwareState.INSTALLED, SoftwareResult.INSTALLED);
        } catch (error) {
          this.#set(SoftwareState.DELIVERED, this.#resultOf(error, SoftwareResult.INSTALL_FAILURE));
        }
      })();
    });
  }

  #uninstall(args: ExecuteArguments): void {
    if (this.#state !== SoftwareState.INSTALLED && this.#state !== SoftwareState.DELIVERED) {
      throw notAllowed(`software management: nothing to uninstall in state ${this.#state}`);
    }
    const forUpdate = args.has(1) || args.get(0) === '1';
    if (forUpdate && this.#state !== SoftwareState.INSTALLED) throw notAllowed('software management: Uninstall for update needs state INSTALLED');
    const cb = this.#options.uninstall;
    afterResponse(() => {
      void (async () => {
        try {
          await cb?.(forUpdate);
          if (!forUpdate) {
            this.#active = false;
            await this.#options.sink.abort?.('uninstall');
          }
          this.#set(SoftwareState.INITIAL, SoftwareResult.INITIAL);
        } catch (error) {
          this.#set(this.#state, this.#resultOf(error, SoftwareResult.UNINSTALL_FAILURE));
        }
      })();
    });
  }

  /** Activate / Deactivate: the response waits for the application's callback (its failure answers 5.00). */
  #activation(on: boolean): void | Promise<void> {
    if (this.#state !== SoftwareState.INSTALLED) throw notAllowed(`software management: ${on ? 'Activate' : 'Deactivate'} needs state INSTALLED (4), not ${this.#state}`);
    const cb = on ? this.#options.activate : this.#options.deactivate;
    const done = (): void => {
      this.#active = on;
      this.#engine.registry.set(this.path.child(12), on);
      this.emit('state', { state: this.#state, result: this.#result, active: on });
    };
    if (cb === undefined) {
      done();
      return;
    }
    const r = cb();
    if (r instanceof Promise) return r.then(done);
    done();
  }
}

/** Creates a Software Management instance with its behaviour; returns its handle. */
export function installSoftwareManagement(engine: LwM2mEngine, options: SoftwareManagementOptions): SoftwareManagementObject {
  return new SoftwareManagementObject(engine, options);
}
