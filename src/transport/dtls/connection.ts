/**
 * One DTLS association with one peer: the record layer state of each epoch (protection, 48-bit
 * sequence numbers, the anti-replay window, RFC 6347 4.1), connection IDs (RFC 9146), flight
 * transmission and retransmission (RFC 6347 4.2.4), alerts, and application data once the
 * handshake (client or server, driven by a HandshakeBase) has completed.
 */
import { DtlsError } from '../../errors.ts';
import type { Clock, Timer } from '../../util/clock.ts';
import { samePeer, type ChannelInfo, type Peer } from '../transport.ts';
import { alertError } from './bytes.ts';
import type { DtlsConfig } from './config.ts';
import {
  AlertDescription,
  AlertLevel,
  ContentType,
  DTLS_1_0,
  DTLS_1_2,
  MAX_SEQUENCE,
  RECORD_HEADER_LENGTH,
  alertName,
} from './constants.ts';
import { planFlight, retransmitTimeout, type FlightEntry } from './flight.ts';
import type { HandshakeBase, HandshakeIO, HandshakeResult } from './handshake-base.ts';
import { parseHandshakeFragments, type HandshakeFragment } from './handshake-fragment.ts';
import { cidAad, decodeInnerPlaintext, encodeInnerPlaintext, encodeRecord, plainAad, sequenceBytes, type DtlsRecord } from './record.ts';
import { NULL_PROTECTION, type RecordProtection } from './record-protection.ts';
import { ReplayWindow } from './replay-window.ts';

/** What a connection reports to its transport. */
export interface ConnectionEvents {
  /** Puts a datagram on the wire. */
  send(datagram: Buffer, peer: Peer): void;
  /** Decrypted application data. */
  data(connection: DtlsConnection, data: Buffer): void;
  established(connection: DtlsConnection): void;
  /** The handshake or the connection failed (fatal alert sent or received, timeout). */
  failed(connection: DtlsConnection, error: DtlsError): void;
  /** The peer closed the connection with close_notify. */
  closed(connection: DtlsConnection): void;
  /** An authenticated record carrying our connection ID came from a new address (RFC 9146 6). */
  moved(connection: DtlsConnection, from: Peer): void;
}

interface ReadState {
  readonly protection: RecordProtection;
  readonly window: ReplayWindow;
}

interface WriteState {
  readonly protection: RecordProtection;
  seq: number;
}

/** Largest plaintext of one record (RFC 5246 6.2.1). */
const MAX_PLAINTEXT = 2 ** 14;
const MAX_FUTURE_RECORDS = 8;

export type ConnectionState = 'handshaking' | 'established' | 'closed';

export class DtlsConnection implements HandshakeIO {
  readonly role: 'client' | 'server';
  readonly #config: DtlsConfig;
  readonly #clock: Clock;
  readonly #events: ConnectionEvents;
  #peer: Peer;
  #handshake!: HandshakeBase;
  #state: ConnectionState = 'handshaking';
  readonly #read = new Map<number, ReadState>();
  #readEpoch = 0;
  readonly #write = new Map<number, WriteState>();
  #writeEpoch = 0;
  #sentEpoch = 0;
  #ownCid: Buffer | undefined;
  #peerCid: Buffer | undefined;
  #flight: readonly FlightEntry[] | undefined;
  #retransmissions = 0;
  #lastFlightAt = -Infinity;
  #timer: Timer | undefined;
  #deadline: Timer | undefined;
  #queue: Buffer[] = [];
  #future: { record: DtlsRecord; from: Peer }[] = [];
  #result: HandshakeResult | undefined;
  #lastActivity: number;

