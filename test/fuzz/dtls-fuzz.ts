/**
 * DTLS fuzzing: a man in the middle mutates, truncates, reorders or replaces datagrams of live
 * handshakes (records, record headers, and re-framed handshake messages with valid framing), and a
 * stranger injects mutated records. Properties: no receive path throws, no application byte is
 * ever on the wire in the clear, nothing is delivered that was not sent, and a stranger never gets
 * a session. `npm test` runs a short slice (test/fuzz/dtls-fuzz.test.ts); run the long one with
 *   npx tsx test/fuzz/dtls-fuzz.ts [--runs 5000] [--seed N]
 */
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { DtlsTransport } from '../../src/transport/dtls/dtls-transport.ts';
import { encodeHandshakeHeader, parseHandshakeFragments } from '../../src/transport/dtls/handshake-fragment.ts';
import { encodeRecord, parseRecords } from '../../src/transport/dtls/record.ts';
import type { DtlsClientOptions, DtlsServerOptions } from '../../src/transport/dtls/options.ts';
import { FakeClock, settle } from '../../src/util/clock.ts';
import { MemoryNetwork, testPki } from '../transport/dtls/_support.ts';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'overwrite'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'replace'; bytes: Uint8Array }
  | { kind: 'drop' }
  | { kind: 'duplicate' }
  | { kind: 'header'; field: 'type' | 'version' | 'epoch' | 'seq' | 'length'; value: number }
  | { kind: 'handshake'; field: 'type' | 'length' | 'seq' | 'offset' | 'fragment' | 'body'; value: number; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('replace' as const), bytes: fc.uint8Array({ maxLength: 200 }) }),
  fc.record({ kind: fc.constant('drop' as const) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
  fc.record({
    kind: fc.constant('header' as const),
    field: fc.constantFrom('type' as const, 'version' as const, 'epoch' as const, 'seq' as const, 'length' as const),
    value: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 18, max: 26 }), fc.integer({ min: 0, max: 0xffff })),
  }),
  fc.record({
    kind: fc.constant('handshake' as const),
    field: fc.constantFrom('type' as const, 'length' as const, 'seq' as const, 'offset' as const, 'fragment' as const, 'body' as const),
    value: fc.oneof(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 0xffffff })),
    at: fc.nat(),
  }),
);

/** Applies a mutation to a datagram; returns the datagrams to deliver instead. */
export function mutate(data: Uint8Array, m: Mutation): Uint8Array[] {
  const b = Buffer.from(data);
  const pos = (at: number): number => (b.length === 0 ? 0 : at % b.length);
  switch (m.kind) {
    case 'flip':
      if (b.length > 0) b[pos(m.at)]! ^= 1 << m.bit;
      return [b];
    case 'truncate':
      return [b.subarray(0, pos(m.at))];
    case 'overwrite':
      if (b.length > 0) b[pos(m.at)] = m.value;
      return [b];
    case 'insert': {
      const at = pos(m.at);
      return [Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)])];
    }
    case 'replace':
      return [m.bytes];
    case 'drop':
      return [];
    case 'duplicate':
      return [b, Buffer.from(b)];
    case 'header': {
      const records = parseRecords(b, 0);
      const r = records[0];
      if (r === undefined) return [b];
      const fields = { type: r.type, version: r.version, epoch: r.epoch, seq: r.seq };
      if (m.field === 'length') {
        const enc = encodeRecord(r.type, r.version, r.epoch, r.seq, undefined, r.fragment);
        enc.writeUInt16BE(m.value & 0xffff, 11);
        return [Buffer.concat([enc, ...records.slice(1).map((x) => encodeRecord(x.type, x.version, x.epoch, x.seq, x.cid, x.fragment))])];
      }
      const value = m.field === 'version' ? m.value & 0xffff : m.field === 'type' ? m.value & 0xff : m.value;
      const f = { ...fields, [m.field]: m.field === 'epoch' ? value & 0xffff : value };
      return [Buffer.concat([encodeRecord(f.type, f.version, f.epoch, f.seq, undefined, r.fragment), ...records.slice(1).map((x) => encodeRecord(x.type, x.version, x.epoch, x.seq, x.cid, x.fragment))])];
    }
    case 'handshake': {
      // Re-frame: mutate a handshake fragment of a plaintext record but keep valid record framing,
      // so the mutation reaches the handshake parsers.
      const records = parseRecords(b, 0);
      const out = records.map((r) => {
        if (r.type !== 22 || r.epoch !== 0) return encodeRecord(r.type, r.version, r.epoch, r.seq, r.cid, r.fragment);
        let frags;
        try {
          frags = parseHandshakeFragments(r.fragment);
        } catch {
          return encodeRecord(r.type, r.version, r.epoch, r.seq, r.cid, r.fragment);
        }
        const parts = frags.map((f) => {
          let { msgType, length, messageSeq, fragmentOffset } = f;
          let body = Buffer.from(f.body);
          if (m.field === 'type') msgType = m.value & 0xff;
          else if (m.field === 'length') length = m.value & 0xffffff;
          else if (m.field === 'seq') messageSeq = m.value & 0xffff;
          else if (m.field === 'offset') fragmentOffset = m.value & 0xffffff;
          else if (m.field === 'fragment') body = body.subarray(0, body.length === 0 ? 0 : m.value % body.length);
          else if (body.length > 0) body[m.at % body.length] = m.value & 0xff;
          return Buffer.concat([encodeHandshakeHeader(msgType, length, messageSeq, fragmentOffset, body.length), body]);
        });
        return encodeRecord(r.type, r.version, r.epoch, r.seq, r.cid, Buffer.concat(parts));
      });
      return [Buffer.concat(out)];
    }
  }
}

