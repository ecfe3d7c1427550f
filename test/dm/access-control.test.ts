import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessControl, AclBit, CREATE_INSTANCE_ID } from '../../src/dm/access-control.ts';
import { Registry } from '../../src/dm/registry.ts';
import { UnauthorizedError } from '../../src/errors.ts';
import { ObjectCatalogue } from '../../src/model/catalogue.ts';

function world(servers: number[]): { reg: Registry; acl: AccessControl } {
  const reg = new Registry({ definitions: ObjectCatalogue.builtin('1.1') });
  servers.forEach((ssid, i) => reg.create(`/1/${i}`, { 0: ssid, 1: 60, 6: false, 7: 'U' }));
  return { reg, acl: new AccessControl(reg) };
}

describe('Access Control (LwM2M Core 1.1.1 7.3, Appendix E)', () => {
  it('is not enforced with a single server', () => {
    const { acl } = world([1]);
    assert.ok(!acl.active());
    assert.equal(acl.rights(1, 3, 0), 31);
    assert.ok(acl.allows(1, 16, CREATE_INSTANCE_ID, AclBit.CREATE));
  });

  it('resolves the server entry, then ownership, then the default entry', () => {
    const { reg, acl } = world([1, 2, 3]);
    reg.create('/2/0', { 0: 3, 1: 0, 2: { 2: AclBit.READ | AclBit.EXECUTE, 0: AclBit.READ }, 3: 1 });
    assert.ok(acl.active());
    assert.equal(acl.rights(2, 3, 0), AclBit.READ | AclBit.EXECUTE);
    assert.equal(acl.rights(1, 3, 0), 15, 'the owner: everything but Create');
    assert.equal(acl.rights(3, 3, 0), AclBit.READ, 'the default entry');
    assert.equal(acl.rights(3, 3, 1), 0, 'no Access Control instance');
    reg.set('/2/0/2', { 2: 0 });
    assert.equal(acl.rights(3, 3, 0), 0, 'no default entry any more');
    assert.equal(acl.rights(2, 3, 0), 0, 'an explicit empty entry');
    assert.throws(() => acl.check(2, 3, 0, AclBit.READ), UnauthorizedError);
  });

  it('lets everyone read Access Control instances and only their owner write them', () => {
    const { reg, acl } = world([1, 2]);
    reg.create('/2/4', { 0: 3, 1: 0, 3: 2 });
    assert.ok(acl.allows(1, 2, 4, AclBit.READ));
    assert.ok(!acl.allows(1, 2, 4, AclBit.WRITE));
    assert.ok(acl.allows(2, 2, 4, AclBit.WRITE));
    assert.ok(!acl.allows(2, 2, 4, AclBit.DELETE));
  });

  it('creates the Access Control instance of a created instance, owned by its creator, and removes it with the instance', () => {
    const { reg, acl } = world([1, 2]);
    reg.create('/16/0');
    acl.instanceCreated(2, 16, 0, 'server');
    const aiid = acl.aclInstance(16, 0)!;
    assert.equal(acl.owner(aiid), 2);
    assert.equal(acl.rights(2, 16, 0), 15);
    acl.instanceCreated(2, 16, 0, 'server');
    assert.deepEqual(reg.instanceIds(2), [aiid], 'not twice');
    acl.instanceDeleted(16, 0, 'server', 2);
    assert.equal(acl.aclInstance(16, 0), undefined);
  });
});
