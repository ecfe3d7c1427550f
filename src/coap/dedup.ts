/**
 * Duplicate detection state (RFC 7252 4.5): what was received from which peer under which Message
 * ID, kept for EXCHANGE_LIFETIME, bounded in size (oldest evicted first). Two levels (peer, then
 * numeric Message ID) keep lookups cheap; one FIFO in arrival order gives O(1) expiry. One clock
 * timer exists only while entries do.
 */
import type { Clock, Timer } from '../util/clock.ts';

/** State kept per received CON/NON message. */
export interface DedupEntry {
  readonly token: string;
  readonly code: number;
  /** The datagram to send again when a duplicate arrives (ACK, RST, piggy-backed or NON response). */
  reply: Uint8Array | undefined;
}

/** The entry itself carries its place in the table (one allocation per received message). */
interface Slot extends DedupEntry {
  readonly table: Map<number, Slot>;
  readonly pid: string;
  readonly mid: number;
  readonly expires: number;
}

export class DedupTable {
  /** Present only while entries are: an idle endpoint keeps no empty table. */
  #peers: Map<string, Map<number, Slot>> | undefined;
  #fifo: Slot[] = [];
  #head = 0;
  #size = 0;
  #clock: Clock;
  #lifetime: number;
  #max: number;
  #timer: Timer | undefined;
  /** Entries pushed out by the size bound before their lifetime ended. */
  evictions = 0;

  constructor(clock: Clock, lifetime: number, maxEntries: number) {
    this.#clock = clock;
    this.#lifetime = lifetime;
    this.#max = maxEntries;
  }

  get size(): number {
    return this.#size;
  }

  get(pid: string, mid: number): DedupEntry | undefined {
    const slot = this.#peers?.get(pid)?.get(mid);
    if (slot === undefined || slot.expires <= this.#clock.now()) return undefined;
    return slot;
  }

  /** Records a new entry for (pid, mid), replacing any older one under that key, and returns it. */
  add(pid: string, mid: number, token: string, code: number): DedupEntry {
    const peers = (this.#peers ??= new Map<string, Map<number, Slot>>());
    let table = peers.get(pid);
    if (table === undefined) {
      table = new Map<number, Slot>();
      peers.set(pid, table);
    }
    if (!table.has(mid)) this.#size++;
    const slot: Slot = { token, code, reply: undefined, table, pid, mid, expires: this.#clock.now() + this.#lifetime };
    table.set(mid, slot);
    this.#fifo.push(slot);
    this.#sweep();
    if (this.#timer === undefined) this.#arm();
    return slot;
  }

  clear(): void {
    this.#peers = undefined;
    this.#fifo = [];
    this.#head = 0;
    this.#size = 0;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #drop(slot: Slot): void {
    if (slot.table.get(slot.mid) !== slot) return; // replaced by a newer entry
    slot.table.delete(slot.mid);
    this.#size--;
    const peers = this.#peers;
    if (slot.table.size === 0 && peers?.get(slot.pid) === slot.table) {
      peers.delete(slot.pid);
      if (peers.size === 0) this.#peers = undefined;
    }
  }

  #sweep(): void {
    const now = this.#clock.now();
    const fifo = this.#fifo;
    while (this.#head < fifo.length) {
      const slot = fifo[this.#head]!;
      if (slot.table.get(slot.mid) !== slot) {
        this.#head++; // stale: replaced
        continue;
      }
      if (slot.expires <= now) this.#drop(slot);
      else if (this.#size > this.#max) {
        this.#drop(slot);
        this.evictions++;
      } else break;
      this.#head++;
    }
    if (this.#head === fifo.length) {
      this.#fifo = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > fifo.length) {
      this.#fifo = fifo.slice(this.#head);
      this.#head = 0;
    }
  }

  #arm(): void {
    const first = this.#fifo[this.#head];
    if (first === undefined) return;
    this.#timer = this.#clock.setTimer(
      Math.max(0, first.expires - this.#clock.now()) + 1000,
      () => {
        this.#timer = undefined;
        this.#sweep();
        this.#arm();
      },
      { unref: true },
    );
  }
}
