/**
 * `lwm2m server`: runs the companion LwM2M server and bootstrap server, logs registrations,
 * notifications and Sends, and takes console commands on stdin for manual testing:
 *
 *   list | read EP PATH [--format F] | write EP PATH VALUE [--format F] | exec EP PATH [ARGS]
 *   discover EP PATH [--depth N] | observe EP PATH [--format F] | cancel EP PATH
 *   create EP PATH RID=VALUE... [--id N] [--format F] | delete EP PATH | attr EP PATH pmin=10 pmax=...
 *   composite-read EP PATH... [--format F] | help | quit
 *
 * Options: --port 5683 --address 0.0.0.0 --bootstrap-port 5685 --bootstrap-config FILE
 * --dtls-port 5684 --bootstrap-dtls-port 5686 --psk EP:IDENTITY:HEXKEY (repeatable)
 * --cert FILE --key FILE, --cert-for NAMES=CERT:KEY (repeatable: chosen by SNI), --ca FILE, --store FILE.
 * DTLS listeners start when --dtls-port, --psk, --cert or --cert-for is given.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CodecError, LwM2mError } from '../errors.ts';
import { ContentFormat, decode, formatLinks, formatName, parseContentFormat } from '../codec/index.ts';
import { ObjectCatalogue } from '../model/catalogue.ts';
import { LwM2mPath } from '../model/path.ts';
import type { LwM2mRecord } from '../model/record.ts';
import { describeValue, type ResourceValue } from '../model/resource-type.ts';
import { BootstrapServer } from '../server/bootstrap-server.ts';
import { FileRegistrationStore } from '../server/file-store.ts';
import { loadBootstrapConfig, type BootstrapConfig } from '../server/bootstrap-config.ts';
import { describeCode, type DmResult } from '../server/dm.ts';
import type { Registration } from '../server/registration.ts';
import { prefixedTarget } from '../server/gateway.ts';
import { LwM2mServer } from '../server/server.ts';
import { UsageError } from './errors.ts';
import { dtlsListenerBase, formatPeer, parsePort, securityFromOptions, wantsDtls, wireBootstrapLogs } from './server-options.ts';

export { parseCertForOption, parsePskOption } from './server-options.ts';

export interface ServerCommandIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves when the command should stop (default: SIGINT / SIGTERM). */
  readonly stop?: Promise<void>;
}

const USAGE = `usage: lwm2m server [--port 5683] [--address ADDR] [--bootstrap-port 5685] [--bootstrap-config FILE]
                    [--dtls-port 5684] [--bootstrap-dtls-port 5686] [--psk EP:IDENTITY:HEXKEY]...
                    [--cert FILE --key FILE] [--cert-for NAMES=CERT:KEY]... [--ca FILE] [--store FILE]
  DTLS listeners start when --dtls-port, --psk, --cert or --cert-for is given.
  --psk EP:IDENTITY:HEXKEY   endpoint EP uses DTLS with this pre-shared key (repeatable)
  --cert FILE --key FILE     our certificate and key (PEM) for DTLS with certificates (the default one)
  --cert-for NAMES=CERT:KEY  certificate and key (PEM) for clients asking for one of the comma-separated
                             host NAMES by SNI, e.g. lwm2m.example.com,*.example.net=site.pem:site.key (repeatable)
  --ca FILE                  CA that client certificates must chain to (their CN names the endpoint)
  --store FILE   keep registrations in FILE (JSON), so clients stay registered across restarts
`;

const HELP = `commands:
  list                                  registered clients
  (PATH may start with the prefix of an IoT device behind a gateway: /dev1/3303/0/5700)
  read EP PATH [--format F]             Read (F: tlv, senml-json, senml-cbor, lwm2m-cbor, oma-json, text, cbor, opaque, or a number)
  write EP PATH VALUE [--format F]      Write one resource (instance) value
  exec EP PATH [ARGS]                   Execute, e.g. exec dev /3/0/4 or exec dev /5/0/2 0='x'
  discover EP PATH [--depth N]          Discover
  observe EP PATH [--format F]          Observe; notifications are logged
  cancel EP PATH                        cancel the observations of PATH (Observe=1)
  create EP PATH RID=VALUE... [--id N]  Create an instance of object PATH
  delete EP PATH                        Delete an object instance
  attr EP PATH NAME=VALUE...            Write-Attributes (pmin pmax gt lt st epmin epmax edge con hqmax; NAME= removes)
  composite-read EP PATH... [--format F]
  quit                                  stop the servers
`;

