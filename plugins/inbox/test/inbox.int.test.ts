import { SILENT_LOGGER } from '@kabar/core';
import manifest from '@kabar/plugin-inbox';
import { type InboxItem, type InboxWriter, PluginError, PluginErrorCode, validatePluginConfig } from '@kabar/plugin-sdk';
import { anOutboundMessage, runConformance } from '@kabar/plugin-sdk/conformance';
import { describe, expect, it } from 'vitest';

/** The hub's contract in memory: idempotent on notificationId (its database version is tested with the hub). */
class MemoryInbox implements InboxWriter {
  readonly items = new Map<string, InboxItem>();
  calls = 0;
  failWith: Error | undefined;

  put(items: readonly InboxItem[]): Promise<void> {
    this.calls++;
    if (this.failWith !== undefined) return Promise.reject(this.failWith);
    for (const item of items) if (!this.items.has(item.notificationId)) this.items.set(item.notificationId, item);
    return Promise.resolve();
  }
}

const inbox = new MemoryInbox();
const context = { logger: SILENT_LOGGER, inbox };

runConformance({
  manifest,
  packageJson: new URL('../package.json', import.meta.url),
  config: () => ({}),
  context: () => context,
  message: { to: 'citizen-3174012345678901' },
  received: () => [...inbox.items.keys()],
  // Inbox items are keyed by notification, which is what the hub's table is unique on.
  identifyBy: 'notificationId',
});

describe('inbox plugin', () => {
  const config = validatePluginConfig(manifest, {});

  it('stores each message for the citizen named in `to`, in one call per batch', async () => {
    const writer = new MemoryInbox();
    const provider = await manifest.create(config, { logger: SILENT_LOGGER, inbox: writer });
    const withSubject = anOutboundMessage({ channel: 'inbox', to: 'citizen-1', subject: 'KTP-el siap' });
    const { subject, ...plain } = anOutboundMessage({ channel: 'inbox', to: 'citizen-2', locale: 'en' });
    expect(subject).toBeDefined();
    const outcomes = await provider.send([withSubject, plain]);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent']);
    expect(writer.calls).toBe(1);
    expect(writer.items.get(withSubject.notificationId)).toEqual({
      notificationId: withSubject.notificationId,
      citizenId: 'citizen-1',
      agencyCode: withSubject.agencyCode,
      eventType: withSubject.eventType,
      subject: 'KTP-el siap',
      body: withSubject.body,
      locale: 'id-ID',
      createdAt: expect.any(Date) as unknown,
    });
    expect(writer.items.get(plain.notificationId)).not.toHaveProperty('subject');
    expect(writer.items.get(plain.notificationId)?.citizenId).toBe('citizen-2');
  });

  it('fails a message without a citizen id on its own and stores the rest', async () => {
    const writer = new MemoryInbox();
    const provider = await manifest.create(config, { logger: SILENT_LOGGER, inbox: writer });
    const good = anOutboundMessage({ channel: 'inbox', to: 'citizen-1' });
    const bad = anOutboundMessage({ channel: 'inbox', to: '  ' });
    await expect(provider.send([bad, good])).resolves.toEqual([
      { notificationId: bad.notificationId, status: 'failed', error: { code: 'INVALID_RECIPIENT', retryable: false, message: expect.any(String) as unknown } },
      { notificationId: good.notificationId, status: 'sent' },
    ]);
    expect([...writer.items.keys()]).toEqual([good.notificationId]);
  });

  it('fails the whole batch, retryably, when the store fails', async () => {
    const writer = new MemoryInbox();
    writer.failWith = new Error('connection terminated');
    const provider = await manifest.create(config, { logger: SILENT_LOGGER, inbox: writer });
    const error = await provider.send([anOutboundMessage({ channel: 'inbox', to: 'citizen-1' })]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ code: PluginErrorCode.ProviderError, retryable: true, message: 'the inbox store failed: connection terminated' });
  });

  it('refuses to start without the hub\'s inbox writer', async () => {
    const error = await Promise.resolve()
      .then(() => manifest.create(config, { logger: SILENT_LOGGER }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ code: PluginErrorCode.InvalidConfig, retryable: false });
  });
});
