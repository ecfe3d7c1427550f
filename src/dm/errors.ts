/** Errors of the data-model runtime (registry, operations, Send). */
import { LwM2mError, StatusError, type LwM2mErrorOptions } from '../errors.ts';

/** An object instance (or resource instance) that already exists was created again. Answers 4.00. */
export class InstanceExistsError extends StatusError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('INSTANCE_EXISTS', 0x80, message, options);
  }
}

/** Why a Send (LwM2M Core 1.1.1 Information Reporting interface, Send operation) could not go out. */
export type SendFailure =
  /** The engine speaks LwM2M 1.0, which has no Send operation. */
  | 'unsupported'
  /** The server account has Mute Send (/1/x/23) set. */
  | 'muted'
  /** No session is attached for that short server id. */
  | 'no-server'
  /** Nothing the server may read was found at the given paths. */
  | 'no-data'
  /** The session was detached or the engine closed while the Send waited. */
  | 'detached';

/** A Send the engine refused or abandoned before the server answered. */
export class SendError extends LwM2mError {
  readonly reason: SendFailure;
  constructor(reason: SendFailure, message: string, options?: LwM2mErrorOptions) {
    super('SEND', message, options);
    this.reason = reason;
  }
}
