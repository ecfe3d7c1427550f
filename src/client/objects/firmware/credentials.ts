/**
 * DTLS credentials for a coaps:// package URI (LwM2M Core E.6 Package URI; the Security object
 * E.1): the Security instance whose server URI names the same host and port, else the one of the
 * server that wrote the Package URI, turned into DTLS client options.
 */
import type { LwM2mEngine } from '../../../dm/engine.ts';
import { LwM2mPath } from '../../../model/path.ts';
import { dtlsOptionsFromSecurity } from '../../../transport/dtls/lwm2m-security.ts';
import type { DtlsClientOptions } from '../../../transport/dtls/options.ts';
import { numberAt, stringAt, valueAt } from '../common.ts';

const SECURITY = 0;

function defaultPort(u: URL): string {
  return u.port === '' ? '5684' : u.port;
}

/** The Security instance to use for `url`: same host and port, else server `ssid`'s. */
export function securityInstanceFor(engine: LwM2mEngine, url: URL, ssid: number | undefined): number | undefined {
  const reg = engine.registry;
  for (const iid of reg.instanceIds(SECURITY)) {
    const server = stringAt(reg, LwM2mPath.of(SECURITY, iid, 0));
    if (server === undefined || !URL.canParse(server)) continue;
    const u = new URL(server);
    if (u.protocol === 'coaps:' && u.hostname === url.hostname && defaultPort(u) === defaultPort(url)) return iid;
  }
  if (ssid === undefined) return undefined;
  return reg.instanceIds(SECURITY).find((iid) => valueAt(reg, LwM2mPath.of(SECURITY, iid, 1)) !== true && numberAt(reg, LwM2mPath.of(SECURITY, iid, 10)) === ssid);
}

/**
 * DTLS client options from the chosen Security instance, or undefined when there is none or it is
 * NoSec. Throws TypeError when its mode is unsupported or its keys are missing.
 */
export function securityDtlsOptions(engine: LwM2mEngine, url: URL, ssid: number | undefined): DtlsClientOptions | undefined {
  const iid = securityInstanceFor(engine, url, ssid);
  if (iid === undefined) return undefined;
  const reg = engine.registry;
  const bytes = (rid: number): Uint8Array | undefined => {
    const v = valueAt(reg, LwM2mPath.of(SECURITY, iid, rid));
    return v instanceof Uint8Array && v.length > 0 ? v : undefined;
  };
  return dtlsOptionsFromSecurity(
    {
      serverUri: url.href,
      securityMode: numberAt(reg, LwM2mPath.of(SECURITY, iid, 2)) ?? 3,
      publicKeyOrIdentity: bytes(3),
      serverPublicKey: bytes(4),
      secretKey: bytes(5),
      certificateUsage: numberAt(reg, LwM2mPath.of(SECURITY, iid, 15)),
    },
    { clock: engine.clock },
  );
}
