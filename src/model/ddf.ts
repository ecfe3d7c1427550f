import { readFile } from 'node:fs/promises';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DdfError } from '../errors.ts';
import type { DefinedObject, ObjectSpec, ResourceSpec } from './define-object.ts';
import { defineObject } from './define-object.ts';
import type { Operations } from './object-definition.ts';
import { MAX_ID } from './path.ts';
import type { ResourceType } from './resource-type.ts';

/**
 * Loader for OMA DDF XML, the object definition format of the OMA LwM2M registry (LWM2M.xsd and
 * LWM2M-v1_1.xsd; LwM2M Core Appendix D.1): `<LWM2M>` holding one or more `<Object>`, each with
 * Name, ObjectID, ObjectURN, LWM2MVersion, ObjectVersion, MultipleInstances, Mandatory and
 * `<Resources><Item ID="..">` with Name, Operations, MultipleInstances, Mandatory, Type,
 * RangeEnumeration, Units, Description.
 */

export interface DdfOptions {
  /** Keep Description / Description1 texts in the definitions (default true). */
  readonly descriptions?: boolean;
  /** Names the input in error messages, e.g. a file name. */
  readonly source?: string;
}

const TYPE_NAMES: Readonly<Record<string, ResourceType>> = {
  string: 'string',
  integer: 'integer',
  'unsigned integer': 'unsigned',
  float: 'float',
  boolean: 'boolean',
  opaque: 'opaque',
  time: 'time',
  objlnk: 'objlnk',
  corelnk: 'corelnk',
  '': 'none',
};

/** Maps a DDF `<Type>` text ("Unsigned Integer", "Objlnk", empty for executables) to a ResourceType. */
export function ddfType(text: string): ResourceType | undefined {
  return TYPE_NAMES[text.trim().replace(/\s+/g, ' ').toLowerCase()];
}

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * XML 1.0 entity decoding: the five predefined entities and character references. Entities a
 * DOCTYPE declares are not expanded (no external or recursive entities); an unknown reference is
 * kept as written.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) && code !== 0 ? String.fromCodePoint(code) : whole;
    }
    return XML_ENTITIES[ref] ?? whole;
  });
}

const entityDecoder = {
  setExternalEntities: (): void => undefined,
  addInputEntities: (): void => undefined,
  reset: (): void => undefined,
  setXmlVersion: (): void => undefined,
  decode: decodeEntities,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  entityDecoder,
  isArray: (name) => name === 'Object' || name === 'Item',
});

type XmlNode = Readonly<Record<string, unknown>>;

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Where {
  readonly source: string | undefined;
  readonly objectId?: number;
  readonly resourceId?: number;
}

function fail(where: Where, message: string): never {
  const parts: string[] = [];
  if (where.source !== undefined) parts.push(where.source);
  if (where.objectId !== undefined) parts.push(`object ${where.objectId}`);
  if (where.resourceId !== undefined) parts.push(`resource ${where.resourceId}`);
  parts.push(message);
  throw new DdfError(parts.join(': '), { objectId: where.objectId, resourceId: where.resourceId });
}

/** The text of child element `name`: undefined when absent, '' when empty. */
function text(node: XmlNode, name: string, where: Where): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim();
  if (Array.isArray(v)) fail(where, `element <${name}> appears ${v.length} times`);
  if (isNode(v)) {
    const t = v['#text'];
    if (t === undefined) return '';
    if (typeof t === 'string') return t.trim();
  }
  return fail(where, `element <${name}> has unexpected content`);
}

