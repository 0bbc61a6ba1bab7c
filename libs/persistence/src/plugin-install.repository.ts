import { randomUUID } from 'node:crypto';

import type { EntityManager } from '@mikro-orm/core';

import { type Audited,audited } from './audit.repository.js';
import { query } from './query.js';

export interface PluginInstallRow {
  readonly id: string;
  /** Unique; what routes, breakers, rate limits and delivery attempts call this install. */
  readonly name: string;
  readonly pluginId: string;
  readonly packageName: string;
  readonly version: string;
  readonly channel: string;
  readonly source: string;
  readonly location: string;
  readonly integrity: string;
  readonly contentIntegrity: string;
  readonly approvedAt: Date | null;
  readonly approvedBy: string | null;
  readonly configSealed: string | null;
  readonly enabled: boolean;
  readonly checkOk: boolean | null;
  readonly checkDetail: string | null;
  readonly checkedAt: Date | null;
  /** Messages per second this install may send (per hub worker); null = no limit. */
  readonly ratePerSecond: number | null;
  readonly updatedAt: Date;
}

export interface PluginRouteRow {
  readonly id: string;
  readonly channel: string;
  readonly agencyId: string | null;
  readonly agencyCode: string | null;
  readonly installId: string;
  readonly installName: string;
  readonly pluginId: string;
  readonly priority: number;
  readonly weight: number;
}

export type NewPluginInstall = Pick<PluginInstallRow, 'name' | 'pluginId' | 'packageName' | 'version' | 'channel' | 'source' | 'location' | 'integrity' | 'contentIntegrity'>;

export type PluginInstallPatch = Partial<Pick<PluginInstallRow, 'approvedAt' | 'approvedBy' | 'configSealed' | 'enabled' | 'checkOk' | 'checkDetail' | 'checkedAt' | 'ratePerSecond'>>;

interface InstallDbRow {
  id: string;
  name: string;
  plugin_id: string;
  package_name: string;
  version: string;
  channel: string;
  source: string;
  location: string;
  integrity: string;
  content_integrity: string;
  approved_at: Date | string | null;
  approved_by: string | null;
  config_sealed: string | null;
  enabled: boolean;
  check_ok: boolean | null;
  check_detail: string | null;
  checked_at: Date | string | null;
  rate_per_second: number | null;
  updated_at: Date | string;
}

const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));
const toInstall = (r: InstallDbRow): PluginInstallRow => ({
  id: r.id,
  name: r.name,
  pluginId: r.plugin_id,
  packageName: r.package_name,
  version: r.version,
  channel: r.channel,
  source: r.source,
  location: r.location,
  integrity: r.integrity,
  contentIntegrity: r.content_integrity,
  approvedAt: date(r.approved_at),
  approvedBy: r.approved_by,
  configSealed: r.config_sealed,
  enabled: r.enabled,
  checkOk: r.check_ok,
  checkDetail: r.check_detail,
  checkedAt: date(r.checked_at),
  ratePerSecond: r.rate_per_second,
  updatedAt: new Date(r.updated_at),
});

const INSTALL_COLUMNS =
  '"id", "name", "plugin_id", "package_name", "version", "channel", "source", "location", "integrity", "content_integrity", "approved_at", "approved_by", "config_sealed", "enabled", "check_ok", "check_detail", "checked_at", "rate_per_second", "updated_at"';

const COLUMN_OF: Readonly<Record<keyof PluginInstallPatch, string>> = {
  approvedAt: 'approved_at',
  approvedBy: 'approved_by',
  configSealed: 'config_sealed',
  enabled: 'enabled',
  checkOk: 'check_ok',
  checkDetail: 'check_detail',
  checkedAt: 'checked_at',
  ratePerSecond: 'rate_per_second',
};

/** Plugin installs and channel routes, as admins manage them. */
export class PluginInstallRepository {
  constructor(private readonly em: EntityManager) {}

