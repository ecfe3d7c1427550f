/** The `lwm2m` command: client | server | bootstrap | shell | demo | simulate. */
const [command] = process.argv.slice(2);

if (command === 'demo') {
  // Until the LwM2M demo exists: a CoAP round trip between two of our endpoints on loopback.
  const { runCoapDemo } = await import('./coap-demo.ts');
  await runCoapDemo();
} else if (command === 'server') {
  process.exitCode = await (await import('./server-command.ts')).runServerCommand(process.argv.slice(3));
} else {
  process.stderr.write(`lwm2m: '${command ?? ''}' is not available yet\n`);
  process.exitCode = 2;
}
