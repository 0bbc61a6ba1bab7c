import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { AgencySchema } from './agency.entity.js';

/**
 * A channel plugin an admin installed at run time (from a directory or an `npm pack` tarball), with the integrity
 * hash of what was reviewed, the approval, the configuration (sealed whole: it holds secrets) and the last check.
 * Only an approved, configured, enabled install whose last check passed is ever routed to.
 */
export const PluginInstallSchema = defineEntity({
  name: 'PluginInstall',
  tableName: 'plugin_install',
  properties: {
    id: p.uuid().primary(),
    /**
     * What admins and routes call this install, unique: the plugin id by default, another name when one plugin is
     * installed twice (e.g. `sms-telkomsel` and `sms-bapenda-contract`, both sms-smpp with their own accounts).
     */
    name: p.string().length(64).unique(),
    /** The manifest's id, e.g. sms-smpp. */
    pluginId: p.string().length(64),
    packageName: p.string().length(214),
    version: p.string().length(64),
    channel: p.string().length(16),
    /** `path` or `tarball`. */
    source: p.string().length(16),
    /** The package directory the hub loads it from. */
    location: p.text(),
    /** sha512 of the tarball (npm's integrity form) or of the directory's files: what the admin reviewed. */
    integrity: p.string().length(100),
    /** sha512 of the installed directory's files, checked every time the hub loads the plugin. */
    contentIntegrity: p.string().length(100),
    approvedAt: p.datetime().nullable(),
    approvedBy: p.string().length(64).nullable(),
    configSealed: p.text().nullable(),
    enabled: p.boolean().default(false),
    checkOk: p.boolean().nullable(),
    checkDetail: p.text().nullable(),
    checkedAt: p.datetime().nullable(),
    /** The provider's cap in messages per second (per hub worker); null sends as fast as dispatch goes. */
    ratePerSecond: p.integer().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type PluginInstall = InferEntity<typeof PluginInstallSchema>;

/** Which installs serve a channel, in priority order (lower first), weighted within a priority; per agency if set. */
export const PluginRouteSchema = defineEntity({
  name: 'PluginRoute',
  tableName: 'plugin_route',
  properties: {
    id: p.uuid().primary(),
    channel: p.string().length(16).index(),
    agency: () => p.manyToOne(AgencySchema).nullable().deleteRule('cascade'),
    install: () => p.manyToOne(PluginInstallSchema).deleteRule('cascade'),
    priority: p.integer(),
    weight: p.integer(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type PluginRoute = InferEntity<typeof PluginRouteSchema>;