/** Splits a console line into words; "double" and 'single' quotes group words. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) out.push(m[1]?.replace(/\\(.)/g, '$1') ?? m[2] ?? m[3]!);
  return out;
}

function describeRegistration(r: Registration): string {
  const objects = r.objects.map((o) => (o.instances.length === 0 ? `/${o.id}` : o.instances.map((i) => `/${o.id}/${i}`).join(','))).join(',');
  return `${r.endpoint} id=${r.id} lwm2m=${r.version} lt=${r.lifetime} b=${r.binding}${r.queueMode ? ' Q' : ''} ${r.listener === 'dtls' ? 'coaps' : 'coap'}://${formatPeer(r.address)} objects=${objects}`;
}

function recordLines(records: readonly LwM2mRecord[]): string {
  return records.map((r) => `  ${r.path.toString()} = ${describeValue(r.value)}\n`).join('');
}

function resultText(what: string, r: DmResult): string {
  return `${what}: ${describeCode(r.code)}${r.format !== undefined && r.records.length > 0 ? ` (${formatName(r.format)})` : ''}\n${recordLines(r.records)}`;
}

/** Options of a console command: `--name value` pairs taken out of the words. */
function splitFlags(words: readonly string[], allowed: readonly string[]): { args: string[]; flags: Map<string, string> } {
  const args: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.startsWith('--')) {
      const name = w.slice(2);
      if (!allowed.includes(name)) throw new UsageError(`unknown option ${w}`);
      const v = words[++i];
      if (v === undefined) throw new UsageError(`${w} needs a value`);
      flags.set(name, v);
    } else args.push(w);
  }
  return { args, flags };
}

function formatFlag(flags: Map<string, string>): { format?: number } {
  const f = flags.get('format');
  return f === undefined ? {} : { format: parseContentFormat(f) };
}

function need(args: readonly string[], n: number, usage: string): void {
  if (args.length < n) throw new UsageError(`usage: ${usage}`);
}

/**
 * A value for a resource the server has no definition of (a vendor object): an integer or decimal
 * literal is a number, true/false a boolean, "quoted" text a string, anything else the text itself.
 * Typed so that TLV and SenML carry it as the number it is (TLV has no untyped values, Core 7.4.3).
 */
function untypedConsoleValue(text: string): ResourceValue {
  if (/^-?[0-9]{1,15}$/.test(text)) return Number(text);
  if (/^-?[0-9]+\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) return text.slice(1, -1);
  return text;
}

/** Whether the server knows the type of the resource at `path`. */
function isDefined(path: LwM2mPath, registration: Registration | undefined): boolean {
  return path.depth >= 3 && ObjectCatalogue.builtin(registration?.version ?? '1.1').resource(path.objectId!, path.resourceId!) !== undefined;
}

/**
 * Parses a console value for the resource at `path` as its type (LwM2M Core 7.4.1 plain text rules,
 * plus true/false for booleans, 0x-hex for opaque, ISO dates for time); see `untypedConsoleValue`
 * for resources without a definition.
 */
export function parseConsoleValue(text: string, path: LwM2mPath, registration: Registration | undefined): ResourceValue {
  if (path.depth < 3) throw new UsageError(`${path.toString()} is not a resource path`);
  const defs = ObjectCatalogue.builtin(registration?.version ?? '1.1');
  const def = defs.resource(path.objectId!, path.resourceId!);
  if (def === undefined) return untypedConsoleValue(text);
  let t = text;
  if (def.type === 'boolean' && (t === 'true' || t === 'false')) t = t === 'true' ? '1' : '0';
  if (def.type === 'opaque' && /^0x([0-9a-fA-F]{2})*$/.test(t)) return new Uint8Array(Buffer.from(t.slice(2), 'hex'));
  if (def.type === 'time' && !/^-?[0-9]+$/.test(t)) {
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) throw new UsageError(`'${text}' is not a time (seconds or an ISO date)`);
    return new Date(Math.floor(ms / 1000) * 1000);
  }
  const valuePath = def.multiple && path.depth === 3 ? path.child(0) : path;
  const records = decode(new TextEncoder().encode(t), { format: ContentFormat.TEXT, basePath: valuePath, definitions: defs });
  return records[0]!.value;
}

