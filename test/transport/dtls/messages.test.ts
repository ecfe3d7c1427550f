import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DtlsError } from '../../../src/errors.ts';
import {
  decodeCertificateList,
  decodeCertificateRequest,
  decodeClientHello,
  decodeEcdheServerKeyExchange,
  decodeHelloVerifyRequest,
  decodeServerHello,
  encodeCertificateList,
  encodeCertificateRequest,
  encodeClientHello,
  encodeEcdheParams,
  encodeEcdheServerKeyExchange,
  encodeHelloVerifyRequest,
  encodeServerHello,
  type ClientHello,
} from '../../../src/transport/dtls/messages.ts';
import { parseServerName, serverNameExtension } from '../../../src/transport/dtls/extensions.ts';

const hello: ClientHello = {
  version: 0xfefd,
  random: Buffer.alloc(32, 7),
  sessionId: Buffer.alloc(0),
  cookie: Buffer.from('cookie'),
  cipherSuites: [0xc0a8, 0x00ff],
  compressionMethods: [0],
  extensions: [
    { type: 23, data: Buffer.alloc(0) },
    { type: 0, data: serverNameExtension('lwm2m.example') },
  ],
};

test('ClientHello (RFC 6347 4.2.1 with cookie) round-trips', () => {
  const bytes = encodeClientHello(hello);
  // version, random, session_id<0>, cookie<6>, suites<4>, compression<1>, extensions
  assert.equal(bytes.subarray(0, 2).toString('hex'), 'fefd');
  assert.equal(bytes[34], 0);
  assert.equal(bytes[35], 6);
  const back = decodeClientHello(bytes);
  assert.deepEqual(back.cipherSuites, [0xc0a8, 0x00ff]);
  assert.equal(back.cookie.toString(), 'cookie');
  assert.equal(parseServerName(back.extensions[1]!.data), 'lwm2m.example');
  assert.deepEqual(encodeClientHello(back), bytes);
});

test('every truncation of a hello message is a decode_error DtlsError (except cutting off all extensions)', () => {
  const ch = encodeClientHello(hello);
  const chBare = encodeClientHello({ ...hello, extensions: [] });
  const shFields = { version: 0xfefd, random: Buffer.alloc(32, 1), sessionId: Buffer.alloc(32, 2), cipherSuite: 0xc0a8, compressionMethod: 0 };
  const sh = encodeServerHello({ ...shFields, extensions: [{ type: 23, data: Buffer.alloc(0) }] });
  const shBare = encodeServerHello({ ...shFields, extensions: [] });
  for (const [bytes, bare, decode] of [[ch, chBare, decodeClientHello], [sh, shBare, decodeServerHello]] as const) {
    for (let n = 0; n < bytes.length; n++) {
      if (n === bare.length) {
        assert.deepEqual(decode(bytes.subarray(0, n)).extensions, [], 'a hello without extensions is valid');
        continue;
      }
      assert.throws(() => decode(bytes.subarray(0, n)), (e: unknown) => e instanceof DtlsError && e.alert === 50, `length ${n}`);
    }
  }
});

test('duplicate extensions are refused', () => {
  const dup = encodeClientHello({ ...hello, extensions: [{ type: 23, data: Buffer.alloc(0) }, { type: 23, data: Buffer.alloc(0) }] });
  assert.throws(() => decodeClientHello(dup), (e: unknown) => e instanceof DtlsError && e.alert === 50);
});

test('HelloVerifyRequest, Certificate, CertificateRequest and ECDHE ServerKeyExchange round-trip', () => {
  assert.deepEqual(decodeHelloVerifyRequest(encodeHelloVerifyRequest(0xfeff, Buffer.from('c00k1e'))), { version: 0xfeff, cookie: Buffer.from('c00k1e') });
  const certs = [Buffer.from('first'), Buffer.from('second')];
  assert.deepEqual(decodeCertificateList(encodeCertificateList(certs)), certs);
  const req = { certificateTypes: [64], signatureSchemes: [0x0403], authorities: [Buffer.from('dn')] };
  assert.deepEqual(decodeCertificateRequest(encodeCertificateRequest(req)), req);
  const params = encodeEcdheParams(3, 23, Buffer.alloc(65, 4));
  const ske = decodeEcdheServerKeyExchange(encodeEcdheServerKeyExchange(params, 0x0403, Buffer.from('sig')));
  assert.deepEqual([ske.curveType, ske.namedCurve, ske.publicKey.length, ske.signatureScheme, ske.signature.toString()], [3, 23, 65, 0x0403, 'sig']);
  assert.deepEqual(ske.params, params);
});

test('random bytes never make a decoder throw anything but DtlsError', () => {
  const decoders = [decodeClientHello, decodeServerHello, decodeHelloVerifyRequest, decodeCertificateList, decodeCertificateRequest, decodeEcdheServerKeyExchange];
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
      for (const d of decoders) {
        try {
          d(Buffer.from(bytes));
        } catch (e) {
          assert.ok(e instanceof DtlsError, String(e));
        }
      }
    }),
    { numRuns: 300 },
  );
});