export interface FuzzCase {
  /** Which credentials the pair uses. */
  readonly mode: 'psk-ccm8' | 'psk-gcm' | 'psk-cbc' | 'cert' | 'cid' | 'resume';
  /** Mutations of the n-th datagram on the wire (n counted from 0 over both directions). */
  readonly mutations: readonly { readonly index: number; readonly mutation: Mutation }[];
  /** Mutated copies of wire datagrams injected from a stranger's address. */
  readonly injections: readonly { readonly index: number; readonly mutation: Mutation }[];
}

export const fuzzCaseArb: fc.Arbitrary<FuzzCase> = fc.record({
  mode: fc.constantFrom('psk-ccm8' as const, 'psk-gcm' as const, 'psk-cbc' as const, 'cert' as const, 'cid' as const, 'resume' as const),
  mutations: fc.array(fc.record({ index: fc.integer({ min: 0, max: 14 }), mutation: mutationArb }), { maxLength: 3 }),
  injections: fc.array(fc.record({ index: fc.integer({ min: 0, max: 14 }), mutation: mutationArb }), { maxLength: 3 }),
});

const KEY = Buffer.alloc(16, 0x5a);
const SECRET = 'secret-payload';

function optionsFor(mode: FuzzCase['mode']): { client: DtlsClientOptions; server: DtlsServerOptions } {
  const common = { handshakeTimeoutMs: 20_000 };
  if (mode === 'cert') {
    const pki = testPki();
    return {
      client: { ...common, trustedCAs: [pki.caCert], certificate: { chain: pki.clientCert, privateKey: pki.clientKey }, mtu: 500 },
      server: { ...common, certificate: { chain: pki.serverCert + pki.intermediateCert, privateKey: pki.serverKey }, trustedCAs: [pki.caCert], mtu: 500 },
    };
  }
  const suite = mode === 'psk-gcm' ? 'TLS_PSK_WITH_AES_128_GCM_SHA256' : mode === 'psk-cbc' ? 'TLS_PSK_WITH_AES_128_CBC_SHA256' : 'TLS_PSK_WITH_AES_128_CCM_8';
  return {
    client: { ...common, psk: { identity: 'fuzz', key: KEY }, connectionId: mode === 'cid' },
    server: { ...common, psk: new Map([['fuzz', KEY]]), cipherSuites: [suite] },
  };
}

export type Outcome = 'all-delivered' | 'some-delivered' | 'none-delivered';