/** Runs the command; resolves with the exit code once stopped. */
export async function runServerCommand(argv: readonly string[], io: ServerCommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        address: { type: 'string' },
        'bootstrap-port': { type: 'string' },
        'bootstrap-config': { type: 'string' },
        'dtls-port': { type: 'string' },
        'bootstrap-dtls-port': { type: 'string' },
        psk: { type: 'string', multiple: true },
        cert: { type: 'string' },
        key: { type: 'string' },
        'cert-for': { type: 'string', multiple: true },
        ca: { type: 'string' },
        store: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    io.stderr.write(`lwm2m server: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help === true) {
    io.stdout.write(USAGE + HELP);
    return 0;
  }
  const print = (text: string): void => {
    io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  };
  let lwm2m: LwM2mServer | undefined;
  let bootstrap: BootstrapServer | undefined;
  try {
    const addressOption = v.address ?? '0.0.0.0';
    const security = securityFromOptions(v);
    const withDtls = wantsDtls(v);
    const dtlsBase = dtlsListenerBase(v);
    let config: BootstrapConfig | undefined;
    if (v['bootstrap-config'] !== undefined) config = loadBootstrapConfig(v['bootstrap-config']);
    const store = v.store === undefined ? undefined : await FileRegistrationStore.open(v.store);
    lwm2m = await LwM2mServer.start({
      ...(store !== undefined ? { store } : {}),
      address: addressOption,
      port: parsePort(v.port, 5683, 'port'),
      security,
      ...(withDtls ? { dtls: { ...dtlsBase, port: parsePort(v['dtls-port'], 5684, 'dtls-port') } } : {}),
    });
    bootstrap = await BootstrapServer.start({
      address: addressOption,
      port: parsePort(v['bootstrap-port'], 5685, 'bootstrap-port'),
      security,
      ...(config !== undefined ? { config } : {}),
      ...(withDtls ? { dtls: { ...dtlsBase, port: parsePort(v['bootstrap-dtls-port'], 5686, 'bootstrap-dtls-port') } } : {}),
    });
  } catch (error) {
    await lwm2m?.close();
    io.stderr.write(`lwm2m server: ${(error as Error).message}\n${error instanceof UsageError ? USAGE : ''}`);
    return 2;
  }
  const server = lwm2m;
  const bs = bootstrap;
  print(`LwM2M server listening on coap://${formatPeer(server.local)}`);
  if (v.store !== undefined) print(`registrations kept in ${v.store} (${server.store.size} restored)`);
  if (server.secureLocal !== undefined) print(`LwM2M server listening on coaps://${formatPeer(server.secureLocal)}`);
  print(`bootstrap server listening on coap://${formatPeer(bs.local)}`);
  if (bs.secureLocal !== undefined) print(`bootstrap server listening on coaps://${formatPeer(bs.secureLocal)}`);
  wireLogs(server, bs, print);

  const console = new Console(server, print);
  const rl = createInterface({ input: io.stdin, terminal: false });
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((resolve) => {
    quit = resolve;
  });
  rl.on('line', (line) => {
    if (/^\s*(quit|exit)\s*$/.test(line)) {
      quit();
      return;
    }
    void console.run(line);
  });
  let stopSignal = io.stop;
  const onSignal = (): void => {
    quit();
  };
  if (stopSignal === undefined) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    stopSignal = quitting;
  }
  await Promise.race([quitting, stopSignal]);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  rl.close();
  await Promise.all([server.close(), bs.close()]);
  print('stopped');
  return 0;
}

