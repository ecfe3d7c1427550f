/**
 * Errors of the companion server's device-management API. Error responses from a client become
 * `RequestRejectedError` (carrying the CoAP code and diagnostic payload), timeouts `TimeoutError`,
 * bad payloads from a client `CodecError`; these are the server's own conditions.
 */
import { LwM2mError, type LwM2mErrorOptions } from '../errors.ts';

/** The endpoint named in a request is not registered (or its registration ended while the request waited). */
export class ClientNotRegisteredError extends LwM2mError {
  readonly endpoint: string;
  constructor(endpoint: string, message?: string, options?: LwM2mErrorOptions) {
    super('NOT_REGISTERED', message ?? `no client '${endpoint}' is registered`, options);
    this.endpoint = endpoint;
  }
}

/** A bootstrap configuration (JSON file or object) that cannot be used; `where` locates the problem. */
export class BootstrapConfigError extends LwM2mError {
  readonly where: string;
  constructor(where: string, message: string, options?: LwM2mErrorOptions) {
    super('BOOTSTRAP_CONFIG', where === '' ? message : `${where}: ${message}`, options);
    this.where = where;
  }
}