  /** Null when an install with that name exists already. */
  async create(install: NewPluginInstall, audit: Audited<PluginInstallRow | null>): Promise<PluginInstallRow | null> {
    return audited(this.em, audit, async (tx) => {
      const [row] = await query<InstallDbRow>(
        tx,
        `insert into "plugin_install" ("id", "name", "plugin_id", "package_name", "version", "channel", "source", "location", "integrity", "content_integrity", "enabled", "created_at", "updated_at")
         values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, false, now(), now()) on conflict ("name") do nothing returning ${INSTALL_COLUMNS}`,
        [randomUUID(), install.name, install.pluginId, install.packageName, install.version, install.channel, install.source, install.location, install.integrity, install.contentIntegrity],
      );
      return row === undefined ? null : toInstall(row);
    });
  }

  async list(): Promise<PluginInstallRow[]> {
    return (await query<InstallDbRow>(this.em.fork(), `select ${INSTALL_COLUMNS} from "plugin_install" order by "channel", "name"`)).map(toInstall);
  }

  async find(id: string): Promise<PluginInstallRow | null> {
    const [row] = await query<InstallDbRow>(this.em.fork(), `select ${INSTALL_COLUMNS} from "plugin_install" where "id" = ?`, [id]);
    return row === undefined ? null : toInstall(row);
  }

  async update(id: string, patch: PluginInstallPatch, audit: Audited<PluginInstallRow | null>): Promise<PluginInstallRow | null> {
    const entries = Object.entries(patch) as [keyof PluginInstallPatch, unknown][];
    const sets = entries.map(([key]) => `"${COLUMN_OF[key]}" = ?`);
    return audited(this.em, audit, async (tx) => {
      const [row] = await query<InstallDbRow>(
        tx,
        `update "plugin_install" set ${[...sets, '"updated_at" = now()'].join(', ')} where "id" = ? returning ${INSTALL_COLUMNS}`,
        [...entries.map(([, value]) => value), id],
      );
      return row === undefined ? null : toInstall(row);
    });
  }

  async delete(id: string, audit: Audited<boolean>): Promise<boolean> {
    return audited(this.em, audit, async (tx) => (await query(tx, 'delete from "plugin_install" where "id" = ? returning "id"', [id])).length > 0);
  }

  /** The newest change to installs or routes, so every hub instance can tell when to reload. */
  async version(): Promise<string> {
    const [row] = await query<{ v: string | null }>(
      this.em.fork(),
      `select greatest((select max("updated_at") from "plugin_install"), (select max("created_at") from "plugin_route"))::text || ':' ||
              (select count(*) from "plugin_install")::text || ':' || (select count(*) from "plugin_route")::text as "v"`,
    );
    return row?.v ?? '';
  }

  async routes(): Promise<PluginRouteRow[]> {
    const rows = await query<{ id: string; channel: string; agency_id: string | null; code: string | null; install_id: string; name: string; plugin_id: string; priority: number; weight: number }>(
      this.em.fork(),
      `select r."id", r."channel", r."agency_id", a."code", r."install_id", i."name", i."plugin_id", r."priority", r."weight"
       from "plugin_route" r join "plugin_install" i on i."id" = r."install_id" left join "agency" a on a."id" = r."agency_id"
       order by r."channel", r."agency_id" nulls last, r."priority", i."name"`,
    );
    return rows.map((r) => ({ id: r.id, channel: r.channel, agencyId: r.agency_id, agencyCode: r.code, installId: r.install_id, installName: r.name, pluginId: r.plugin_id, priority: r.priority, weight: r.weight }));
  }

  /** Replaces the routes of a channel (for one agency, or the platform-wide ones when `agencyId` is null). */
  async setRoutes(channel: string, agencyId: string | null, routes: readonly { installId: string; priority: number; weight: number }[], audit: Audited<void>): Promise<void> {
    await audited(this.em, audit, async (tx) => {
      await query(tx, 'delete from "plugin_route" where "channel" = ? and "agency_id" is not distinct from ?::uuid', [channel, agencyId]);
      for (const r of routes) {
        await query(tx, 'insert into "plugin_route" ("id", "channel", "agency_id", "install_id", "priority", "weight", "created_at") values (?, ?, ?, ?, ?, ?, clock_timestamp())', [
          randomUUID(),
          channel,
          agencyId,
          r.installId,
          r.priority,
          r.weight,
        ]);
      }
    });
  }
}
