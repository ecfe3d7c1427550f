/**
 * The seam between CoAP and the network. UDP and DTLS implement it; tests wrap it (loss injection).
 * One Transport is one socket: the LwM2M client sends its requests and answers the server's requests
 * on the same one, so the server reaches it at the address it registered from.
 */

/** A remote (or local) UDP address. IPv6 addresses are written without brackets. */
export interface Peer {
  readonly address: string;
  readonly port: number;
}

/** A stable map key for a peer. */
export function peerKey(peer: Peer): string {
  return peer.address.includes(':') ? `[${peer.address}]:${peer.port}` : `${peer.address}:${peer.port}`;
}

export function samePeer(a: Peer, b: Peer): boolean {
  return a.port === b.port && a.address === b.address;
}

/** What the transport knows about the security of a datagram's channel. */
export interface ChannelInfo {
  readonly secure: boolean;
  /** PSK identity the peer authenticated with (DTLS PSK). */
  readonly pskIdentity?: string;
  /** DER of the peer's end-entity certificate (DTLS X.509). */
  readonly peerCertificate?: Uint8Array;
  /** DER SubjectPublicKeyInfo of the peer's raw public key (DTLS RPK, RFC 7250). */
  readonly rawPublicKey?: Uint8Array;
}

export type DatagramHandler = (data: Uint8Array, peer: Peer, channel: ChannelInfo) => void;
export type TransportErrorHandler = (error: Error, peer?: Peer) => void;

export interface Transport {
  /** The bound local address (valid once the transport is open). */
  readonly local: Peer;
  /**
   * Sends one datagram. Fire-and-forget like UDP itself: failures are reported through onError.
   * A DTLS transport may first complete a handshake with the peer and queue the datagram meanwhile.
   */
  send(data: Uint8Array, peer: Peer): void;
  /** Sets the handler of received (for DTLS: decrypted) datagrams. One handler per transport. */
  onDatagram(handler: DatagramHandler): void;
  /** Sets the handler of asynchronous errors (send failure, handshake failure with a peer). */
  onError(handler: TransportErrorHandler): void;
  close(): Promise<void>;
}
