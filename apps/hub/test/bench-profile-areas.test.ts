import { describe, expect, it } from 'vitest';

import { areaOf, type CpuProfile, IDLE, profileAreas, RUNTIME } from '../../../scripts/bench/profile-areas.js';

const frame = (functionName: string, url = ''): { functionName: string; url: string } => ({ functionName, url });

describe('the benchmark profile by area', () => {
  it('names the area of packages, of the hub, libs and plugins, and charges runtime and native frames to their caller', () => {
    expect(areaOf('file:///w/node_modules/kafkajs/src/protocol/encoder.js', 'writeInt32')).toBe('kafkajs (Kafka protocol)');
    expect(areaOf('file:///w/node_modules/pg-protocol/dist/parser.js', 'parse')).toBe('pg (PostgreSQL protocol)');
    expect(areaOf('file:///w/node_modules/@mikro-orm/core/index.js', 'x')).toBe('MikroORM and Kysely');
    expect(areaOf('file:///w/node_modules/left-pad/index.js', 'pad')).toBe('package left-pad');
    expect(areaOf('file:///w/node_modules/@scope/thing/index.js', 'f')).toBe('package @scope/thing');
    expect(areaOf('file:///w/apps/hub/dist/ingest/ingest.service.js', 'ingest')).toBe('hub: ingest');
    expect(areaOf('file:///w/apps/hub/dist/main.js', 'bootstrap')).toBe('hub (app)');
    expect(areaOf('file:///w/libs/persistence/dist/bulk.js', 'arrayLiteral')).toBe('libs/persistence');
    expect(areaOf('file:///w/plugins/inbox/dist/inbox.provider.js', 'send')).toBe('plugin inbox');
    expect(areaOf('', '(garbage collector)')).toBe('garbage collection');
    expect(areaOf('', '(idle)')).toBe(IDLE);
    expect(areaOf('', 'writev')).toBe('socket and file I/O');
    expect(areaOf('node:internal/modules/esm/loader', 'import')).toBe('module loading (start-up)');
    expect(areaOf('node:buffer', '_copyActual')).toBeNull();
    expect(areaOf('', 'stringify')).toBeNull();
  });

  it('sums samples by area, native time under its caller, shares of the busy time without idle', () => {
    // root -> encoder (kafkajs) -> copy (node:buffer) -> memcpy (native); root -> idle; root -> gc; root -> tick (node:internal)
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 5, 6, 7] },
        { id: 2, callFrame: frame('encode', 'file:///w/node_modules/kafkajs/src/protocol/encoder.js'), children: [3] },
        { id: 3, callFrame: frame('copy', 'node:buffer'), children: [4] },
        { id: 4, callFrame: frame('_copyActual') },
        { id: 5, callFrame: frame('(idle)') },
        { id: 6, callFrame: frame('(garbage collector)') },
        { id: 7, callFrame: frame('processTicksAndRejections', 'node:internal/process/task_queues') },
      ],
      samples: [4, 3, 2, 5, 5, 6, 7, 999],
      timeDeltas: [1000, 1000, 1000, 5000, 5000, 2000, 1000, 1000],
    };
    const areas = profileAreas([profile, profile]);
    expect(areas).toEqual([
      { area: IDLE, ms: 20, share: 0 },
      { area: 'kafkajs (Kafka protocol)', ms: 6, share: 6 / 14 },
      { area: 'garbage collection', ms: 4, share: 4 / 14 },
      // The process's tick loop and a sample of a node the profile does not hold.
      { area: RUNTIME, ms: 4, share: 4 / 14 },
    ]);
  });
});
