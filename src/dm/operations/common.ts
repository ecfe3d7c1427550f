/**
 * What every operation shares: the engine context it works in, the request it answers, response
 * builders and the value plumbing between decoded records and registry writes.
 */
import type { IncomingRequest } from '../../coap/incoming.ts';
import { CoapCode, type CoapOptionEntry, type CoapResponse } from '../../coap/message.ts';
import { CoapOption } from '../../coap/message.ts';
import { encodeUint } from '../../coap/options.ts';
import { MethodNotAllowedError, NotFoundError, StatusError } from '../../errors.ts';
import type { LwM2mPath } from '../../model/path.ts';
import type { LwM2mRecord } from '../../model/record.ts';
import type { ResourceValue } from '../../model/resource-type.ts';
import type { Clock } from '../../util/clock.ts';
import type { AccessControl } from '../access-control.ts';
import type { Attributes, AttributeStore } from '../attributes.ts';
import type { EngineVersion, FormatProfile } from '../formats.ts';
import type { ObservationManager } from '../observe.ts';
import type { Reader, ReadScope } from '../read-records.ts';
import type { Registry, ResourceWrite, WriteSource } from '../registry.ts';

/** The engine as operations see it. */
export interface DmContext extends ReadScope {
  readonly registry: Registry;
  readonly acl: AccessControl;
  readonly version: EngineVersion;
  readonly formats: FormatProfile;
  readonly attributes: AttributeStore;
  /** The observation manager (created on first use). */
  observations(): ObservationManager;
  readonly clock: Clock;
  /** pmin/pmax defaults of a server account (/1/x/2, /1/x/3). */
  serverDefaults(ssid: number): Attributes;
  /** Reports an unexpected error (the engine's 'error' event). */
  reportError(error: unknown): void;
  /** Runs `fn` after the response to the current request went out. */
  afterResponse(fn: () => void): void;
}

/** One request being answered. */
export interface OpContext {
  readonly dm: DmContext;
  readonly request: IncomingRequest;
  readonly path: LwM2mPath;
  readonly reader: Reader;
}

const FORMAT_OPTIONS = new Map<number, CoapOptionEntry>();

/** The Content-Format option entry of a format (shared, allocated once per format). */
export function contentFormatOption(format: number): CoapOptionEntry {
  let o = FORMAT_OPTIONS.get(format);
  if (o === undefined) {
    o = { number: CoapOption.CONTENT_FORMAT, value: encodeUint(format) };
    FORMAT_OPTIONS.set(format, o);
  }
  return o;
}

/** 2.05 Content with a Content-Format. */
export function content(format: number, payload: Uint8Array): CoapResponse {
  return { code: CoapCode.CONTENT, options: [contentFormatOption(format)], payload };
}

export const CHANGED: CoapResponse = Object.freeze({ code: CoapCode.CHANGED });
export const DELETED: CoapResponse = Object.freeze({ code: CoapCode.DELETED });

const encoder = new TextEncoder();

/** An error response with the message as diagnostic payload (RFC 7252 5.5.2). */
export function errorResponse(code: number, message: string): CoapResponse {
  return { code, payload: message === '' ? undefined : encoder.encode(message.length > 200 ? message.slice(0, 200) : message) };
}

/** The response for a thrown StatusError. */
export function statusResponse(error: StatusError): CoapResponse {
  return errorResponse(error.coapCode, error.message);
}

/** The short server id of the requester; operations only LwM2M Servers may perform call it. */
export function requesterSsid(op: OpContext): number | undefined {
  return op.reader.bootstrap ? undefined : op.reader.ssid;
}

/** The write source of a requester. */
export function sourceOf(reader: Reader): WriteSource {
  return reader.bootstrap ? 'bootstrap' : 'server';
}

/** The Opaque block context of a one-piece write of `value`. */
export function wholeBlock(value: ResourceValue): { offset: number; last: boolean; totalSize: number } | undefined {
  return value instanceof Uint8Array ? { offset: 0, last: true, totalSize: value.byteLength } : undefined;
}

/** How records become registry writes. */
export interface PlanOptions {
  /** replace: a multiple resource gets exactly the instances given; merge: they are added/updated. */
  readonly multipleMode: 'replace' | 'merge';
  /** Check the 'W' operation and application read-only data (LwM2M Server writes). */
  readonly checkWritable: boolean;
  /** Multiple resources the payload sent with no instance (TLV, LwM2M CBOR). */
  readonly emptyResources?: readonly LwM2mPath[] | undefined;
}

/**
 * Groups decoded records into one write per resource, checking that each resource exists in the
 * definitions, holds a value and (for a server) is writable: 4.04 / 4.05. Records of a multiple
 * resource at its resource path are impossible (the codec refuses them).
 */
export function planWrites(dm: DmContext, records: readonly LwM2mRecord[], options: PlanOptions): ResourceWrite[] {
  const byResource = new Map<string, { oid: number; iid: number; rid: number; value?: ResourceValue; instances?: Map<number, ResourceValue> }>();
  const reg = dm.registry;
  const touch = (path: LwM2mPath): { oid: number; iid: number; rid: number; value?: ResourceValue; instances?: Map<number, ResourceValue> } => {
    const [oid, iid, rid] = path.ids as [number, number, number];
    const key = `${oid}/${iid}/${rid}`;
    let w = byResource.get(key);
    if (w === undefined) {
      const rdef = reg.resourceDefinition(oid, rid);
      if (rdef === undefined) throw new NotFoundError(`${path.toString()}: object ${oid} has no resource ${rid}`);
      if (options.checkWritable) {
        if (!rdef.operations.includes('W')) throw new MethodNotAllowedError(`${path.toString()} (${rdef.name}) is not writable`);
        if (reg.isReadOnlyData(path.ancestor(3))) throw new MethodNotAllowedError(`${path.ancestor(3).toString()} is read-only data of the application`);
      }
      w = { oid, iid, rid };
      byResource.set(key, w);
    }
    return w;
  };
  for (const r of records) {
    const w = touch(r.path);
    if (r.path.depth === 4) {
      if (options.checkWritable && reg.isReadOnlyData(r.path)) throw new MethodNotAllowedError(`${r.path.toString()} is read-only data of the application`);
      (w.instances ??= new Map()).set(r.path.ids[3]!, r.value);
    } else w.value = r.value;
  }
  for (const p of options.emptyResources ?? []) {
    const w = touch(p);
    w.instances ??= new Map();
  }
  const out: ResourceWrite[] = [];
  for (const w of byResource.values()) {
    out.push({ oid: w.oid, iid: w.iid, rid: w.rid, value: w.value, instances: w.instances, mode: w.instances !== undefined ? options.multipleMode : 'replace' });
  }
  return out;
}

/** Runs a commit and turns its (possibly async) completion into the response. */
export function finishWrite(result: Promise<void> | undefined, response: CoapResponse): CoapResponse | Promise<CoapResponse> {
  return result === undefined ? response : result.then(() => response);
}
