/** The `lwm2m` command: client | shell | server | bootstrap | simulate | demo. */
const USAGE = `usage: lwm2m COMMAND [OPTIONS]
  client     run an LwM2M client with a simulated device (lwm2m client --help)
  shell      run an LwM2M client with the LwM2M shell at a prompt (lwm2m shell --help)
  server     run the companion LwM2M server and bootstrap server (lwm2m server --help)
  bootstrap  run the companion bootstrap server alone, from a configuration file (lwm2m bootstrap --help)
  simulate   run N simulated devices in one process against a server (lwm2m simulate --help)
  demo       bootstrap, register, read, write, execute, observe, send, update, de-register on loopback
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
  case 'bootstrap':
    process.exitCode = await (await import('./bootstrap-command.ts')).runBootstrapCommand(args);
    break;
  case 'simulate':
    process.exitCode = await (await import('./simulate-command.ts')).runSimulateCommand(args);
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
