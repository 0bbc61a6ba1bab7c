import type { KabarConfig } from '@kabar/config';
import { ConfigError } from '@kabar/config';
import { type Logger, orderRoutes, SILENT_LOGGER } from '@kabar/core';
import chatWhatsappPlugin from '@kabar/plugin-chat-whatsapp';
import consolePlugin from '@kabar/plugin-console';
import emailSmtpPlugin from '@kabar/plugin-email-smtp';
import inboxPlugin from '@kabar/plugin-inbox';
import pushFcmPlugin from '@kabar/plugin-push-fcm';
import type { ChannelProvider, InboxWriter, PluginContext, PluginManifest, ProviderInbound, ProviderReceipt } from '@kabar/plugin-sdk';
import { grpcPluginManifest } from '@kabar/plugin-sdk';
import { PluginConfigError, validatePluginConfig } from '@kabar/plugin-sdk';
import smsSmppPlugin from '@kabar/plugin-sms-smpp';
import webhookHttpPlugin from '@kabar/plugin-webhook-http';

import type { ProviderEvents } from './provider-events.js';

/** The plugins shipped with the hub. Installing others at run time comes with the channel-plugins work. */
const BUILT_IN: readonly PluginManifest<never>[] = [inboxPlugin, consolePlugin, webhookHttpPlugin, emailSmtpPlugin, smsSmppPlugin, pushFcmPlugin, chatWhatsappPlugin, grpcPluginManifest];

export interface Route {
  /** The install's name (the plugin id for plugins configured at start): breakers, limits and attempts go by it. */
  readonly pluginId: string;
  readonly provider: ChannelProvider;
  /** The provider's cap in messages per second, when the admin set one. */
  readonly ratePerSecond?: number;
}

/** A provider an admin installed at run time, and the routes that send a channel (per agency or for all) to it. */
export interface InstalledRoutes {
  readonly installs: ReadonlyMap<string, Route & { readonly channel: string }>;
  readonly routes: readonly { readonly channel: string; readonly agencyId: string | null; readonly installId: string; readonly priority: number; readonly weight: number }[];
}

/**
 * Which plugin sends each channel. The inbox and console are always there; webhook-http when configured in
 * KABAR_PLUGINS; in the embedded mode every channel without a plugin goes to the console, so `npm start` shows
 * what would be sent. Invalid plugin configuration stops the hub at start (exit 2), never at first send.
 */
export class PluginRegistry {
  private readonly routes = new Map<string, Route>();
  private installed: InstalledRoutes = { installs: new Map(), routes: [] };
  private contextFactory: (pluginId: string) => PluginContext = () => ({ logger: SILENT_LOGGER });

  private constructor() {}

  /** The context the hub lends a plugin it creates (logger, inbox, receipt and inbound hooks). */
  contextFor(pluginId: string): PluginContext {
    return this.contextFactory(pluginId);
  }

  /** Swaps in the admins' installs and routes (PluginRuntime reloads them); returns the providers no longer used. */
  replaceInstalled(next: InstalledRoutes): ChannelProvider[] {
    const kept = new Set([...next.installs.values()].map((r) => r.provider));
    const gone = [...this.installed.installs.values()].map((r) => r.provider).filter((p) => !kept.has(p));
    this.installed = next;
    return gone;
  }

  /**
   * The routes to try for a channel, in order: the agency's own routes (e.g. its SMS sender-ID contract), then the
   * platform's, each by priority and weight, then the plugin configured at start. Dispatch fails over down this list.
   */
  candidates(channel: string, agencyId: string | null, random: () => number = Math.random): Route[] {
    const ranked = (forAgency: string | null): Route[] =>
      orderRoutes(
        this.installed.routes
          .filter((r) => r.channel === channel && r.agencyId === forAgency)
          .flatMap((r) => {
            const install = this.installed.installs.get(r.installId);
            return install === undefined ? [] : [{ value: install, priority: r.priority, weight: r.weight }];
          }),
        random,
      );
    const fixed = this.routes.get(channel);
    const all = [...(agencyId === null ? [] : ranked(agencyId)), ...ranked(null), ...(fixed === undefined ? [] : [fixed])];
    return all.filter((route, i) => all.findIndex((other) => other.provider === route.provider) === i);
  }

  static async create(config: KabarConfig, logger: Logger, inbox: InboxWriter, events?: ProviderEvents): Promise<PluginRegistry> {
    const registry = new PluginRegistry();
    registry.contextFactory = (pluginId) => ({
      logger,
      inbox,
      ...(events === undefined
        ? {}
        : {
            onDeliveryReceipt: (receipt: ProviderReceipt) => events.receipt(pluginId, receipt),
            onInbound: (message: ProviderInbound) => events.inbound(pluginId, message),
          }),
    });
    const unknown = Object.keys(config.plugins).filter((id) => !BUILT_IN.some((m) => m.id === id));
    if (unknown.length > 0) {
      throw new ConfigError([{ variable: 'KABAR_PLUGINS', expected: `plugin ids among ${BUILT_IN.map((m) => m.id).join(', ')} (unknown: ${unknown.join(', ')})` }]);
    }
    const start = async (manifest: PluginManifest<never>, raw: unknown): Promise<ChannelProvider> => {
      try {
        const parsed = validatePluginConfig(manifest, raw);
        return await Promise.resolve().then(() => manifest.create(parsed, registry.contextFor(manifest.id)));
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
    // A plugin running in its own process (any language) behind proto/kabar/v1/plugin.proto, for the channel it names.
    const remote = config.plugins.grpc;
    if (remote !== undefined) {
      const channel = typeof remote === 'object' && remote !== null && 'channel' in remote ? String(remote.channel) : '';
      registry.routes.set(channel, { pluginId: 'grpc', provider: await start(byId('grpc'), remote) });
    }
    if (config.database.kind === 'pglite') {
      for (const channel of ['sms', 'email', 'push', 'whatsapp', 'webhook']) if (!registry.routes.has(channel)) registry.routes.set(channel, consoleRoute);
    }
    return registry;
  }

  /** The first route of a channel for platform-wide messages (one-time codes, channel choice). */
  route(channel: string): Route | undefined {
    return this.candidates(channel, null)[0];
  }

  /**
   * The route a name picks, for URLs such as provider webhooks: an admin's routable install by its id or its name
   * (as the admin API takes them), else a plugin configured at start by its id.
   */
  lookup(name: string): Route | undefined {
    const installs = this.installed.installs;
    const install = installs.get(name) ?? [...installs.values()].find((i) => i.pluginId === name);
    return install ?? [...this.routes.values()].find((r) => r.pluginId === name);
  }

  async close(): Promise<void> {
    const providers = [...this.routes.values(), ...this.installed.installs.values()].map((r) => r.provider);
    await Promise.allSettled([...new Set(providers)].map((p) => p.close()));
  }
}
