import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode } from '../../src/codec/codec.ts';
import { CodecError } from '../../src/errors.ts';
import { codecTargets, FuzzFailure, runCodecFuzz, type Target } from './codec-fuzz.ts';

describe('codec fuzz (a slice of test/fuzz/codec-fuzz.ts)', () => {
  it('every target has valid seeds that decode', () => {
    for (const t of codecTargets()) {
      assert.ok(t.seeds.length > 0, t.name);
      for (const s of t.seeds) t.run(s);
    }
  });

  it('30,000 random and mutated payloads throw nothing but CodecError', () => {
    const report = runCodecFuzz({ count: 30_000, seed: 20260101 });
    assert.equal(report.inputs, 30_000);
  });

  it('the harness reports a decoder that throws anything else, with the input', () => {
    const broken: Target = {
      name: 'broken text',
      seeds: [new TextEncoder().encode('12')],
      run(b) {
        try {
          decode(b, { format: 0, basePath: '/4000/0/0' });
        } catch (e) {
          if (!(e instanceof CodecError)) throw e;
        }
        if (b.length > 3) throw new TypeError('boom');
      },
    };
    assert.throws(() => runCodecFuzz({ count: 2000, seed: 3, targets: [broken] }), (e: unknown) => {
      return e instanceof FuzzFailure && /broken text: TypeError: boom/.test(e.message) && /input: [0-9a-f]{8}/.test(e.message);
    });
    assert.throws(() => decode(new Uint8Array([0xff]), { format: 0, basePath: '/3/0/0' }), CodecError);
  });
});
