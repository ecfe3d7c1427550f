/**
 * Flights (RFC 6347 4.2.4): the messages one side sends before waiting for the other, packed into
 * datagrams no larger than the path MTU (fragmenting handshake messages where needed, RFC 6347
 * 4.1.1 and 4.2.3), and the retransmission timer that doubles on each timeout.
 */
import { ContentType, HANDSHAKE_HEADER_LENGTH } from './constants.ts';
import { encodeHandshakeHeader } from './handshake-fragment.ts';

export type FlightEntry =
  | { readonly kind: 'handshake'; readonly epoch: number; readonly msgType: number; readonly messageSeq: number; readonly body: Buffer }
  | { readonly kind: 'ccs'; readonly epoch: number };

export interface PlannedRecord {
  readonly type: number;
  readonly epoch: number;
  readonly payload: Buffer;
}

/** Smallest handshake fragment body worth starting in a partly filled datagram. */
const MIN_FRAGMENT = 16;
const CCS_PAYLOAD = Buffer.from([1]);

/**
 * Plans the datagrams of a flight. `recordOverhead(epoch)` is the record header plus the largest
 * expansion of that epoch's protection. Each handshake fragment travels in its own record; several
 * records share a datagram while they fit into `mtu` bytes.
 */
export function planFlight(entries: readonly FlightEntry[], mtu: number, recordOverhead: (epoch: number) => number): PlannedRecord[][] {
  const datagrams: PlannedRecord[][] = [];
  let current: PlannedRecord[] = [];
  let used = 0;
  const flush = (): void => {
    if (current.length > 0) datagrams.push(current);
    current = [];
    used = 0;
  };
  const place = (record: PlannedRecord): void => {
    current.push(record);
    used += recordOverhead(record.epoch) + record.payload.length;
  };
  for (const e of entries) {
    const overhead = recordOverhead(e.epoch);
    if (e.kind === 'ccs') {
      if (used + overhead + 1 > mtu) flush();
      place({ type: ContentType.changeCipherSpec, epoch: e.epoch, payload: CCS_PAYLOAD });
      continue;
    }
    let offset = 0;
    do {
      let room = mtu - used - overhead - HANDSHAKE_HEADER_LENGTH;
      const remaining = e.body.length - offset;
      if (room < Math.min(remaining, MIN_FRAGMENT) && current.length > 0) {
        flush();
        room = mtu - overhead - HANDSHAKE_HEADER_LENGTH;
      }
      const n = Math.max(0, Math.min(remaining, Math.max(room, MIN_FRAGMENT)));
      const header = encodeHandshakeHeader(e.msgType, e.body.length, e.messageSeq, offset, n);
      place({ type: ContentType.handshake, epoch: e.epoch, payload: Buffer.concat([header, e.body.subarray(offset, offset + n)]) });
      offset += n;
    } while (offset < e.body.length);
  }
  flush();
  return datagrams;
}

export interface RetransmitPolicy {
  /** Initial retransmission timeout (RFC 6347 4.2.4.1: 1 s). */
  readonly initialMs: number;
  /** Upper bound of the doubled timeout (RFC 6347 4.2.4.1: at least 60 s). */
  readonly maxMs: number;
}

/** Timeout after `retransmissions` expiries: initial doubled each time, capped at max. */
export function retransmitTimeout(policy: RetransmitPolicy, retransmissions: number): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(retransmissions, 30));
}
