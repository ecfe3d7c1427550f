/**
 * Raw node:dgram baseline for network benchmarks: an echo (or fixed-reply) server and a client that
 * keeps `concurrency` datagrams in flight, each answered before the next is sent in its slot.
 * Other benchmarks reuse it to measure the same datagrams without any protocol stack.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface UdpEchoServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts a UDP server on `address` that answers every datagram with `reply(datagram)`
 * (default: the datagram itself).
 */
export function startUdpEcho(address = '127.0.0.1', reply?: (datagram: Buffer) => Uint8Array): Promise<UdpEchoServer> {
  const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (msg, rinfo) => {
    socket.send(reply === undefined ? msg : reply(msg), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) => {
    socket.bind(0, address, () => {
      resolve({
        port: socket.address().port,
        close: () => new Promise<void>((r) => socket.close(() => r())),
      });
    });
  });
}

export interface EchoMeasurement {
  roundTrips: number;
  seconds: number;
  rps: number;
}

/**
 * Sends `datagrams` (cycled) to the server and counts answered round trips for `seconds`, with
 * `concurrency` outstanding datagrams (each slot sends its next datagram when its answer arrives;
 * answers are matched to slots in arrival order, which is exact for concurrency 1).
 */
export async function measureUdpEcho(
  port: number,
  datagrams: readonly Uint8Array[],
  seconds: number,
  concurrency = 1,
  address = '127.0.0.1',
): Promise<EchoMeasurement> {
  const socket: Socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
  await new Promise<void>((r) => socket.bind(0, address, () => r()));
  let i = 0;
  let done = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let finished: () => void = () => undefined;
  const finishedPromise = new Promise<void>((r) => (finished = r));
  let inFlight = 0;
  const sendNext = (): void => {
    const d = datagrams[i++ % datagrams.length]!;
    inFlight++;
    socket.send(d, port, address);
  };
  socket.on('message', () => {
    inFlight--;
    done++;
    if (performance.now() < end) sendNext();
    else if (inFlight === 0) finished();
  });
  for (let c = 0; c < concurrency; c++) sendNext();
  await finishedPromise;
  const elapsed = (performance.now() - start) / 1000;
  await new Promise<void>((r) => socket.close(() => r()));
  return { roundTrips: done, seconds: elapsed, rps: done / elapsed };
}
