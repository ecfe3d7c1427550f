/**
 * `npm run demo` (until the LwM2M demo exists): two CoAP endpoints on loopback talk to each other —
 * a GET, a block-wise PUT and GET, a separate response and an observation — and every datagram is
 * printed as it leaves a socket.
 */
import { UdpTransport } from '../transport/udp.ts';
import type { Peer, Transport } from '../transport/transport.ts';
import { CoapEndpoint } from '../coap/endpoint.ts';
import { CoapCode, describeMessage, formatCode } from '../coap/message.ts';
import { parse } from '../coap/parse.ts';
import { buildOptions, describeOptions } from '../coap/options.ts';
import type { ServerObservation } from '../coap/server-observe.ts';

type Print = (line: string) => void;

/** Prints every datagram a transport sends. */
function tap(name: string, transport: Transport, print: Print): Transport {
  const send = transport.send.bind(transport);
  transport.send = (data: Uint8Array, peer: Peer) => {
    const m = parse(data);
    const opts = describeOptions(m.options);
    print(`  ${name} -> :${peer.port}  ${describeMessage(m)}${opts === '' ? '' : `  [${opts}]`}`);
    send(data, peer);
  };
  return transport;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Runs the demo; resolves when both endpoints are closed. */
export async function runCoapDemo(print: Print = (l) => process.stdout.write(`${l}\n`)): Promise<void> {
  const device = new CoapEndpoint(tap('device', await UdpTransport.bind({ address: '127.0.0.1' }), print), { separateResponseDelay: 100 });
  const server = new CoapEndpoint(tap('server', await UdpTransport.bind({ address: '127.0.0.1' }), print));
  print(`device endpoint on 127.0.0.1:${device.local.port}, server endpoint on 127.0.0.1:${server.local.port}`);

  let temperature = 21.5;
  let firmware = 0;
  let observation: ServerObservation | undefined;
  device.onRequest(async (req) => {
    const path = req.path.join('/');
    if (path === '3/0/0') return { code: CoapCode.CONTENT, options: buildOptions({ contentFormat: 0 }), payload: enc('Example Manufacturer') };
    if (path === '5/0/0' && req.method === CoapCode.PUT) {
      firmware = req.payload.length;
      return { code: CoapCode.CHANGED };
    }
    if (path === '3/0/3') {
      await new Promise((r) => setTimeout(r, 250)); // slow: answered as a separate response
      return { code: CoapCode.CONTENT, payload: enc('1.0.0') };
    }
    if (path === 'log') return { code: CoapCode.CONTENT, payload: enc('log line\n'.repeat(300)) };
    if (path === '3303/0/5700') {
      if (req.observe === 0) observation = req.acceptObservation();
      return { code: CoapCode.CONTENT, payload: enc(temperature.toFixed(1)) };
    }
    return { code: CoapCode.NOT_FOUND };
  });

  const dev = device.local;
  print('\n1. GET /3/0/0 (piggy-backed response)');
  const r1 = await server.request(dev, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/0' }) });
  print(`   => ${formatCode(r1.code)} "${dec(r1.payload)}"`);

  print('\n2. GET /3/0/3 (the handler takes 250 ms: empty ACK, then a separate CON response)');
  const r2 = await server.request(dev, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3/0/3' }) });
  print(`   => ${formatCode(r2.code)} "${dec(r2.payload)}"`);

  print('\n3. PUT /5/0/0 with 2500 bytes (Block1, 1024-byte blocks)');
  const r3 = await server.request(dev, { code: CoapCode.PUT, options: buildOptions({ uriPath: '/5/0/0' }), payload: new Uint8Array(2500) });
  print(`   => ${formatCode(r3.code)}, the device received ${firmware} bytes in one piece`);

  print('\n4. GET /log, a 2700-byte response (Block2)');
  const r4 = await server.request(dev, { code: CoapCode.GET, options: buildOptions({ uriPath: '/log' }) });
  print(`   => ${formatCode(r4.code)}, ${r4.payload.length} bytes reassembled`);

  print('\n5. Observe /3303/0/5700: registration, two notifications, deregistration');
  const obs = await server.observe(dev, { code: CoapCode.GET, options: buildOptions({ uriPath: '/3303/0/5700' }) });
  print(`   => registered: ${obs.registered}, current value ${dec(obs.response.payload)}`);
  const iterator = obs[Symbol.asyncIterator]();
  for (const v of [22.0, 22.5]) {
    temperature = v;
    await observation?.notify({ code: CoapCode.CONTENT, payload: enc(v.toFixed(1)) }, { confirmable: v === 22.5 });
    const n = await iterator.next();
    if (n.done !== true) print(`   => notification: ${dec(n.value.payload)}`);
  }
  await obs.cancel();
  print(`   => cancelled; device-side observation ended: ${observation?.reason ?? 'n/a'}`);

  const c = server.counters;
  print(`\nserver endpoint: ${c.requestsSent} requests, ${c.datagramsSent} datagrams sent, ${c.datagramsReceived} received, ${c.retransmissions} retransmissions`);
  await server.close();
  await device.close();
  print('done');
}
