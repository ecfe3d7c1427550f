import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpTransport } from '../../src/transport/udp.ts';
import type { Peer } from '../../src/transport/transport.ts';

async function roundTrip(address: string): Promise<void> {
  const a = await UdpTransport.bind({ address });
  const b = await UdpTransport.bind({ address });
  try {
    const got = new Promise<[Uint8Array, Peer]>((resolve) => b.onDatagram((data, peer) => resolve([data, peer])));
    a.send(new Uint8Array([1, 2, 3]), b.local);
    const [data, from] = await got;
    assert.deepEqual([...data], [1, 2, 3]);
    assert.equal(from.port, a.local.port);
  } finally {
    await a.close();
    await b.close();
  }
}

test('UDP transport carries a datagram over IPv4 loopback', () => roundTrip('127.0.0.1'));
test('UDP transport carries a datagram over IPv6 loopback', () => roundTrip('::1'));

test('bind failure is a TransportError', async () => {
  const a = await UdpTransport.bind({ address: '127.0.0.1' });
  try {
    await assert.rejects(UdpTransport.bind({ address: '127.0.0.1', port: a.local.port }), { code: 'TRANSPORT' });
  } finally {
    await a.close();
  }
});