  constructor(role: 'client' | 'server', config: DtlsConfig, peer: Peer, events: ConnectionEvents, writeSeq = 0) {
    this.role = role;
    this.#config = config;
    this.#clock = config.clock;
    this.#events = events;
    this.#peer = peer;
    this.#read.set(0, { protection: NULL_PROTECTION, window: new ReplayWindow() });
    this.#write.set(0, { protection: NULL_PROTECTION, seq: writeSeq });
    this.#lastActivity = this.#clock.now();
    this.#deadline = this.#clock.setTimer(config.handshakeTimeoutMs, () => {
      this.#fail(new DtlsError(`DTLS handshake with ${this.#peer.address}:${this.#peer.port} timed out after ${config.handshakeTimeoutMs} ms`), false);
    });
  }

  /** Attaches the handshake and runs its first step (the ClientHello, or the server's first flight). */
  begin(handshake: HandshakeBase, start: () => void): void {
    this.#handshake = handshake;
    this.#guard(start);
  }

  get peer(): Peer {
    return this.#peer;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get handshake(): HandshakeBase {
    return this.#handshake;
  }

  /** The negotiated parameters, once established. */
  get result(): HandshakeResult | undefined {
    return this.#result;
  }

  get channel(): ChannelInfo {
    return this.#result?.channel ?? { secure: true };
  }

  get ownConnectionId(): Buffer | undefined {
    return this.#ownCid;
  }

  get peerConnectionId(): Buffer | undefined {
    return this.#peerCid;
  }

  get lastActivity(): number {
    return this.#lastActivity;
  }

  // ---- HandshakeIO ---------------------------------------------------------------------------

  sendFlight(entries: readonly FlightEntry[], final: boolean): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#flight = entries;
    this.#retransmissions = 0;
    this.#transmitFlight();
    if (!final) this.#armTimer();
  }

  setWriteProtection(epoch: number, protection: RecordProtection): void {
    this.#write.set(epoch, { protection, seq: 0 });
  }

  activateReadEpoch(epoch: number, protection: RecordProtection): void {
    this.#read.set(epoch, { protection, window: new ReplayWindow() });
    this.#readEpoch = epoch;
    const early = this.#future.filter((f) => f.record.epoch === epoch);
    this.#future = [];
    // Records of the new epoch that overtook the ChangeCipherSpec (RFC 6347 4.1: reordering).
    queueMicrotask(() => {
      for (const f of early) if (this.#state !== 'closed') this.#receiveRecord(f.record, f.from);
    });
  }

  setConnectionIds(own: Buffer | undefined, peer: Buffer | undefined): void {
    this.#ownCid = own;
    this.#peerCid = peer;
  }

  complete(result: HandshakeResult): void {
    this.#result = result;
    this.#state = 'established';
    this.#writeEpoch = 1;
    this.#deadline?.cancel();
    this.#deadline = undefined;
    if (this.#timer !== undefined) {
      // We received the peer's last flight: ours needs no more retransmission.
      this.#timer.cancel();
      this.#timer = undefined;
      this.#flight = undefined;
    }
    const queued = this.#queue;
    this.#queue = [];
    for (const data of queued) this.send(data);
    this.#events.established(this);
  }

  // ---- application side ------------------------------------------------------------------------

  /** Sends application data, or queues it while the handshake runs. */
  send(data: Buffer): void {
    if (this.#state === 'closed') throw new DtlsError('DTLS connection is closed');
    if (data.length > MAX_PLAINTEXT) throw new DtlsError(`datagram of ${data.length} bytes exceeds the DTLS record limit of ${MAX_PLAINTEXT}`);
    if (this.#state === 'handshaking') {
      if (this.#queue.length >= this.#config.maxQueuedDatagrams) throw new DtlsError('too many datagrams queued while the DTLS handshake runs');
      this.#queue.push(Buffer.from(data));
      return;
    }
    this.#lastActivity = this.#clock.now();
    this.#events.send(this.#writeRecord(ContentType.applicationData, this.#writeEpoch, data), this.#peer);
  }

  /** Ends the connection; an established one first tells the peer with close_notify. */
  close(notify = true): void {
    if (this.#state === 'closed') return;
    if (notify && this.#state === 'established') this.#sendAlert(AlertLevel.warning, AlertDescription.closeNotify);
    this.#shutdown();
  }

  /** Aborts with a fatal alert to the peer and a failure report. */
  abort(error: DtlsError): void {
    this.#fail(error, true);
  }

  // ---- receiving -------------------------------------------------------------------------------

  /** Processes the records of one datagram from `from`. */
  receive(records: readonly DtlsRecord[], from: Peer): void {
    for (const r of records) {
      if (this.#state === 'closed') return;
      this.#receiveRecord(r, from);
    }
  }

  #receiveRecord(r: DtlsRecord, from: Peer): void {
    if (r.version !== DTLS_1_2 && !(r.epoch === 0 && r.version === DTLS_1_0)) return;
    if (r.type === ContentType.tls12Cid) {
      if (this.#ownCid === undefined || r.epoch === 0 || r.cid === undefined || !r.cid.equals(this.#ownCid)) return;
    } else if (r.epoch > 0 && this.#ownCid !== undefined) {
      return; // RFC 9146 4: once we issued a CID, protected records must carry it.
    }
    if (r.epoch === 0 && !samePeer(from, this.#peer)) return;
    const state = this.#read.get(r.epoch);
    if (state === undefined) {
      if (r.epoch === this.#readEpoch + 1 && this.#future.length < MAX_FUTURE_RECORDS) this.#future.push({ record: r, from });
      return;
    }
    // Epoch 0 is unauthenticated, so a window would protect nothing; handshake duplicates are
    // recognised by message_seq instead.
    if (r.epoch > 0 && state.window.isReplay(r.seq)) return;
    const aad = r.type === ContentType.tls12Cid ? cidAad(r.epoch, r.seq, r.version, r.cid!) : plainAad(r.epoch, r.seq, r.type, r.version);
    const plain = state.protection.open(aad, r.fragment);
    if (plain === undefined) {
      if (this.#state === 'handshaking' && this.#handshake.awaitingFinished && r.epoch === this.#readEpoch) {
        // RFC 6347 4.1.2.7 lets us answer a bad MAC with a fatal bad_record_mac; during the
        // handshake it means the keys differ (wrong PSK), and waiting out the timeout helps nobody.
        const hint = this.#handshake.hint;
        this.#fail(alertError(AlertDescription.badRecordMac, `cannot authenticate the peer's Finished${hint !== undefined ? ` (${hint})` : ''}`), true);
      }
      return;
    }
    let type = r.type;
    let content = plain;
    if (r.type === ContentType.tls12Cid) {
      const inner = decodeInnerPlaintext(plain);
      if (inner === undefined) return;
      type = inner.type;
      content = inner.content;
    }
    if (r.epoch > 0) {
      const newest = r.seq > state.window.highest;
      state.window.mark(r.seq);
      this.#lastActivity = this.#clock.now();
      // RFC 9146 6: only the newest authenticated record may move the peer, and only once the
      // handshake is over (an on-path replay must not redirect a handshake in progress).
      if (newest && r.type === ContentType.tls12Cid && this.#state === 'established' && !samePeer(from, this.#peer)) {
        const old = this.#peer;
        this.#peer = from;
        this.#events.moved(this, old);
      }
    }
    this.#dispatch(type, content, r.epoch);
  }

  #dispatch(type: number, content: Buffer, epoch: number): void {
    switch (type) {
      case ContentType.handshake:
        this.#onHandshake(content, epoch);
        return;
      case ContentType.changeCipherSpec:
        if (content.length === 1 && content[0] === 1 && epoch === this.#readEpoch) {
          this.#guard(() => this.#handshake.receiveChangeCipherSpec());
        }
        return;
      case ContentType.alert:
        this.#onAlert(content, epoch);
        return;
      case ContentType.applicationData:
        // Never plaintext: application data counts only in the current, protected epoch.
        if (this.#state !== 'established' || epoch === 0 || epoch !== this.#readEpoch) return;
        this.#flight = undefined; // the peer has our last flight
        this.#events.data(this, content);
        return;
      default:
        return;
    }
  }

  #onHandshake(content: Buffer, epoch: number): void {
    let fragments: HandshakeFragment[];
    try {
      fragments = parseHandshakeFragments(content);
    } catch (error) {
      if (epoch > 0 && error instanceof DtlsError) this.#fail(error, true);
      return; // unauthenticated garbage in epoch 0 is dropped
    }
    for (const f of fragments) {
      if (this.#state === 'closed') return;
      const disposition = this.#guard(() => this.#handshake.receiveFragment(f, epoch));
      if (disposition === 'old') this.#retransmitOnDemand();
      else if (disposition === 'renegotiation' && epoch === this.#readEpoch && epoch > 0) {
        this.#sendAlert(AlertLevel.warning, AlertDescription.noRenegotiation);
      }
    }
  }

  #onAlert(content: Buffer, epoch: number): void {
    if (content.length !== 2) return;
    // Once established, unauthenticated (epoch 0) alerts cannot end the connection.
    if (this.#state === 'established' && epoch < this.#readEpoch) return;
    const level = content[0]!;
    const description = content[1]!;
    if (description === AlertDescription.closeNotify) {
      this.#shutdown();
      this.#events.closed(this);
      return;
    }
    if (level === AlertLevel.warning) return;
    this.#fail(new DtlsError(`peer sent fatal alert ${alertName(description)} (${description})`, { alert: description }), false);
  }

  /** Runs a handshake step; a DtlsError it throws aborts the connection with its alert. */
  #guard<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      const e =
        error instanceof DtlsError
          ? error
          : alertError(AlertDescription.internalError, `internal error: ${error instanceof Error ? error.message : String(error)}`, error);
      this.#fail(e, true);
      return undefined;
    }
  }

  // ---- sending ---------------------------------------------------------------------------------

  #recordOverhead(epoch: number): number {
    const cid = epoch > 0 && this.#peerCid !== undefined ? this.#peerCid.length + 1 : 0;
    return RECORD_HEADER_LENGTH + cid + (this.#write.get(epoch)?.protection.overhead(0) ?? 0);
  }

  #writeRecord(type: number, epoch: number, payload: Buffer): Buffer {
    const st = this.#write.get(epoch);
    if (st === undefined) throw alertError(AlertDescription.internalError, `no write keys for epoch ${epoch}`);
    const seq = st.seq++;
    if (seq > MAX_SEQUENCE) throw alertError(AlertDescription.internalError, 'record sequence numbers exhausted');
    this.#sentEpoch = Math.max(this.#sentEpoch, epoch);
    const nonce = sequenceBytes(epoch, seq);
    if (epoch > 0 && this.#peerCid !== undefined) {
      const cid = this.#peerCid;
      const fragment = st.protection.seal(nonce, cidAad(epoch, seq, DTLS_1_2, cid), encodeInnerPlaintext(type, payload));
      return encodeRecord(ContentType.tls12Cid, DTLS_1_2, epoch, seq, cid, fragment);
    }
    const fragment = st.protection.seal(nonce, plainAad(epoch, seq, type, DTLS_1_2), payload);
    return encodeRecord(type, DTLS_1_2, epoch, seq, undefined, fragment);
  }

  #transmitFlight(): void {
    const flight = this.#flight;
    if (flight === undefined) return;
    this.#lastFlightAt = this.#clock.now();
    for (const datagram of planFlight(flight, this.#config.mtu, (e) => this.#recordOverhead(e))) {
      this.#events.send(Buffer.concat(datagram.map((r) => this.#writeRecord(r.type, r.epoch, r.payload))), this.#peer);
    }
  }

  #armTimer(): void {
    const wait = retransmitTimeout(this.#config.retransmit, this.#retransmissions);
    this.#timer = this.#clock.setTimer(wait, () => {
      this.#timer = undefined;
      if (this.#state === 'closed' || this.#flight === undefined) return;
      this.#retransmissions++;
      this.#guard(() => {
        this.#transmitFlight();
      });
      if (this.#pendingFlight()) this.#armTimer(); // #fail clears the flight
    });
  }

  #pendingFlight(): boolean {
    return this.#flight !== undefined;
  }

  /** RFC 6347 4.2.4: the peer retransmitted its previous flight, so ours was lost; resend it (rate-limited). */
  #retransmitOnDemand(): void {
    if (this.#flight === undefined) return;
    if (this.#clock.now() - this.#lastFlightAt < this.#config.retransmit.initialMs / 4) return;
    this.#guard(() => {
      this.#transmitFlight();
    });
  }

  #sendAlert(level: number, description: number): void {
    const epoch = this.#state === 'established' ? this.#writeEpoch : this.#sentEpoch;
    try {
      this.#events.send(this.#writeRecord(ContentType.alert, epoch, Buffer.from([level, description])), this.#peer);
    } catch {
      // Sequence space exhausted: nothing more can be sent on this connection anyway.
    }
  }

  #fail(error: DtlsError, sendAlert: boolean): void {
    if (this.#state === 'closed') return;
    if (sendAlert && error.alert !== undefined) this.#sendAlert(AlertLevel.fatal, error.alert);
    this.#shutdown();
    this.#events.failed(this, error);
  }

  #shutdown(): void {
    this.#state = 'closed';
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#deadline?.cancel();
    this.#deadline = undefined;
    this.#flight = undefined;
    this.#queue = [];
    this.#future = [];
  }
}
