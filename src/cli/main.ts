/** The `lwm2m` command: client | server | bootstrap | shell | demo | simulate. */
const [command] = process.argv.slice(2);
process.stderr.write(`lwm2m: '${command ?? ''}' is not available yet\n`);
process.exitCode = 2;
