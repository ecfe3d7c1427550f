/** The `lwm2m` command: client | server | shell | demo. */
const USAGE = `usage: lwm2m COMMAND [OPTIONS]
  client   run an LwM2M client with a simulated device (lwm2m client --help)
  shell    run an LwM2M client with the LwM2M shell at a prompt (lwm2m shell --help)
  server   run the companion LwM2M server and bootstrap server (lwm2m server --help)
  demo     bootstrap, register, read, write, execute, observe, send, update, de-register on loopback
`;

const [command, ...args] = process.argv.slice(2);

switch (command) {
  case 'client':
    process.exitCode = await (await import('./client-command.ts')).runClientCommand(args);
    break;
  case 'shell':
    process.exitCode = await (await import('./shell-command.ts')).runShellCommand(args);
    break;
  case 'server':
    process.exitCode = await (await import('./server-command.ts')).runServerCommand(args);
    break;
  case 'demo':
    process.exitCode = await (await import('./demo.ts')).runDemo();
    break;
  case '--help':
  case '-h':
  case 'help':
    process.stdout.write(USAGE);
    break;
  default:
    process.stderr.write(`lwm2m: ${command === undefined ? 'missing command' : `unknown command '${command}'`}\n${USAGE}`);
    process.exitCode = 2;
}
