/** The fleet benchmark's server, in a worker thread so its heap is not counted with the clients'. */
import { parentPort } from 'node:worker_threads';
import { LwM2mServer } from '../src/server/server.ts';

const server = await LwM2mServer.start({ address: '127.0.0.1' });
parentPort?.postMessage({ port: server.local.port });
parentPort?.on('message', (msg: { type: string }) => {
  if (msg.type === 'count') parentPort?.postMessage({ count: server.registrations().length });
  if (msg.type === 'close') void server.close().then(() => process.exit(0));
});
