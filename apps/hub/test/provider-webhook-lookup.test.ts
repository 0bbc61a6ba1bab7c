import { SILENT_LOGGER } from '@kabar/core';
import type { ChannelProvider } from '@kabar/plugin-sdk';
import { aConfig } from '@kabar/testing';
import { afterEach, describe, expect, it } from 'vitest';

import { PluginRegistry } from '../src/delivery/plugin-registry.js';

// Which provider `/v1/plugins/<name>/webhook` reaches: the names an admin sees for an install, or a plugin configured
// at start. The providers are stand-ins; only their identity matters here.
const INSTALL_ID = '0b6d2f4e-8c1a-4f3e-9d7b-2a5c6e8f1a3b';

function aProvider(): ChannelProvider {
  return { send: () => Promise.resolve([]), check: () => Promise.resolve({ ok: true, detail: 'stand-in' }), close: () => Promise.resolve() };
}

describe('PluginRegistry.lookup', () => {
  const registries: PluginRegistry[] = [];
  async function aRegistry(installs: Record<string, { name: string; provider: ChannelProvider }> = {}): Promise<PluginRegistry> {
    const registry = await PluginRegistry.create(aConfig().build(), SILENT_LOGGER, { put: () => Promise.resolve() });
    const entries = Object.entries(installs).map(([id, i]) => [id, { pluginId: i.name, provider: i.provider, channel: 'whatsapp' }] as const);
    registry.replaceInstalled({ installs: new Map(entries), routes: [] });
    registries.push(registry);
    return registry;
  }

  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
  });

  it("finds an admin's install by its id and by its name", async () => {
    const install = aProvider();
    const registry = await aRegistry({ [INSTALL_ID]: { name: 'wa-dukcapil', provider: install } });
    expect(registry.lookup(INSTALL_ID)).toMatchObject({ pluginId: 'wa-dukcapil', provider: install });
    expect(registry.lookup('wa-dukcapil')).toMatchObject({ pluginId: 'wa-dukcapil', provider: install });
  });

  it('finds a plugin configured at start by its id, and an install of the same name before it', async () => {
    const registry = await aRegistry();
    expect(registry.lookup('console')?.pluginId).toBe('console');
    const install = aProvider();
    const shadowing = await aRegistry({ [INSTALL_ID]: { name: 'console', provider: install } });
    expect(shadowing.lookup('console')?.provider).toBe(install);
  });

  it('finds nothing for a plugin not configured, an unknown id or a channel name', async () => {
    const registry = await aRegistry({ [INSTALL_ID]: { name: 'wa-dukcapil', provider: aProvider() } });
    expect(registry.lookup('chat-whatsapp')).toBeUndefined();
    expect(registry.lookup('7e1f0a9c-0000-4000-8000-000000000000')).toBeUndefined();
    expect(registry.lookup('whatsapp')).toBeUndefined();
  });
});
