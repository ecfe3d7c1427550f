/**
 * The Firmware Update state machine (LwM2M Core 1.1.1 E.6 and the object 5 definition): State
 * (/5/0/3) and Update Result (/5/0/5) as a pure transition function. Every attempt (a download or an
 * update) starts with Update Result 0; failures are reported only through Update Result.
 */
import { LwM2mError, type LwM2mErrorOptions } from '../../../errors.ts';

/** State (/5/0/3). */
export const FirmwareState = { IDLE: 0, DOWNLOADING: 1, DOWNLOADED: 2, UPDATING: 3 } as const;
export type FirmwareState = (typeof FirmwareState)[keyof typeof FirmwareState];

/** Update Result (/5/0/5); 10 and 11 exist from object version 1.1. */
export const FirmwareResult = {
  INITIAL: 0,
  SUCCESS: 1,
  NOT_ENOUGH_FLASH: 2,
  OUT_OF_RAM: 3,
  CONNECTION_LOST: 4,
  INTEGRITY_FAILURE: 5,
  UNSUPPORTED_PACKAGE: 6,
  INVALID_URI: 7,
  UPDATE_FAILED: 8,
  UNSUPPORTED_PROTOCOL: 9,
  CANCELLED: 10,
  DEFERRED: 11,
} as const;
export type FirmwareResult = (typeof FirmwareResult)[keyof typeof FirmwareResult];

/** Firmware Update Protocol Support values (/5/0/8). */
export const FirmwareProtocol = { coap: 0, coaps: 1, http: 2, https: 3, coapTcp: 4, coapTls: 5 } as const;

/** Firmware Update Delivery Method values (/5/0/9). */
export const DeliveryMethod = { pull: 0, push: 1, both: 2 } as const;
export type DeliveryMethodName = keyof typeof DeliveryMethod;

/**
 * Thrown by the application's sink or update callback to choose the Update Result, e.g.
 * `throw new FirmwareError(FirmwareResult.INTEGRITY_FAILURE)` from `finish()` when a signature does
 * not verify, or NOT_ENOUGH_FLASH from `open()`/`write()`.
 */
export class FirmwareError extends LwM2mError {
  readonly result: FirmwareResult;
  constructor(result: FirmwareResult, message?: string, options?: LwM2mErrorOptions) {
    super('FIRMWARE', message ?? `firmware update result ${result}`, options);
    this.result = result;
  }
}

/** The application deferred an update that may not be deferred (/5/0/13 is 0 or its period ran out). */
export class FirmwareDeferralError extends FirmwareError {
  constructor(maxDeferSeconds: number) {
    super(
      FirmwareResult.UPDATE_FAILED,
      maxDeferSeconds <= 0
        ? 'firmware update: deferral is not allowed (Maximum Defer Period /5/0/13 is 0); the update counts as failed (8)'
        : `firmware update: the Maximum Defer Period (${maxDeferSeconds} s) ran out; the update counts as failed (8)`,
    );
  }
}

export interface FirmwareStatus {
  readonly state: FirmwareState;
  readonly result: FirmwareResult;
}

/** What happens to the machine. */
export type FirmwareEvent =
  /** A package write or a Package URI starts a transfer: Idle -> Downloading, result 0. */
  | { readonly type: 'start' }
  /** The whole package arrived and passed the application's checks: Downloading -> Downloaded. */
  | { readonly type: 'downloaded' }
  /** The transfer failed (results 2..7, 9): Downloading -> Idle. */
  | { readonly type: 'download-failed'; readonly result: FirmwareResult }
  /** An empty Package or Package URI write: Downloading/Downloaded/Idle -> Idle, result 0. */
  | { readonly type: 'reset' }
  /** Cancel (/5/0/10): Downloading/Downloaded -> Idle, result 10. */
  | { readonly type: 'cancel' }
  /** Update (/5/0/2): Downloaded -> Updating, result 0. */
  | { readonly type: 'update' }
  /** The update succeeded: Updating -> Idle, result 1. */
  | { readonly type: 'updated' }
  /** The update failed: Updating -> Downloaded (image kept) or Idle (integrity failure, unsupported package). */
  | { readonly type: 'update-failed'; readonly result: FirmwareResult }
  /** The user deferred the update: Updating -> Downloaded, result 11. */
  | { readonly type: 'deferred' };

const DOWNLOAD_FAILURES: ReadonlySet<number> = new Set([2, 3, 4, 5, 6, 7, 9]);

/**
 * The next status, or undefined when the event is not allowed in this state (the operation that
 * caused it is then refused, 4.05).
 */
export function firmwareStep(s: FirmwareStatus, e: FirmwareEvent): FirmwareStatus | undefined {
  const { IDLE, DOWNLOADING, DOWNLOADED, UPDATING } = FirmwareState;
  switch (e.type) {
    case 'start':
      return s.state === IDLE ? { state: DOWNLOADING, result: FirmwareResult.INITIAL } : undefined;
    case 'downloaded':
      return s.state === DOWNLOADING ? { state: DOWNLOADED, result: FirmwareResult.INITIAL } : undefined;
    case 'download-failed':
      return s.state === DOWNLOADING && DOWNLOAD_FAILURES.has(e.result) ? { state: IDLE, result: e.result } : undefined;
    case 'reset':
      return s.state === UPDATING ? undefined : { state: IDLE, result: FirmwareResult.INITIAL };
    case 'cancel':
      return s.state === DOWNLOADING || s.state === DOWNLOADED ? { state: IDLE, result: FirmwareResult.CANCELLED } : undefined;
    case 'update':
      return s.state === DOWNLOADED ? { state: UPDATING, result: FirmwareResult.INITIAL } : undefined;
    case 'updated':
      return s.state === UPDATING ? { state: IDLE, result: FirmwareResult.SUCCESS } : undefined;
    case 'update-failed': {
      if (s.state !== UPDATING || e.result === FirmwareResult.SUCCESS || e.result === FirmwareResult.INITIAL) return undefined;
      const discard = e.result === FirmwareResult.INTEGRITY_FAILURE || e.result === FirmwareResult.UNSUPPORTED_PACKAGE;
      if (discard) return { state: IDLE, result: e.result };
      // Download-phase results (2, 3, 4, 7, 9, ...) mean nothing while installing: the image stays, and the
      // update counts as failed (8).
      return { state: DOWNLOADED, result: FirmwareResult.UPDATE_FAILED };
    }
    case 'deferred':
      return s.state === UPDATING ? { state: DOWNLOADED, result: FirmwareResult.DEFERRED } : undefined;
  }
}
