/**
 * `bytes` in a buffer of its own. A view into a larger buffer - Node's shared 8 KiB Buffer pool
 * (where serialized datagrams and encoded payloads come from), a received datagram, a reassembled
 * body - is copied, so that bytes kept for a long time (duplicate-detection replies for
 * EXCHANGE_LIFETIME, an observation's last payload) do not keep the whole larger buffer alive.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return new Uint8Array(bytes);
}