function required(node: XmlNode, name: string, where: Where): string {
  const v = text(node, name, where);
  if (v === undefined) fail(where, `missing <${name}>`);
  return v;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

function parseId(textValue: string, what: string, where: Where): number {
  if (!/^\d{1,5}$/.test(textValue) || Number(textValue) > MAX_ID) {
    fail(where, `${what} '${textValue}' is not an integer 0..${MAX_ID}`);
  }
  return Number(textValue);
}

function choice<T extends string>(value: string, options: Readonly<Record<string, T>>, name: string, where: Where): T {
  const v = options[value.toLowerCase()];
  if (v === undefined) fail(where, `<${name}> '${value}' is not one of ${Object.keys(options).map((k) => `'${k}'`).join(', ')}`);
  return v;
}

const INSTANCES = { single: 'single', multiple: 'multiple' } as const;
const MANDATORY = { mandatory: 'mandatory', optional: 'optional' } as const;
const OPERATIONS: Readonly<Record<string, Operations>> = { '': '', r: 'R', w: 'W', rw: 'RW', e: 'E' };

function resourceSpec(item: XmlNode, where: Where, descriptions: boolean): [number, ResourceSpec] {
  const idText = item['@_ID'];
  if (typeof idText !== 'string') fail(where, 'resource <Item> without an ID attribute');
  const rid = parseId(idText.trim(), 'resource ID', where);
  const at: Where = { ...where, resourceId: rid };
  const typeText = required(item, 'Type', at);
  const type = ddfType(typeText);
  if (type === undefined) fail(at, `unknown <Type> '${typeText}'`);
  const spec: { -readonly [K in keyof ResourceSpec]: ResourceSpec[K] } = {
    name: oneLine(required(item, 'Name', at)),
    type,
    ops: choice(required(item, 'Operations', at), OPERATIONS, 'Operations', at),
    multiple: choice(required(item, 'MultipleInstances', at), INSTANCES, 'MultipleInstances', at) === 'multiple',
    mandatory: choice(required(item, 'Mandatory', at), MANDATORY, 'Mandatory', at) === 'mandatory',
  };
  if (spec.name === '') fail(at, 'empty <Name>');
  const range = oneLine(text(item, 'RangeEnumeration', at) ?? '');
  if (range !== '') spec.range = range;
  const units = text(item, 'Units', at) ?? '';
  if (units !== '') spec.units = units;
  const description = descriptions ? (text(item, 'Description', at) ?? '') : '';
  if (description !== '') spec.description = description;
  return [rid, spec];
}

function objectSpec(obj: XmlNode, source: string | undefined, descriptions: boolean): ObjectSpec {
  const here: Where = { source };
  const objectType = obj['@_ObjectType'];
  if (typeof objectType === 'string' && objectType.trim() !== '' && objectType.trim() !== 'MODefinition') {
    fail(here, `<Object ObjectType="${objectType}"> is not an object definition (MODefinition)`);
  }
  const oid = parseId(required(obj, 'ObjectID', here), 'ObjectID', here);
  const where: Where = { source, objectId: oid };
  const name = oneLine(required(obj, 'Name', where));
  if (name === '') fail(where, 'empty <Name>');
  const version = text(obj, 'ObjectVersion', where) ?? '';
  if (version !== '' && !/^\d+\.\d+$/.test(version)) fail(where, `<ObjectVersion> '${version}' is not major.minor`);
  const lwm2mVersion = text(obj, 'LWM2MVersion', where) ?? '';
  if (lwm2mVersion !== '' && !/^\d+\.\d+$/.test(lwm2mVersion)) fail(where, `<LWM2MVersion> '${lwm2mVersion}' is not major.minor`);
  const resourcesNode = obj.Resources;
  const items: unknown[] = [];
  if (isNode(resourcesNode)) {
    const list = resourcesNode.Item;
    if (Array.isArray(list)) items.push(...(list as unknown[]));
  } else if (resourcesNode !== undefined && resourcesNode !== '') {
    fail(where, '<Resources> is malformed');
  } else if (resourcesNode === undefined) {
    fail(where, 'missing <Resources>');
  }
  const resources: Record<number, ResourceSpec> = {};
  for (const item of items) {
    if (!isNode(item)) fail(where, 'resource <Item> without content');
    const [rid, spec] = resourceSpec(item, where, descriptions);
    if (rid in resources) fail({ ...where, resourceId: rid }, 'duplicate resource ID');
    resources[rid] = spec;
  }
  const spec: { -readonly [K in keyof ObjectSpec]: ObjectSpec[K] } = {
    id: oid,
    name,
    multiple: choice(required(obj, 'MultipleInstances', where), INSTANCES, 'MultipleInstances', where) === 'multiple',
    mandatory: choice(required(obj, 'Mandatory', where), MANDATORY, 'Mandatory', where) === 'mandatory',
    version: version === '' ? '1.0' : version,
    resources,
  };
  if (lwm2mVersion !== '') spec.lwm2mVersion = lwm2mVersion;
  const urn = text(obj, 'ObjectURN', where) ?? '';
  if (urn !== '') spec.urn = urn;
  const description = descriptions ? (text(obj, 'Description1', where) ?? '') : '';
  if (description !== '') spec.description = description;
  return spec;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses OMA DDF XML holding one or more `<Object>` definitions (LWM2M.xsd). Throws `DdfError`
 * for XML that is not well-formed, a root other than `<LWM2M>`, and missing or invalid fields
 * (with the object and resource id in the message).
 */
export function parseDdf(xml: string | Uint8Array, options?: DdfOptions): DefinedObject[] {
  const source = options?.source;
  let textXml: string;
  if (typeof xml === 'string') {
    textXml = xml;
  } else {
    try {
      textXml = utf8.decode(xml);
    } catch (e) {
      fail({ source }, `not valid UTF-8 (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (textXml.startsWith('\uFEFF')) textXml = textXml.slice(1);
  // fast-xml-parser 5 marks its validator deprecated in favour of a separate package that is not a
  // dependency of this project; its parser alone accepts mismatched tags, so the check stays here.
  let doc: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    const valid = XMLValidator.validate(textXml);
    if (valid !== true) {
      fail({ source }, `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
    }
    doc = parser.parse(textXml);
  } catch (e) {
    if (e instanceof DdfError) throw e;
    fail({ source }, `malformed XML: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root = isNode(doc) ? doc.LWM2M : undefined;
  if (root === undefined) {
    const names = isNode(doc) ? Object.keys(doc).filter((k) => !k.startsWith('?')) : [];
    fail({ source }, `root element is <${names.join('>, <') || 'none'}>, expected <LWM2M>`);
  }
  const objects = isNode(root) ? root.Object : undefined;
  if (!Array.isArray(objects) || objects.length === 0) fail({ source }, '<LWM2M> holds no <Object>');
  const descriptions = options?.descriptions ?? true;
  return (objects as unknown[]).map((obj) => {
    if (!isNode(obj)) fail({ source }, 'empty <Object>');
    const spec = objectSpec(obj, source, descriptions);
    try {
      return defineObject(spec);
    } catch (e) {
      if (e instanceof DdfError && source !== undefined) throw new DdfError(`${source}: ${e.message}`, { cause: e, objectId: e.objectId, resourceId: e.resourceId });
      throw e;
    }
  });
}

/** Parses DDF XML that holds exactly one object definition. */
export function parseDdfObject(xml: string | Uint8Array, options?: DdfOptions): DefinedObject {
  const defs = parseDdf(xml, options);
  if (defs.length !== 1) fail({ source: options?.source }, `expected one <Object>, found ${defs.length}`);
  return defs[0]!;
}

/** Reads and parses a DDF file; errors name the file. */
export async function loadDdfFile(file: string, options?: Omit<DdfOptions, 'source'>): Promise<DefinedObject[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DdfError(`${file}: cannot read (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return parseDdf(bytes, { ...options, source: file });
}
