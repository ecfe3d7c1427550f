import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeEntries,
  decodeLinks,
  encodeLinks,
  formatLink,
  formatLinks,
  linkAttributes,
  linkPath,
  makeLink,
  parseBootstrapDiscoverLinks,
  parseLinks,
  registerLinks,
} from '../../src/codec/link-format.ts';
import { CodecError } from '../../src/errors.ts';

describe('link format (RFC 6690) for LwM2M', () => {
  it('formats a Discover response with LwM2M attributes (LwM2M Core 5.4.2)', () => {
    const links = [
      makeLink('/3', { ver: '1.2', pmin: 10 }),
      makeLink('/3/0', { pmax: 60 }),
      makeLink('/3/0/1'),
      makeLink('/3/0/6', { dim: 2 }),
      makeLink('/3/0/7', { dim: 2, gt: 50, lt: 42.2, st: 0.5 }),
    ];
    const s = formatLinks(links);
    assert.equal(s, '</3>;ver=1.2;pmin=10,</3/0>;pmax=60,</3/0/1>,</3/0/6>;dim=2,</3/0/7>;dim=2;gt=50;lt=42.2;st=0.5');
    const back = parseLinks(s);
    assert.deepStrictEqual(back, links);
    assert.deepStrictEqual(linkAttributes(back[4]!), { gt: 50, lt: 42.2, st: 0.5, dim: 2 });
    assert.deepStrictEqual(linkAttributes(back[0]!), { pmin: 10, ver: '1.2' });
  });

  it('formats a Bootstrap-Discover response (LwM2M Core 5.2.7.3)', () => {
    const s = formatLinks([
      makeLink('/', { lwm2m: '1.1' }),
      makeLink('/0/0', { ssid: 101, uri: 'coaps://server_1.example.com:5684' }),
      makeLink('/0/1'),
      makeLink('/1/0', { ssid: 101 }),
      makeLink('/3/0'),
    ]);
    assert.equal(s, '</>;lwm2m=1.1,</0/0>;ssid=101;uri="coaps://server_1.example.com:5684",</0/1>,</1/0>;ssid=101,</3/0>');
    const links = parseLinks(s);
    assert.deepStrictEqual(linkAttributes(links[1]!), { ssid: 101, uri: 'coaps://server_1.example.com:5684' });
    assert.deepStrictEqual(linkAttributes(links[0]!), { lwm2m: '1.1' });
  });

  it('builds Register payloads with the root link, versions and instances (LwM2M Core 5.3.1)', () => {
    const objects = [
      { id: 3, version: '1.2', instances: [0] },
      { id: 1, instances: [1, 0] },
      { id: 3303, version: '1.1', instances: [] },
      { id: 5, instances: [] },
    ];
    assert.equal(
      formatLinks(registerLinks(objects, { contentFormats: [60, 110, 112, 11542, 11543] })),
      '</>;rt="oma.lwm2m";ct="60 110 112 11542 11543",</1/0>,</1/1>,</3>;ver=1.2,</3/0>,</5>,</3303>;ver=1.1',
    );
    assert.equal(
      formatLinks(registerLinks(objects.slice(0, 1), { rootPath: '/lwm2m', contentFormats: [11543] })),
      '</lwm2m>;rt="oma.lwm2m";ct=11543,</lwm2m/3>;ver=1.2,</lwm2m/3/0>',
    );
    const parsed = parseLinks('</>;rt="oma.lwm2m";ct="60 110 112 11542 11543"')[0]!;
    assert.deepStrictEqual(linkAttributes(parsed), { rt: 'oma.lwm2m', ct: [60, 110, 112, 11542, 11543] });
  });

  it('leaves ct out for an empty list of content formats, and the root link when it would say nothing else', () => {
    const objects = [{ id: 3, instances: [0] }];
    const plain = registerLinks(objects, { contentFormats: [] });
    assert.equal(formatLinks(plain), '</3/0>');
    assert.deepStrictEqual(plain, registerLinks(objects));
    const rooted = registerLinks(objects, { rootPath: '/lwm2m', contentFormats: [] });
    assert.equal(formatLinks(rooted), '</lwm2m>;rt="oma.lwm2m",</lwm2m/3/0>');
    // Every link reads back with its attributes valid.
    for (const l of parseLinks(formatLinks(rooted))) assert.doesNotThrow(() => linkAttributes(l));
    assert.deepStrictEqual(linkAttributes(parseLinks(formatLinks(rooted))[0]!), { rt: 'oma.lwm2m' });
    // makeLink itself: an empty list is no attribute, as undefined and false are.
    assert.equal(formatLink(makeLink('/3/0/7', { ct: [], dim: 2 })), '</3/0/7>;dim=2');
  });

  it('quotes what needs quoting and unescapes quoted strings', () => {
    const l = makeLink('/0/0', { uri: 'coap://h/a"b\\c', title: 'x', foo: 'a b', obs: true, bar: 'tok', skip: false, none: undefined });
    const s = formatLink(l);
    assert.equal(s, '</0/0>;uri="coap://h/a\\"b\\\\c";title="x";foo="a b";obs;bar=tok');
    assert.deepStrictEqual(parseLinks(s)[0], l);
  });

  it('tolerates whitespace around separators and parses bare attributes', () => {
    const links = parseLinks(' </1/0>, </3/0>;obs ;ct = 60 ,\r\n</5/0> ');
    assert.deepStrictEqual(links.map((l) => l.target), ['/1/0', '/3/0', '/5/0']);
    assert.equal(links[1]!.attributes.get('obs'), true);
    assert.equal(links[1]!.attributes.get('ct'), '60');
    assert.deepStrictEqual(parseLinks(''), []);
    assert.deepStrictEqual(decodeLinks(encodeLinks(links)), links);
  });

  it('refuses malformed payloads and attribute values', () => {
    for (const s of ['<', '</3', '/3/0', '</3/0>,', '</3/0>;', '</3/0>;a=1;a=2', '</3/0>;a="x', '</3/0> </1/0>', '</3/0>;a=b c', '</3/0>;=1', '<</3>']) {
      assert.throws(() => parseLinks(s), CodecError, s);
    }
    assert.throws(() => decodeLinks(new Uint8Array([0x3c, 0xff, 0x3e])), /UTF-8/);
    for (const s of ['</3>;pmin=-1', '</3>;pmin=1.5', '</3>;gt=abc', '</3>;ver=1', '</3>;ct="60 x"', '</3>;pmin']) {
      assert.throws(() => linkAttributes(parseLinks(s)[0]!), CodecError, s);
    }
    assert.throws(() => makeLink('/3', { 'bad name': 1 }), CodecError);
    assert.throws(() => makeLink('/3', { pmin: NaN }), CodecError);
    assert.throws(() => makeLink('/3>', {}), CodecError);
  });

  it('maps targets to paths and typed attributes to link attributes', () => {
    assert.equal(linkPath(makeLink('/3/0/7'))?.toString(), '/3/0/7');
    assert.equal(linkPath(makeLink('/lwm2m/3/0'), '/lwm2m')?.toString(), '/3/0');
    assert.equal(linkPath(makeLink('/')), undefined);
    assert.equal(linkPath(makeLink('/3/65535')), undefined);
    assert.equal(linkPath(makeLink('/a/b')), undefined);
    assert.equal(formatLink(makeLink('/3/0/7', attributeEntries({ pmax: 60, pmin: 5, dim: 2 }))), '</3/0/7>;pmin=5;pmax=60;dim=2');
  });
});

