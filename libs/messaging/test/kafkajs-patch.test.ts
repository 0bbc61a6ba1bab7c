import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

// patches/kafkajs+2.2.4.patch (applied by `npm install` through patch-package): kafkajs grouped a send's messages by
// partition with `[...current, message]`, copying the partition's list once per message. Status records share their
// agency's key, so a 512 KiB send puts about a thousand on one partition; the copies were an eighth of everything the
// hub allocated in the benchmark.
const require = createRequire(import.meta.url);
const modulePath = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');

interface Message {
  readonly key: string;
  readonly n: number;
}
type Group = (args: { topic: string; partitionMetadata: readonly unknown[]; messages: readonly Message[]; partitioner: (a: { message: Message }) => number }) => Record<string, Message[]>;

describe('kafkajs patch: grouping messages by partition', () => {
  it('is installed (npm install applies patches/)', () => {
    expect(readFileSync(modulePath, 'utf8')).not.toContain('[...current, message]');
  });

  it('keeps every message, in order, under the partition the partitioner chose', () => {
    const group = require(modulePath) as Group;
    const messages = Array.from({ length: 20_000 }, (_, n) => ({ key: `k${String(n % 7)}`, n }));
    const grouped = group({ topic: 't', partitionMetadata: [{}, {}, {}], messages, partitioner: ({ message }) => message.n % 3 });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list.every((m) => m.n % 3 === Number(partition))).toBe(true);
      expect(list.map((m) => m.n)).toEqual(messages.filter((m) => m.n % 3 === Number(partition)).map((m) => m.n));
    }
    expect(group({ topic: 't', partitionMetadata: [], messages, partitioner: () => 0 })).toEqual({});
  });
});