/** Runs one case; throws (assertion) when a property is violated. */
export async function runCase(c: FuzzCase): Promise<Outcome> {
  const clock = new FakeClock({ wallStart: Date.now() });
  const net = new MemoryNetwork();
  net.crashes = [];
  const serverInner = net.endpoint('10.0.0.1', 5684);
  const clientInner = net.endpoint('10.0.0.2', 50000);
  const stranger = net.endpoint('10.6.6.6', 6666);
  const opts = optionsFor(c.mode);
  const server = DtlsTransport.server(serverInner, { ...opts.server, clock });
  const client = DtlsTransport.client(clientInner, { ...opts.client, clock });
  const sent = new Set<string>();
  const serverGot: string[] = [];
  const clientGot: string[] = [];
  const wire: Buffer[] = [];
  const strangerSessions: string[] = [];
  server.onError(() => undefined);
  client.onError(() => undefined);
  let movedToStranger = false;
  server.onPeerMoved((_from, to) => {
    // RFC 9146 6: an on-path copy of the client's newest record may win the race and move the
    // session (the data stays authentic; the stranger cannot read it). Only CID sessions move.
    if (to.address === '10.6.6.6') movedToStranger = true;
  });
  server.onDatagram((d, peer) => {
    if (peer.address === '10.6.6.6' && !movedToStranger) strangerSessions.push('data from stranger');
    serverGot.push(Buffer.from(d).toString());
    server.send(Buffer.concat([Buffer.from('echo:'), d]), peer);
  });
  server.onHandshake((peer) => {
    if (peer.address === '10.6.6.6') strangerSessions.push('handshake with stranger');
  });
  client.onDatagram((d) => clientGot.push(Buffer.from(d).toString()));

  let index = 0;
  net.filter = (d) => {
    const i = index++;
    wire.push(Buffer.from(d.data));
    for (const inj of c.injections) {
      if (inj.index !== i) continue;
      for (const copy of mutate(d.data, inj.mutation)) {
        queueMicrotask(() => {
          stranger.send(copy, serverInner.local);
        });
      }
    }
    const m = c.mutations.find((x) => x.index === i);
    if (m === undefined || d.from.address === '10.6.6.6') return true;
    const replacement = mutate(d.data, m.mutation);
    const target = d.to.port === serverInner.local.port ? serverInner : clientInner;
    for (const extra of replacement.slice(1)) {
      queueMicrotask(() => {
        target.deliver(extra, d.from);
      });
    }
    return replacement[0] ?? false;
  };

  const peer = serverInner.local;
  if (c.mode === 'resume') {
    index = 1000; // mutate the resumed handshake, not the first one
    await client.connect(peer).catch(() => undefined);
    client.closePeer(peer);
    await clock.tick(100);
    index = 0;
  }
  for (let i = 0; i < 3; i++) {
    const text = `${SECRET}-${i}`;
    sent.add(text);
    client.send(Buffer.from(text), peer);
  }
  await settle();
  for (let t = 0; t < 30_000 && clientGot.length < 3; t += 500) await clock.tick(500);

  assert.deepEqual(net.crashes, [], 'a receive path threw');
  for (const got of serverGot) assert.ok(sent.has(got), `server delivered ${JSON.stringify(got)} which was never sent`);
  for (const got of clientGot) assert.ok(got.startsWith('echo:') && sent.has(got.slice(5)), `client delivered ${JSON.stringify(got)}`);
  for (const d of wire) assert.ok(!d.includes(SECRET), 'application data on the wire in the clear');
  assert.deepEqual(strangerSessions, [], 'a stranger got a session');
  await client.close();
  await server.close();
  await stranger.close();
  return clientGot.length === 3 ? 'all-delivered' : clientGot.length > 0 ? 'some-delivered' : 'none-delivered';
}

/** Runs `runs` random cases; returns how often the data got through (the rest failed cleanly). */
export async function fuzzDtls(runs: number, seed?: number): Promise<Record<Outcome, number>> {
  const outcomes: Record<Outcome, number> = { 'all-delivered': 0, 'some-delivered': 0, 'none-delivered': 0 };
  await fc.assert(
    fc.asyncProperty(fuzzCaseArb, async (c) => {
      outcomes[await runCase(c)]++;
    }),
    { numRuns: runs, ...(seed !== undefined ? { seed } : {}) },
  );
  return outcomes;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf('--runs') + 1] ?? 2000) || 2000;
  const seedArg = args.indexOf('--seed');
  const seed = seedArg >= 0 ? Number(args[seedArg + 1]) : Date.now() % 2 ** 31;
  console.log(`DTLS fuzz: ${runs} runs, seed ${seed}`);
  const started = Date.now();
  const outcomes = await fuzzDtls(runs, seed);
  console.log(JSON.stringify(outcomes));
  console.log(`passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