describe('Bootstrap-Discover payloads (LwM2M Core 1.1.1 5.2.7.3)', () => {
  it('reads the 1.1.1 form with a root link exactly as parseLinks does', () => {
    const s = '</>;lwm2m=1.1,</0/0>;ssid=101;uri="coap://bs:5683",</1>;ver=1.1,</1/0>;ssid=101';
    assert.deepStrictEqual(parseBootstrapDiscoverLinks(s), parseLinks(s));
  });

  it('reads the pre-1.1.1 form (bare lwm2m attribute first, as Eclipse Wakaama 1.0 sends it) as a root link', () => {
    // Wakaama's payload byte for byte (lwm2mclient built with LWM2M_VERSION_1_0).
    const s = 'lwm2m=1.0,</0/0>,</1/0>;ssid=123,</2/0>,</3/0>,</4/0>,</5/0>,</6/0>,</7/0>,</31024>;ver=1.0,</31024/10>,</31024/11>,</31024/12>';
    assert.throws(() => parseLinks(s), CodecError, 'plain RFC 6690 parsing stays strict');
    const links = parseBootstrapDiscoverLinks(s);
    assert.deepStrictEqual(links[0], makeLink('/', { lwm2m: '1.0' }));
    assert.deepStrictEqual(links.slice(1), parseLinks(s.slice('lwm2m=1.0,'.length)));
    assert.equal(links.length, 13);
    assert.deepStrictEqual(linkAttributes(links[2]!), { ssid: 123 });
  });

  it('takes a quoted version and several head attributes; a head alone is one root link', () => {
    assert.deepStrictEqual(parseBootstrapDiscoverLinks(' lwm2m="1.1" ;x , </0/1>'), [makeLink('/', { lwm2m: '1.1', x: true }), makeLink('/0/1')]);
    assert.deepStrictEqual(parseBootstrapDiscoverLinks('lwm2m=1.0'), [makeLink('/', { lwm2m: '1.0' })]);
    assert.deepStrictEqual(parseBootstrapDiscoverLinks(''), []);
  });

  it('rejects what is neither form', () => {
    for (const bad of ['lwm2m=1.0,', 'lwm2m=1.0 </0/0>', '=1.0,</0/0>', ';lwm2m=1.0,</0/0>', 'lwm2m=1.0;lwm2m=1.1,</0/0>', 'lwm2m=1.0,</0/0']) {
      assert.throws(() => parseBootstrapDiscoverLinks(bad), CodecError, bad);
    }
  });
});
