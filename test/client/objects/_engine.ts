/** A socketless engine for object unit tests, and helpers acting as a server would. */
import { LwM2mEngine } from '../../../src/dm/engine.ts';
import { parseExecuteArguments } from '../../../src/dm/execute-args.ts';
import { LwM2mPath } from '../../../src/model/path.ts';
import { coerceResourceValue, type ResourceValue } from '../../../src/model/resource-type.ts';
import { ObjectCatalogue } from '../../../src/model/catalogue.ts';
import { FakeClock } from '../../../src/util/clock.ts';

/** An engine of enabler `version`; '1.2' is a 1.1 engine with the newest object versions (the 1.2 profile). */
export function makeEngine(version: '1.0' | '1.1' | '1.2' = '1.1', clock = new FakeClock({ wallStart: Date.UTC(2026, 0, 1, 12) })): { engine: LwM2mEngine; clock: FakeClock } {
  const engineVersion = version === '1.2' ? '1.1' : version;
  return { engine: new LwM2mEngine({ version: engineVersion, endpointName: 'unit', clock, catalogue: ObjectCatalogue.builtin(version) }), clock };
}

/** Writes as server `ssid` would (pre-write, validate, store, post-write); returns the post-write promise, if any. */
export function serverWrite(engine: LwM2mEngine, path: string, value: unknown, ssid = 1): Promise<void> | undefined {
  const p = LwM2mPath.parse(path);
  const [oid, iid, rid] = p.ids as [number, number, number];
  const rdef = engine.registry.resourceDefinition(oid, rid)!;
  const v: ResourceValue = coerceResourceValue(rdef, value, path);
  return engine.registry.commitWrites([{ oid, iid, rid, value: v, mode: 'replace' }], { source: 'server', ssid });
}

/** Executes as server `ssid` would; returns what the callback returns. */
export function execute(engine: LwM2mEngine, path: string, args = '', ssid = 1): unknown {
  const p = LwM2mPath.parse(path);
  const cb = engine.registry.executeCallback(p);
  if (cb === undefined) throw new Error(`${path} has no execute callback`);
  return cb(parseExecuteArguments(args), { path: p, ssid });
}

/** Lets setImmediate/microtask work run. */
export const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
