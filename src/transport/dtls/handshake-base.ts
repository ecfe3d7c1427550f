/**
 * What the client and server handshakes share: the transcript (RFC 6347 4.2.6: every message as
 * if sent as one fragment, the first ClientHello and HelloVerifyRequest excluded), message_seq
 * numbering, in-order delivery of reassembled messages, and the Finished computation.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ChannelInfo, Peer } from '../transport.ts';
import type { CipherSuiteInfo } from './cipher-suites.ts';
import { AlertDescription, HandshakeType } from './constants.ts';
import { alertError } from './bytes.ts';
import type { DtlsConfig } from './config.ts';
import type { FlightEntry } from './flight.ts';
import { encodeHandshakeMessage, type HandshakeFragment } from './handshake-fragment.ts';
import { finishedVerifyData, sha256 } from './prf.ts';
import { HandshakeReassembler, type FragmentDisposition, type HandshakeMessage } from './reassembler.ts';
import type { RecordProtection } from './record-protection.ts';
import type { DtlsSessionState } from './session-cache.ts';

export interface HandshakeResult {
  readonly suite: CipherSuiteInfo;
  readonly resumed: boolean;
  readonly extendedMasterSecret: boolean;
  /** CBC records are protected encrypt-then-MAC (RFC 7366). */
  readonly encryptThenMac: boolean;
  /** The host name the client asked for with server_name (RFC 6066 3), if any. */
  readonly serverName: string | undefined;
  readonly channel: ChannelInfo;
  /** Resumable state, when the server gave the session an id. */
  readonly session: DtlsSessionState | undefined;
}

/** What a handshake asks of its connection. */
export interface HandshakeIO {
  readonly peer: Peer;
  /** Sends a new flight, replacing the previous one. Final flights get no timer (RFC 6347 4.2.4 FINISHED). */
  sendFlight(entries: readonly FlightEntry[], final: boolean): void;
  /** Installs the write protection of an epoch. */
  setWriteProtection(epoch: number, protection: RecordProtection): void;
  /** Switches reading to `epoch` (on ChangeCipherSpec). */
  activateReadEpoch(epoch: number, protection: RecordProtection): void;
  /** The connection IDs negotiated (RFC 9146): `own` is what the peer puts in records to us. */
  setConnectionIds(own: Buffer | undefined, peer: Buffer | undefined): void;
  /** The handshake finished successfully. */
  complete(result: HandshakeResult): void;
}

export abstract class HandshakeBase {
  protected readonly io: HandshakeIO;
  protected readonly config: DtlsConfig;
  protected transcript: Buffer[] = [];
  protected readonly reassembler: HandshakeReassembler;
  protected nextSendSeq: number;
  protected clientRandom: Buffer = Buffer.alloc(32);
  protected serverRandom: Buffer = Buffer.alloc(32);
  protected suite: CipherSuiteInfo | undefined;
  protected masterSecret: Buffer | undefined;
  protected extendedMasterSecret = false;
  protected encryptThenMac = false;
  /** Keys of the next epoch, ready before the peer's ChangeCipherSpec arrives. */
  protected pendingRead: RecordProtection | undefined;
  /** A local explanation to add when the peer's Finished fails (e.g. an unknown PSK identity). */
  protected failureHint: string | undefined;
  #done = false;
  #awaitingFinished = false;

  constructor(io: HandshakeIO, config: DtlsConfig, sendSeq = 0, receiveSeq = 0) {
    this.io = io;
    this.config = config;
    this.nextSendSeq = sendSeq;
    this.reassembler = new HandshakeReassembler(receiveSeq);
  }

  get done(): boolean {
    return this.#done;
  }

  /** True between the peer's ChangeCipherSpec and its Finished: a bad record then means a wrong key. */
  get awaitingFinished(): boolean {
    return this.#awaitingFinished;
  }

  /** Why the peer's Finished may fail, as far as we know. */
  get hint(): string | undefined {
    return this.failureHint;
  }

  /** The random of the ClientHello (identifies retransmissions of it). */
  get helloRandom(): Buffer {
    return this.clientRandom;
  }

