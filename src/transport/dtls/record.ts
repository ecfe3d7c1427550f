/**
 * The DTLS 1.2 record layer framing: DTLSPlaintext / DTLSCiphertext headers (RFC 6347 4.1), the
 * connection ID record format and inner plaintext (RFC 9146 4, 5), and the additional data each
 * format authenticates.
 */
import { ContentType, RECORD_HEADER_LENGTH } from './constants.ts';

/** One record of a datagram, before protection is removed. */
export interface DtlsRecord {
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  /** 48-bit sequence number (exact in a JS number). */
  readonly seq: number;
  /** The connection ID of a tls12_cid record. */
  readonly cid: Buffer | undefined;
  readonly fragment: Buffer;
}

/** Largest fragment we accept: 2^14 plus the 2048 bytes of expansion RFC 5246 6.2.3 allows. */
export const MAX_CIPHERTEXT = 2 ** 14 + 2048;

/**
 * Splits a datagram into records (RFC 6347 4.1: several records may share a datagram).
 * `cidLength` is the length of the connection IDs this endpoint issued (0 when it issued none):
 * a tls12_cid record does not carry the length of its CID. Parsing stops at the first malformed
 * record; the records before it are returned, and the rest of the datagram is dropped.
 */
export function parseRecords(datagram: Uint8Array, cidLength: number): DtlsRecord[] {
  const buf = Buffer.isBuffer(datagram) ? datagram : Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const out: DtlsRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= RECORD_HEADER_LENGTH) {
    const type = buf[pos]!;
    const hasCid = type === ContentType.tls12Cid;
    if (hasCid && cidLength === 0) break;
    const headerLength = RECORD_HEADER_LENGTH + (hasCid ? cidLength : 0);
    if (buf.length - pos < headerLength) break;
    const version = buf.readUInt16BE(pos + 1);
    const epoch = buf.readUInt16BE(pos + 3);
    const seq = buf.readUIntBE(pos + 5, 6);
    const cid = hasCid ? buf.subarray(pos + 11, pos + 11 + cidLength) : undefined;
    const length = buf.readUInt16BE(pos + headerLength - 2);
    if (length > MAX_CIPHERTEXT || buf.length - pos - headerLength < length) break;
    out.push({ type, version, epoch, seq, cid, fragment: buf.subarray(pos + headerLength, pos + headerLength + length) });
    pos += headerLength + length;
  }
  return out;
}

/** Serializes one record header and its (already protected) fragment. */
export function encodeRecord(type: number, version: number, epoch: number, seq: number, cid: Buffer | undefined, fragment: Buffer): Buffer {
  const cidLength = cid?.length ?? 0;
  const out = Buffer.allocUnsafe(RECORD_HEADER_LENGTH + cidLength + fragment.length);
  out[0] = type;
  out.writeUInt16BE(version, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(seq, 5, 6);
  if (cid !== undefined) cid.copy(out, 11);
  out.writeUInt16BE(fragment.length, 11 + cidLength);
  fragment.copy(out, RECORD_HEADER_LENGTH + cidLength);
  return out;
}

/** The 8-byte epoch + sequence number (RFC 6347 4.1.2.1 seq_num). */
export function sequenceBytes(epoch: number, seq: number): Buffer {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt16BE(epoch, 0);
  out.writeUIntBE(seq, 2, 6);
  return out;
}

/** additional_data = seq_num + type + version + length (RFC 5246 6.2.3.3 with RFC 6347 4.1.2.1). */
export function plainAad(epoch: number, seq: number, type: number, version: number): (length: number) => Buffer {
  return (length) => {
    const out = Buffer.allocUnsafe(13);
    out.writeUInt16BE(epoch, 0);
    out.writeUIntBE(seq, 2, 6);
    out[8] = type;
    out.writeUInt16BE(version, 9);
    out.writeUInt16BE(length, 11);
    return out;
  };
}

/**
 * RFC 9146 5: seq_num_placeholder (8 x 0xff) + tls12_cid + cid_length + tls12_cid + version + epoch +
 * sequence_number + cid + length_of_DTLSInnerPlaintext. The same prefix is MACed for CBC suites.
 */
export function cidAad(epoch: number, seq: number, version: number, cid: Buffer): (length: number) => Buffer {
  return (length) => {
    const out = Buffer.allocUnsafe(23 + cid.length);
    out.fill(0xff, 0, 8);
    out[8] = ContentType.tls12Cid;
    out[9] = cid.length;
    out[10] = ContentType.tls12Cid;
    out.writeUInt16BE(version, 11);
    out.writeUInt16BE(epoch, 13);
    out.writeUIntBE(seq, 15, 6);
    cid.copy(out, 21);
    out.writeUInt16BE(length, 21 + cid.length);
    return out;
  };
}

/** DTLSInnerPlaintext = content + real_type + zeros (RFC 9146 4); we send no padding. */
export function encodeInnerPlaintext(type: number, content: Buffer): Buffer {
  const out = Buffer.allocUnsafe(content.length + 1);
  content.copy(out, 0);
  out[content.length] = type;
  return out;
}

/** Strips padding from a DTLSInnerPlaintext; undefined when it holds no content type. */
export function decodeInnerPlaintext(inner: Buffer): { type: number; content: Buffer } | undefined {
  let i = inner.length - 1;
  while (i >= 0 && inner[i] === 0) i--;
  if (i < 0) return undefined;
  return { type: inner[i]!, content: inner.subarray(0, i) };
}
