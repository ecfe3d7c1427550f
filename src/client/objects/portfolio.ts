/**
 * Portfolio (object 16, registry object 16): identity strings (/16/x/0) of other entities and the
 * GetAuthData service (/16/x/1). Executing GetAuthData resets AuthStatus (/16/x/3) to IDLE (0) and
 * asks the application for the data (after the response); the result goes to AuthData (/16/x/2)
 * with AuthStatus DATA_AVAIL (1), a failure gives ERROR (2). AuthStatus returns to IDLE once a
 * server has read AuthData.
 */
import type { LwM2mEngine } from '../../dm/engine.ts';
import type { ExecuteArguments } from '../../dm/execute-args.ts';
import { isInstances } from '../../dm/registry.ts';
import { LwM2mStatusError } from '../../errors.ts';
import { LwM2mPath } from '../../model/path.ts';
import { TypedEmitter } from '../../util/typed-events.ts';
import { afterResponse, definitionOf, fillInstance, numberAt, setAll } from './common.ts';

const PORTFOLIO = 16;

/** AuthStatus values (/16/x/3). */
export const AuthStatus = { IDLE: 0, DATA_AVAILABLE: 1, ERROR: 2 } as const;

/** Produces the authentication data for GetAuthData: its arguments and the instance's identities. */
export type AuthDataProvider = (args: ExecuteArguments, identities: readonly string[]) => readonly Uint8Array[] | Promise<readonly Uint8Array[]>;

export interface PortfolioOptions {
  readonly iid?: number;
  /** /16/x/0 by resource instance id. */
  readonly identities?: readonly string[];
  readonly getAuthData?: AuthDataProvider;
}

export interface PortfolioEvents {
  error: Error;
}

/** One Portfolio instance. */
export class PortfolioObject extends TypedEmitter<PortfolioEvents> {
  readonly #engine: LwM2mEngine;
  readonly path: LwM2mPath;
  #provider: AuthDataProvider | undefined;

  constructor(engine: LwM2mEngine, options: PortfolioOptions) {
    super();
    this.#engine = engine;
    this.#provider = options.getAuthData;
    const reg = engine.registry;
    const iid = options.iid ?? reg.freeInstanceId(PORTFOLIO);
    this.path = LwM2mPath.of(PORTFOLIO, iid);
    fillInstance(reg, definitionOf(engine, PORTFOLIO), iid, { 0: options.identities ?? [], 3: AuthStatus.IDLE });
    reg.onExecute(this.path.child(1), (args) => {
      this.#getAuthData(args);
    });
    reg.onRead(this.path.child(2), () => {
      // The data is handed out once: AuthStatus goes back to IDLE after this read.
      if (numberAt(reg, this.path.child(3)) === AuthStatus.DATA_AVAILABLE) {
        afterResponse(() => {
          reg.set(this.path.child(3), AuthStatus.IDLE);
        });
      }
      return undefined;
    });
  }

  /** The identities (/16/x/0). */
  identities(): string[] {
    const v = this.#engine.registry.get(this.path.child(0));
    return isInstances(v) ? [...v.values()].filter((x): x is string => typeof x === 'string') : [];
  }

  /** Sets the provider used by GetAuthData. */
  onGetAuthData(provider: AuthDataProvider): void {
    this.#provider = provider;
  }

  #getAuthData(args: ExecuteArguments): void {
    const provider = this.#provider;
    if (provider === undefined) throw new LwM2mStatusError(0xa1, 'portfolio: the application provides no authentication data');
    const reg = this.#engine.registry;
    reg.set(this.path.child(3), AuthStatus.IDLE);
    const identities = this.identities();
    afterResponse(() => {
      void (async () => {
        try {
          const data = await provider(args, identities);
          setAll(reg, this.path, { 2: data, 3: AuthStatus.DATA_AVAILABLE });
        } catch (error) {
          reg.set(this.path.child(3), AuthStatus.ERROR);
          this.emit('error', error instanceof Error ? error : new Error(String(error)));
        }
      })();
    });
  }
}

/** Creates a Portfolio instance; returns its handle. */
export function installPortfolio(engine: LwM2mEngine, options: PortfolioOptions = {}): PortfolioObject {
  return new PortfolioObject(engine, options);
}