  /**
   * Takes one handshake fragment. Returns 'old' when it belongs to a message already processed
   * (the peer is retransmitting its previous flight), so the connection can answer with ours.
   * Throws DtlsError (with the alert to send) when the handshake must abort.
   */
  receiveFragment(fragment: HandshakeFragment, epoch: number): FragmentDisposition | 'renegotiation' {
    if (this.#done) {
      // A new handshake restarts message_seq at 0 (RFC 6347 4.2.2), so a protected ClientHello or
      // HelloRequest is a renegotiation attempt whatever its sequence number.
      const hello = fragment.msgType === HandshakeType.clientHello || fragment.msgType === HandshakeType.helloRequest;
      return (hello && epoch > 0) || fragment.messageSeq >= this.reassembler.nextSeq ? 'renegotiation' : 'old';
    }
    const disposition = this.reassembler.add(fragment, epoch);
    if (disposition !== 'accepted') return disposition;
    for (let msg = this.reassembler.take(); msg !== undefined && !this.done; msg = this.reassembler.take()) {
      if ((msg.msgType === HandshakeType.finished) !== (msg.epoch > 0)) {
        throw alertError(AlertDescription.unexpectedMessage, `handshake message ${msg.msgType} in epoch ${msg.epoch}`);
      }
      if (msg.msgType === HandshakeType.finished) this.#awaitingFinished = false;
      this.handle(msg);
    }
    return 'accepted';
  }

  /** Takes a ChangeCipherSpec record; returns false when it was not expected (it is then ignored). */
  receiveChangeCipherSpec(): boolean {
    if (this.#done || this.pendingRead === undefined || !this.expectingChangeCipherSpec()) return false;
    this.io.activateReadEpoch(1, this.pendingRead);
    this.pendingRead = undefined;
    this.#awaitingFinished = true;
    return true;
  }

  protected abstract handle(msg: HandshakeMessage): void;
  protected abstract expectingChangeCipherSpec(): boolean;

  /** Numbers a message to send and appends it to the transcript. */
  protected outgoing(msgType: number, body: Buffer, epoch = 0): FlightEntry {
    const messageSeq = this.nextSendSeq++;
    this.transcript.push(encodeHandshakeMessage(msgType, messageSeq, body));
    return { kind: 'handshake', epoch, msgType, messageSeq, body };
  }

  /** Appends a received message to the transcript. */
  protected received(msg: HandshakeMessage): void {
    this.transcript.push(encodeHandshakeMessage(msg.msgType, msg.messageSeq, msg.body));
  }

  protected transcriptHash(): Buffer {
    return sha256(...this.transcript);
  }

  protected transcriptBytes(): Buffer {
    return Buffer.concat(this.transcript);
  }

  protected finishedFor(sender: 'client' | 'server'): Buffer {
    if (this.masterSecret === undefined) throw alertError(AlertDescription.internalError, 'no master secret');
    return finishedVerifyData(this.masterSecret, sender, this.transcriptHash());
  }

  /** Verifies the peer's Finished against the transcript so far (before appending it). */
  protected checkFinished(msg: HandshakeMessage, sender: 'client' | 'server'): void {
    const expected = this.finishedFor(sender);
    if (msg.body.length !== expected.length || !timingSafeEqual(msg.body, expected)) {
      throw alertError(AlertDescription.decryptError, 'Finished verify_data mismatch (wrong key or tampered handshake)');
    }
  }

  protected finish(result: HandshakeResult): void {
    this.#done = true;
    // The transcript is not needed any more; an established connection keeps only what it uses.
    this.transcript = [];
    this.pendingRead = undefined;
    this.io.complete(result);
  }

  protected static random(clock: { wallTime(): number }): Buffer {
    const r = randomBytes(32);
    r.writeUInt32BE(Math.floor(clock.wallTime() / 1000) >>> 0, 0);
    return r;
  }
}

/** Throws unexpected_message for a message that has no place at this point of the handshake. */
export function unexpected(msg: HandshakeMessage, state: string): never {
  throw alertError(AlertDescription.unexpectedMessage, `unexpected handshake message ${msg.msgType} while ${state}`);
}