function wireLogs(server: LwM2mServer, bs: BootstrapServer, print: (s: string) => void): void {
  server.on('registered', ({ registration, replaced }) => {
    print(`registered ${describeRegistration(registration)}${replaced !== undefined ? ` (replaces ${replaced.id})` : ''}`);
  });
  server.on('updated', ({ registration }) => {
    print(`updated ${describeRegistration(registration)}`);
  });
  server.on('deregistered', ({ registration }) => {
    print(`deregistered ${registration.endpoint} id=${registration.id}`);
  });
  server.on('expired', ({ registration }) => {
    print(`expired ${registration.endpoint} id=${registration.id}`);
  });
  server.on('awake', ({ registration }) => {
    print(`awake ${registration.endpoint}`);
  });
  server.on('notification', ({ registration, observation, notification }) => {
    const device = observation.prefix === undefined ? '' : `/${observation.prefix}`;
    const head = `notification ${registration.endpoint} ${observation.paths.map((p) => device + (p.isRoot() && device !== '' ? '' : p.toString())).join(',')}: ${describeCode(notification.code)}`;
    print(notification.error !== undefined ? `${head} (undecodable: ${notification.error.message})` : `${head}\n${recordLines(notification.records)}`);
  });
  server.on('send', ({ registration, records, format, prefix }) => {
    print(`send ${registration.endpoint}${prefix === undefined ? '' : ` device ${prefix}`} (${formatName(format)})\n${recordLines(records)}`);
  });
  server.on('error', (e) => {
    print(`server error: ${e.message}`);
  });
  wireBootstrapLogs(bs, print);
}

/** The console commands; each prints its whole result in one write. */
class Console {
  readonly #server: LwM2mServer;
  readonly #print: (s: string) => void;

  constructor(server: LwM2mServer, print: (s: string) => void) {
    this.#server = server;
    this.#print = print;
  }

  async run(line: string): Promise<void> {
    const words = tokenize(line);
    const [cmd, ...rest] = words;
    if (cmd === undefined) return;
    try {
      this.#print(await this.#dispatch(cmd, rest));
    } catch (error) {
      const msg = error instanceof LwM2mError || error instanceof UsageError || error instanceof CodecError ? error.message : String(error);
      this.#print(`error: ${cmd}: ${msg}`);
    }
  }

