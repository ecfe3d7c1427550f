/**
 * Hello extensions (RFC 5246 7.4.1.4) and the bodies of those we implement: server_name (RFC 6066 3),
 * supported_groups and ec_point_formats (RFC 8422 5.1), signature_algorithms (RFC 5246 7.4.1.4.1),
 * client/server_certificate_type (RFC 7250 3), extended_master_secret (RFC 7627 5.1),
 * connection_id (RFC 9146 3), renegotiation_info (RFC 5746 3.2).
 */
import { AlertDescription } from './constants.ts';
import { ByteReader, ByteWriter, alertError } from './bytes.ts';

export interface Extension {
  readonly type: number;
  readonly data: Buffer;
}

/** Decodes an extensions block (without its outer length); duplicates are a decode_error. */
export function decodeExtensions(r: ByteReader): Extension[] {
  if (r.remaining === 0) return [];
  const block = new ByteReader(r.vec16('extensions'));
  r.end('hello message');
  const out: Extension[] = [];
  const seen = new Set<number>();
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const data = block.vec16('extension data');
    if (seen.has(type)) throw alertError(AlertDescription.decodeError, `duplicate extension ${type}`);
    seen.add(type);
    out.push({ type, data });
  }
  return out;
}

export function encodeExtensions(w: ByteWriter, extensions: readonly Extension[]): void {
  if (extensions.length === 0) return;
  const block = new ByteWriter();
  for (const e of extensions) block.u16(e.type).vec16(e.data);
  w.vec16(block.finish());
}

export function findExtension(extensions: readonly Extension[], type: number): Buffer | undefined {
  return extensions.find((e) => e.type === type)?.data;
}

export function u16List(values: readonly number[]): Buffer {
  const inner = new ByteWriter();
  for (const v of values) inner.u16(v);
  return new ByteWriter().vec16(inner.finish()).finish();
}

export function parseU16List(data: Buffer, what: string): number[] {
  const r = new ByteReader(data);
  const list = r.vec16(what);
  r.end(what);
  if (list.length % 2 !== 0) throw alertError(AlertDescription.decodeError, `odd length of ${what}`);
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) out.push(list.readUInt16BE(i));
  return out;
}

export function u8List(values: readonly number[]): Buffer {
  return new ByteWriter().vec8(Buffer.from(values)).finish();
}

export function parseU8List(data: Buffer, what: string): number[] {
  const r = new ByteReader(data);
  const list = r.vec8(what);
  r.end(what);
  return [...list];
}

/** One opaque<0..255> body: connection_id and renegotiation_info. */
export function opaque8(value: Uint8Array): Buffer {
  return new ByteWriter().vec8(value).finish();
}

export function parseOpaque8(data: Buffer, what: string): Buffer {
  const r = new ByteReader(data);
  const v = r.vec8(what);
  r.end(what);
  return v;
}

/** server_name with one host_name entry (RFC 6066 3); the name goes without a trailing dot. */
export function serverNameExtension(host: string): Buffer {
  const entry = new ByteWriter().u8(0).vec16(Buffer.from(host, 'ascii')).finish();
  return new ByteWriter().vec16(entry).finish();
}

/**
 * The host_name of a ClientHello's server_name extension (RFC 6066 3); undefined for the empty body
 * a ServerHello acknowledges it with, or when the list holds only other name types. A list that is
 * empty, names a type twice or holds an empty or non-printable host name is a decode_error /
 * illegal_parameter.
 */
export function parseServerName(data: Buffer): string | undefined {
  if (data.length === 0) return undefined;
  const r = new ByteReader(data);
  const list = new ByteReader(r.vec16('server_name list'));
  r.end('server_name');
  if (list.remaining === 0) throw alertError(AlertDescription.decodeError, 'empty server_name list');
  const types = new Set<number>();
  let host: string | undefined;
  while (list.remaining > 0) {
    const type = list.u8('name type');
    const name = list.vec16('host name');
    if (types.has(type)) throw alertError(AlertDescription.illegalParameter, `server_name names type ${type} twice`);
    types.add(type);
    if (type !== 0) continue;
    if (name.length === 0) throw alertError(AlertDescription.decodeError, 'empty host_name in server_name');
    if (!name.every((b) => b > 0x20 && b < 0x7f)) throw alertError(AlertDescription.illegalParameter, 'host_name in server_name is not printable ASCII');
    host = name.toString('ascii');
  }
  return host;
}
