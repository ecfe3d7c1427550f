import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configurationProblem } from '../../src/dm/operations/bootstrap.ts';
import { Registry } from '../../src/dm/registry.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';

const none = new Uint8Array(0);

function registry(): Registry {
  const reg = new Registry({ definitions: ObjectCatalogue.builtin('1.1') });
  reg.create('/0/0', { 0: 'coap://bs', 1: true, 2: 3, 3: none, 4: none, 5: none });
  return reg;
}

describe('Bootstrap-Finish configuration check (LwM2M Core 1.1.1 6.1.7)', () => {
  it('accepts a Security and Server instance pair per short server id', () => {
    const reg = registry();
    reg.create('/0/1', { 0: 'coap://a', 1: false, 2: 3, 10: 1 });
    reg.create('/1/0', { 0: 1, 1: 60, 6: false, 7: 'U' });
    reg.create('/0/2', { 0: 'coap://b', 1: false, 2: 0, 10: 2 });
    reg.create('/1/1', { 0: 2, 1: 60, 6: false, 7: 'UQ' });
    assert.equal(configurationProblem(reg), undefined);
  });

  it('names what is missing or inconsistent', () => {
    const cases: [string, (reg: Registry) => void][] = [
      ['no LwM2M Server account is configured', () => undefined],
      ['/0/1 has no Short Server ID', (reg) => reg.create('/0/1', { 0: 'coap://a', 1: false, 2: 3 })],
      ['/0/1 has no Security Mode', (reg) => reg.create('/0/1', { 0: 'coap://a', 1: false, 10: 1 })],
      ['/0/1 (Short Server ID 1) has no Server instance', (reg) => reg.create('/0/1', { 0: 'coap://a', 1: false, 2: 3, 10: 1 })],
      ['/1/0 (Short Server ID 5) has no Security instance', (reg) => reg.create('/1/0', { 0: 5, 1: 60, 6: false, 7: 'U' })],
      ['/1/0 has no Binding', (reg) => {
        reg.create('/0/1', { 0: 'coap://a', 1: false, 2: 3, 10: 1 });
        reg.create('/1/0', { 0: 1, 1: 60, 6: false });
      }],
      ['two Server instances carry Short Server ID 1', (reg) => {
        reg.create('/0/1', { 0: 'coap://a', 1: false, 2: 3, 10: 1 });
        reg.create('/1/0', { 0: 1, 1: 60, 6: false, 7: 'U' });
        reg.create('/1/1', { 0: 1, 1: 60, 6: false, 7: 'U' });
      }],
    ];
    for (const [problem, build] of cases) {
      const reg = registry();
      build(reg);
      assert.equal(configurationProblem(reg), problem);
    }
  });
});