  #path(text: string): LwM2mPath {
    return LwM2mPath.parse(text);
  }

  /** A console path, with an IoT device prefix before it when it names a device behind a gateway (`/dev1/3/0`). */
  #target(text: string): { path: LwM2mPath; via: { prefix?: string } } {
    const { path, prefix } = prefixedTarget(text, undefined);
    return { path, via: prefix === undefined ? {} : { prefix } };
  }

  async #dispatch(cmd: string, words: string[]): Promise<string> {
    const s = this.#server;
    switch (cmd) {
      case 'help':
        return HELP;
      case 'list': {
        const regs = s.registrations();
        return regs.length === 0 ? 'no clients registered' : regs.map(describeRegistration).join('\n');
      }
      case 'read': {
        const { args, flags } = splitFlags(words, ['format']);
        need(args, 2, 'read EP PATH [--format F]');
        const { path, via } = this.#target(args[1]!);
        return resultText(`read ${args[0]!} ${args[1]!}`, await s.read(args[0]!, path, { ...formatFlag(flags), ...via }));
      }
      case 'write': {
        const { args, flags } = splitFlags(words, ['format']);
        need(args, 3, 'write EP PATH VALUE [--format F]');
        const { path, via } = this.#target(args[1]!);
        const reg = s.registration(args[0]!);
        const value = parseConsoleValue(args.slice(2).join(' '), path, reg);
        // Without a definition the console cannot know the resource's type: plain text (Core 7.4.1) lets
        // the client parse the value as its own type, where TLV would carry a guess.
        const format = flags.has('format') || isDefined(path, reg) ? formatFlag(flags) : { format: ContentFormat.TEXT };
        return resultText(`write ${args[0]!} ${args[1]!}`, await s.write(args[0]!, path, value, { ...format, ...via }));
      }
      case 'exec': {
        need(words, 2, 'exec EP PATH [ARGS]');
        const args = words.slice(2).join(',');
        const { path, via } = this.#target(words[1]!);
        return resultText(`exec ${words[0]!} ${words[1]!}`, await s.execute(words[0]!, path, args === '' ? undefined : args, via));
      }
      case 'discover': {
        const { args, flags } = splitFlags(words, ['depth']);
        need(args, 2, 'discover EP PATH [--depth N]');
        const depth = flags.get('depth');
        if (depth !== undefined && !/^[0-3]$/.test(depth)) throw new UsageError('--depth is 0..3');
        const { path, via } = this.#target(args[1]!);
        const r = await s.discover(args[0]!, path, { ...via, ...(depth === undefined ? {} : { depth: Number(depth) }) });
        return `discover ${args[0]!} ${args[1]!}: ${describeCode(r.code)}\n  ${formatLinks(r.links)}`;
      }
      case 'observe': {
        const { args, flags } = splitFlags(words, ['format']);
        need(args, 2, 'observe EP PATH [--format F]');
        const { path, via } = this.#target(args[1]!);
        const obs = await s.observe(args[0]!, path, { ...formatFlag(flags), ...via });
        return `observe ${args[0]!} ${args[1]!}: ${obs.active ? 'established' : `ended (${obs.endReason ?? ''})`}\n${recordLines(obs.initial.records)}`;
      }
      case 'cancel': {
        need(words, 2, 'cancel EP PATH');
        const { path, via } = this.#target(words[1]!);
        const n = await s.cancelObservation(words[0]!, path, via);
        return n === 0 ? `cancel ${words[0]!} ${words[1]!}: no such observation` : `cancel ${words[0]!} ${words[1]!}: ${n} cancelled`;
      }
      case 'create': {
        const { args, flags } = splitFlags(words, ['format', 'id']);
        need(args, 2, 'create EP PATH RID=VALUE... [--id N] [--format F]');
        const { path, via } = this.#target(args[1]!);
        if (path.depth !== 1) throw new UsageError('create needs an object path, e.g. /3303');
        const idText = flags.get('id');
        if (idText !== undefined && !/^[0-9]{1,5}$/.test(idText)) throw new UsageError('--id must be an instance id');
        const reg = s.registration(args[0]!);
        const tree: Record<number, ResourceValue> = {};
        for (const pair of args.slice(2).flatMap((a) => a.split(',')).filter((a) => a !== '')) {
          const m = /^([0-9]{1,5})=(.*)$/s.exec(pair);
          if (m === null) throw new UsageError(`'${pair}' is not RID=VALUE`);
          tree[Number(m[1])] = parseConsoleValue(m[2]!, path.child(0).child(Number(m[1])), reg);
        }
        const r = await s.create(args[0]!, path, tree, { ...formatFlag(flags), ...via, ...(idText !== undefined ? { instanceId: Number(idText) } : {}) });
        return `create ${args[0]!} ${args[1]!}: ${describeCode(r.code)}${r.location !== undefined ? ` ${r.location.toString()}` : ''}`;
      }
      case 'delete': {
        need(words, 2, 'delete EP PATH');
        const { path, via } = this.#target(words[1]!);
        return resultText(`delete ${words[0]!} ${words[1]!}`, await s.delete(words[0]!, path, via));
      }
      case 'attr': {
        need(words, 3, 'attr EP PATH NAME=VALUE...');
        const attrs: Record<string, number | null> = {};
        for (const pair of words.slice(2)) {
          const m = /^([a-z]+)=(.*)$/.exec(pair);
          if (m === null) throw new UsageError(`'${pair}' is not NAME=VALUE`);
          if (m[2] === '') attrs[m[1]!] = null;
          else if (!/^-?[0-9]+(\.[0-9]+)?$/.test(m[2]!)) throw new UsageError(`${m[1]!}=${m[2]!} is not a number`);
          else attrs[m[1]!] = Number(m[2]);
        }
        const { path, via } = this.#target(words[1]!);
        return resultText(`attr ${words[0]!} ${words[1]!}`, await s.writeAttributes(words[0]!, path, attrs, via));
      }
      case 'composite-read': {
        const { args, flags } = splitFlags(words, ['format']);
        need(args, 2, 'composite-read EP PATH... [--format F]');
        return resultText(`composite-read ${args[0]!}`, await s.readComposite(args[0]!, args.slice(1).map((p) => this.#path(p)), formatFlag(flags)));
      }
      default:
        throw new UsageError(`unknown command (try help)`);
    }
  }
}
