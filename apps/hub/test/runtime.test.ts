import { describe, expect, it } from 'vitest';

// npm scripts must run on Node 24 from the `node` devDependency; if its install script was skipped they silently fall
// back to the machine's Node 20, on which MikroORM 7 breaks (STACK.md).
describe('runtime', () => {
  it('is Node 24 from the node devDependency', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });
});
