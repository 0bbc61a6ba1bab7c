import type { KabarConfig } from '@kabar/config';
import { ConfigError } from '@kabar/config';
import type { Logger } from '@kabar/core';
import chatWhatsappPlugin from '@kabar/plugin-chat-whatsapp';
import consolePlugin from '@kabar/plugin-console';
import emailSmtpPlugin from '@kabar/plugin-email-smtp';
import inboxPlugin from '@kabar/plugin-inbox';
import pushFcmPlugin from '@kabar/plugin-push-fcm';
import type { ChannelProvider, InboxWriter, PluginContext, PluginManifest } from '@kabar/plugin-sdk';
import { PluginConfigError, validatePluginConfig } from '@kabar/plugin-sdk';
import smsSmppPlugin from '@kabar/plugin-sms-smpp';
import webhookHttpPlugin from '@kabar/plugin-webhook-http';

import type { ProviderEvents } from './provider-events.js';

/** The plugins shipped with the hub. Installing others at run time comes with the channel-plugins work. */
const BUILT_IN: readonly PluginManifest<never>[] = [inboxPlugin, consolePlugin, webhookHttpPlugin, emailSmtpPlugin, smsSmppPlugin, pushFcmPlugin, chatWhatsappPlugin];

export interface Route {
  readonly pluginId: string;
  readonly provider: ChannelProvider;
}

/**
 * Which plugin sends each channel. The inbox and console are always there; webhook-http when configured in
 * KABAR_PLUGINS; in the embedded mode every channel without a plugin goes to the console, so `npm start` shows
 * what would be sent. Invalid plugin configuration stops the hub at start (exit 2), never at first send.
 */
export class PluginRegistry {
  private readonly routes = new Map<string, Route>();

  private constructor() {}

  static async create(config: KabarConfig, logger: Logger, inbox: InboxWriter, events?: ProviderEvents): Promise<PluginRegistry> {
    const registry = new PluginRegistry();
    const unknown = Object.keys(config.plugins).filter((id) => !BUILT_IN.some((m) => m.id === id));
    if (unknown.length > 0) {
      throw new ConfigError([{ variable: 'KABAR_PLUGINS', expected: `plugin ids among ${BUILT_IN.map((m) => m.id).join(', ')} (unknown: ${unknown.join(', ')})` }]);
    }
    const start = async (manifest: PluginManifest<never>, raw: unknown): Promise<ChannelProvider> => {
      try {
        const parsed = validatePluginConfig(manifest, raw);
        const context: PluginContext = {
          logger,
          inbox,
          ...(events === undefined
            ? {}
            : { onDeliveryReceipt: (receipt) => events.receipt(manifest.id, receipt), onInbound: (message) => events.inbound(manifest.id, message) }),
        };
        return await Promise.resolve().then(() => manifest.create(parsed, context));
      } catch (error) {
        if (error instanceof PluginConfigError) {
          const problems = error.problems.map((p) => `${p.path === '' ? '/' : p.path} ${p.message}`).join('; ');
          throw new ConfigError([{ variable: 'KABAR_PLUGINS', expected: `a valid configuration for ${manifest.id} (${problems})` }]);
        }
        throw error;
      }
    };
    const byId = (id: string): PluginManifest<never> => {
      const manifest = BUILT_IN.find((m) => m.id === id);
      if (manifest === undefined) throw new Error(`built-in plugin ${id} is missing`);
      return manifest;
    };
    registry.routes.set('inbox', { pluginId: 'inbox', provider: await start(byId('inbox'), config.plugins.inbox ?? {}) });
    const consoleRoute = { pluginId: 'console', provider: await start(byId('console'), config.plugins.console ?? {}) };
    registry.routes.set('console', consoleRoute);
    // Configured channel plugins take their channel; until runtime routes exist (plugin issue), one per channel.
    for (const [pluginId, channel] of [
      ['webhook-http', 'webhook'],
      ['email-smtp', 'email'],
      ['sms-smpp', 'sms'],
      ['push-fcm', 'push'],
      ['chat-whatsapp', 'whatsapp'],
    ] as const) {
      if (config.plugins[pluginId] !== undefined) registry.routes.set(channel, { pluginId, provider: await start(byId(pluginId), config.plugins[pluginId]) });
    }
    if (config.database.kind === 'pglite') {
      for (const channel of ['sms', 'email', 'push', 'whatsapp', 'webhook']) if (!registry.routes.has(channel)) registry.routes.set(channel, consoleRoute);
    }
    return registry;
  }

  route(channel: string): Route | undefined {
    return this.routes.get(channel);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...new Set([...this.routes.values()].map((r) => r.provider))].map((p) => p.close()));
  }
}
