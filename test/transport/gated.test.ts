import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransportError } from '../../src/errors.ts';
import { GatedTransport } from '../../src/transport/gated.ts';
import type { ChannelInfo, DatagramHandler, Peer, Transport, TransportErrorHandler } from '../../src/transport/transport.ts';

/** A transport whose datagrams and errors the test injects. */
class Inner implements Transport {
  readonly local: Peer = { address: '127.0.0.1', port: 5000 };
  readonly sent: Uint8Array[] = [];
  datagram: DatagramHandler = () => undefined;
  error: TransportErrorHandler = () => undefined;
  send(data: Uint8Array): void {
    this.sent.push(data);
  }
  onDatagram(handler: DatagramHandler): void {
    this.datagram = handler;
  }
  onError(handler: TransportErrorHandler): void {
    this.error = handler;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

const peer: Peer = { address: '127.0.0.1', port: 5683 };
const plain: ChannelInfo = { secure: false };

test('a closed gate drops and counts received datagrams; sending is unaffected', () => {
  const inner = new Inner();
  const gate = new GatedTransport(inner);
  const got: number[] = [];
  gate.onDatagram((data) => got.push(data[0]!));
  inner.datagram(Uint8Array.of(1), peer, plain);
  gate.setListening(false);
  assert.equal(gate.listening, false);
  inner.datagram(Uint8Array.of(2), peer, plain);
  gate.send(Uint8Array.of(9), peer);
  gate.setListening(true);
  inner.datagram(Uint8Array.of(3), peer, plain);
  assert.deepEqual(got, [1, 3]);
  assert.equal(gate.dropped, 1);
  assert.equal(inner.sent.length, 1);
});

test('errors reach the error handler and every failure listener once, in the order added', () => {
  const inner = new Inner();
  const gate = new GatedTransport(inner);
  const seen: string[] = [];
  gate.onError((e) => seen.push(`handler ${e.message}`));
  inner.error(new TransportError('one'), peer);
  const first: TransportErrorHandler = (e, from) => seen.push(`first ${e.message} ${from?.port ?? '-'}`);
  gate.addFailureListener(first);
  inner.error(new TransportError('two'), peer);
  gate.addFailureListener((e) => seen.push(`second ${e.message}`));
  gate.addFailureListener(first);
  inner.error(new TransportError('three'), undefined);
  assert.deepEqual(seen, ['handler one', 'handler two', 'first two 5683', 'handler three', 'first three -', 'second three']);
});
