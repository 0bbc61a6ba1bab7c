import type { KabarConfig } from '@kabar/config';
import { describeError, type Logger, PollingLoop, SecretBox } from '@kabar/core';
import { PluginInstallRepository, type PluginInstallRow } from '@kabar/persistence';
import { type ChannelProvider, validatePluginConfig } from '@kabar/plugin-sdk';
import { EntityManager } from '@mikro-orm/core';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { directoryIntegrity, loadPluginPackage } from '../plugin-admin/plugin-package.js';
import { PLUGIN_REGISTRY } from './delivery.tokens.js';
import type { InstalledRoutes, PluginRegistry, Route } from './plugin-registry.js';

/** How often an instance looks for installs and routes changed by another instance. */
const RELOAD_EVERY_MS = 10_000;

/** An install that may carry traffic: approved, configured, enabled and its last check passed. */
export const isRoutable = (i: PluginInstallRow): boolean => i.approvedAt !== null && i.configSealed !== null && i.enabled && i.checkOk === true;

/**
 * Keeps the registry's run-time installs and routes in step with the database on every hub instance: loads the
 * routable installs (refusing any whose files changed since they were installed), creates their providers with the
 * hub's context, and swaps them into the registry as a whole. A plugin that fails to load is logged and left out;
 * the others keep working.
 */
@Injectable()
export class PluginRuntime implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly installs: PluginInstallRepository;
  private readonly loop: PollingLoop;
  private loaded = new Map<string, { key: string; route: Route & { channel: string } }>();
  private version = '';

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    @Inject(PLUGIN_REGISTRY) private readonly registry: PluginRegistry,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.installs = new PluginInstallRepository(em);
    this.loop = new PollingLoop(
      async () => {
        const version = await this.installs.version();
        if (version !== this.version) await this.reload();
        return 0;
      },
      { batchSize: 1, pollIntervalMs: RELOAD_EVERY_MS, onError: (error, failures) => logger.warn({ error: describeError(error), failures }, 'plugin reload failed; will retry') },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    if (this.config.role !== 'api') this.loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Re-reads installs and routes and swaps them in; providers no longer routed are closed. */
  async reload(): Promise<void> {
    this.version = await this.installs.version();
    const next = new Map<string, { key: string; route: Route & { channel: string } }>();
    for (const install of (await this.installs.list()).filter(isRoutable)) {
      // Same files, same configuration: keep the provider (and its connections).
      const key = `${install.name} ${install.integrity} ${install.configSealed ?? ''} ${install.updatedAt.getTime()}`;
      const current = this.loaded.get(install.id);
      if (current?.key === key) {
        next.set(install.id, current);
        continue;
      }
      const provider = await this.providerFor(install);
      if (provider !== null) {
        next.set(install.id, { key, route: { pluginId: install.name, provider, channel: install.channel, ...(install.ratePerSecond === null ? {} : { ratePerSecond: install.ratePerSecond }) } });
      }
    }
    const routes = (await this.installs.routes()).map((r) => ({ channel: r.channel, agencyId: r.agencyId, installId: r.installId, priority: r.priority, weight: r.weight }));
    const installed: InstalledRoutes = { installs: new Map([...next].map(([id, v]) => [id, v.route])), routes };
    const gone = this.registry.replaceInstalled(installed);
    this.loaded = next;
    await Promise.allSettled(gone.map((p) => p.close()));
  }

  /** Creates a provider for an install, or null (logged) when its files changed or it no longer loads. */
  async providerFor(install: PluginInstallRow): Promise<ChannelProvider | null> {
    try {
      const provider = await this.create(install);
      return provider;
    } catch (error) {
      this.logger.error({ install: install.name, pluginId: install.pluginId, error: describeError(error) }, 'installed plugin not loaded; it gets no traffic');
      return null;
    }
  }

  /** Loads the install's package (checking its files against the recorded hash) and creates its provider. */
  async create(install: Pick<PluginInstallRow, 'name' | 'pluginId' | 'location' | 'contentIntegrity' | 'configSealed'>): Promise<ChannelProvider> {
    if (directoryIntegrity(install.location) !== install.contentIntegrity) {
      throw new Error(`the files of ${install.pluginId} changed since it was installed; install it again and have it approved`);
    }
    const { manifest } = await loadPluginPackage(install.location);
    if (install.configSealed === null) throw new Error(`${install.pluginId} is not configured`);
    const config = validatePluginConfig(manifest, JSON.parse(this.box.decrypt(install.configSealed)) as unknown);
    // Receipts name the install, as its delivery attempts do: two installs of one plugin keep their receipts apart.
    return Promise.resolve(manifest.create(config, this.registry.contextFor(install.name)));
  }
}
