/** Errors of the `lwm2m` command line: bad options (exit 2, with usage) and unreadable files. */
import { LwM2mError, type LwM2mErrorOptions } from '../errors.ts';

/** A bad command-line option or shell argument; the command prints its usage with the message. */
export class UsageError extends LwM2mError {
  constructor(message: string, options?: LwM2mErrorOptions) {
    super('USAGE', message, options);
  }
}

/** A key or certificate file that cannot be read or parsed; reported as one line. */
export class CredentialFileError extends LwM2mError {
  readonly file: string;
  constructor(file: string, message: string, options?: LwM2mErrorOptions) {
    super('CREDENTIAL_FILE', message, options);
    this.file = file;
  }
}
