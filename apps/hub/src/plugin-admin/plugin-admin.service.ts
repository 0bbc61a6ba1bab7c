import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { KabarConfig } from '@kabar/config';
import { type AuditAction, type AuditActor, auditConfig, type AuditDetails, describeError, type Logger, SecretBox } from '@kabar/core';
import { AgencyRepository, PluginInstallRepository, type PluginInstallRow, type PluginRouteRow } from '@kabar/persistence';
import { PluginConfigError, secretPaths, validatePluginConfig } from '@kabar/plugin-sdk';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';

import { KABAR_CONFIG, ROOT_LOGGER } from '../config/config.module.js';
import { PluginRuntime } from '../delivery/plugin-runtime.js';
import { PluginAdminError, PluginAdminErrorCode } from './plugin-admin.errors.js';
import { directoryIntegrity, loadPluginPackage, unpackTarball } from './plugin-package.js';

/** A plugin package found on this machine, installed or not. */
export interface DiscoveredPlugin {
  readonly packageName: string;
  readonly version: string;
  readonly directory: string;
  readonly pluginId: string;
  readonly channel: string;
  readonly installed: boolean;
}

/** An install as admins see it: configuration with its secrets masked. */
export interface PluginInstallView {
  readonly install: PluginInstallRow;
  readonly config: Record<string, unknown> | null;
}

const MASK = '********';
const INSTALL_NAME = /^[a-z][a-z0-9-]{1,63}$/;
const MAX_RATE_PER_SECOND = 100_000;
const CHECK_TIMEOUT_MS = 15_000;

/**
 * The admin's plugin lifecycle (ARCHITECTURE §6): discover → install (from a directory or an `npm pack` tarball,
 * integrity recorded) → approve → configure (validated against the plugin's schema, sealed at rest, secrets never
 * shown again) → check (a real handshake) → enable → route. Nothing carries traffic before every step passed.
 */
@Injectable()
export class PluginAdminService {
  private readonly installs: PluginInstallRepository;
  private readonly agencies: AgencyRepository;

  constructor(
    em: EntityManager,
    private readonly box: SecretBox,
    private readonly runtime: PluginRuntime,
    @Inject(KABAR_CONFIG) private readonly config: KabarConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.installs = new PluginInstallRepository(em);
    this.agencies = new AgencyRepository(em);
  }

  /** Plugin packages under `plugins/` and in `node_modules` (shallow), marked `"kabar": { "plugin": true }`. */
  async discover(): Promise<DiscoveredPlugin[]> {
    const installed = new Set((await this.installs.list()).map((i) => i.pluginId));
    const found: DiscoveredPlugin[] = [];
    for (const directory of candidateDirectories(process.cwd())) {
      try {
        const pkg = await loadPluginPackage(directory);
        found.push({ packageName: pkg.packageName, version: pkg.version, directory, pluginId: pkg.manifest.id, channel: pkg.manifest.channel, installed: installed.has(pkg.manifest.id) });
      } catch {
        // Not a plugin, or not built: discovery lists what can be installed as it is.
      }
    }
    return found.sort((a, b) => a.pluginId.localeCompare(b.pluginId)).filter((p, i, all) => all.findIndex((o) => o.pluginId === p.pluginId) === i);
  }

  async list(): Promise<PluginInstallView[]> {
    return Promise.all((await this.installs.list()).map((i) => this.view(i)));
  }

  async install(source: string, expectedIntegrity: string | null, name: string | null, actor: AuditActor): Promise<PluginInstallView> {
    if (name !== null && !INSTALL_NAME.test(name)) {
      throw new PluginAdminError(PluginAdminErrorCode.InvalidName, `install names are 2–64 lower-case letters, digits and dashes, starting with a letter (got ${JSON.stringify(name)})`);
    }
    const path = resolve(source);
    if (!existsSync(path)) throw new PluginAdminError(PluginAdminErrorCode.InvalidPackage, `${path} does not exist on the hub's machine`);
    const tarball = statSync(path).isFile();
    let directory = path;
    let integrity: string;
    if (tarball) {
      ({ directory, integrity } = unpackTarball(readFileSync(path), join(resolve(this.config.dataDir), 'plugins'), expectedIntegrity));
    } else {
      integrity = directoryIntegrity(path);
      if (expectedIntegrity !== null && expectedIntegrity !== integrity) {
        throw new PluginAdminError(PluginAdminErrorCode.IntegrityMismatch, `the directory's integrity is ${integrity}, not the expected ${expectedIntegrity}`);
      }
    }
    const pkg = await loadPluginPackage(directory);
    const created = await this.installs.create({
      name: name ?? pkg.manifest.id,
      pluginId: pkg.manifest.id,
      packageName: pkg.packageName,
      version: pkg.version,
      channel: pkg.manifest.channel,
      source: tarball ? 'tarball' : 'path',
      location: directory,
      integrity,
      contentIntegrity: directoryIntegrity(directory),
    }, (row) =>
      row === null
        ? null
        : { action: 'plugin.installed', actor, agencyId: null, target: { kind: 'plugin_install', id: row.name }, details: { pluginId: row.pluginId, packageName: row.packageName, version: row.version, channel: row.channel, source: row.source, integrity } },
    );
    if (created === null) {
      throw new PluginAdminError(PluginAdminErrorCode.AlreadyInstalled, `an install named ${name ?? pkg.manifest.id} exists already: uninstall it first, or give this one another name`);
    }
    this.logger.info({ install: created.name, pluginId: created.pluginId, version: created.version, integrity }, 'plugin installed; waiting for approval');
    return this.view(created);
  }

  async approve(id: string, actor: AuditActor): Promise<PluginInstallView> {
    const install = await this.found(id);
    return this.view(await this.updated(id, { approvedAt: new Date(), approvedBy: actor.id }, actor, 'plugin.approved', { integrity: install.integrity }));
  }

  /** Validates and seals the configuration; a changed configuration needs a new passing check before traffic. */
  async configure(id: string, raw: unknown, actor: AuditActor): Promise<PluginInstallView> {
    const install = await this.found(id);
    if (install.approvedAt === null) throw new PluginAdminError(PluginAdminErrorCode.WrongState, `approve ${install.name} before configuring it`);
    const { manifest } = await loadPluginPackage(install.location);
    // A secret sent back as its mask (an admin editing the configuration the hub showed) keeps the stored value.
    if (install.configSealed !== null && typeof raw === 'object' && raw !== null) {
      const stored = JSON.parse(this.box.decrypt(install.configSealed)) as unknown;
      raw = structuredClone(raw);
      for (const pointer of secretPaths(manifest)) {
        const keys = pointerKeys(pointer);
        if (valueAt(raw, keys) === MASK) setAt(raw, keys, valueAt(stored, keys));
      }
    }
    let config: unknown;
    try {
      config = validatePluginConfig(manifest, raw);
    } catch (error) {
      if (error instanceof PluginConfigError) {
        throw new PluginAdminError(PluginAdminErrorCode.InvalidConfig, `the configuration does not fit ${install.pluginId}'s schema`, { problems: error.problems });
      }
      throw error;
    }
    const details = typeof config === 'object' && config !== null ? auditConfig(config as Record<string, unknown>, secretPaths(manifest)) : {};
    const updated = await this.updated(id, { configSealed: this.box.encrypt(JSON.stringify(config)), checkOk: null, checkDetail: null, checkedAt: null }, actor, 'plugin.configured', details);
    await this.runtime.reload();
    return this.view(updated);
  }

  /** Creates the provider, runs its check() (bounded), records the result, closes it. */
  async check(id: string, actor: AuditActor): Promise<PluginInstallView> {
    const install = await this.found(id);
    if (install.approvedAt === null || install.configSealed === null) throw new PluginAdminError(PluginAdminErrorCode.WrongState, `approve and configure ${install.name} before checking it`);
    let ok = false;
    let detail: string;
    try {
      const provider = await this.runtime.create(install);
      try {
        const result = await Promise.race([
          provider.check(),
          new Promise<{ ok: false; detail: string }>((done) => setTimeout(() => done({ ok: false, detail: `no answer within ${String(CHECK_TIMEOUT_MS)} ms` }), CHECK_TIMEOUT_MS).unref()),
        ]);
        ({ ok, detail } = result);
      } finally {
        await provider.close();
      }
    } catch (error) {
      detail = `could not start: ${describeError(error)}`;
    }
    const updated = await this.updated(id, { checkOk: ok, checkDetail: detail.slice(0, 2000), checkedAt: new Date() }, actor, 'plugin.checked', { ok });
    await this.runtime.reload();
    return this.view(updated);
  }

  /** Null lifts the cap. Takes effect on every worker at its next reload. */
  async setRateLimit(id: string, perSecond: number | null, actor: AuditActor): Promise<PluginInstallView> {
    if (perSecond !== null && (!Number.isInteger(perSecond) || perSecond < 1 || perSecond > MAX_RATE_PER_SECOND)) {
      throw new PluginAdminError(PluginAdminErrorCode.InvalidRateLimit, `a rate limit is a whole number of messages per second from 1 to ${String(MAX_RATE_PER_SECOND)}, or null for none`);
    }
    const updated = await this.updated(id, { ratePerSecond: perSecond }, actor, 'plugin.rate_limit_set', { perSecond });
    await this.runtime.reload();
    return this.view(updated);
  }

  async enable(id: string, actor: AuditActor): Promise<PluginInstallView> {
    const install = await this.found(id);
    if (install.approvedAt === null || install.configSealed === null || install.checkOk !== true) {
      throw new PluginAdminError(PluginAdminErrorCode.WrongState, `${install.name} needs approval, a configuration and a passing check before it can be enabled`);
    }
    const updated = await this.updated(id, { enabled: true }, actor, 'plugin.enabled');
    await this.runtime.reload();
    return this.view(updated);
  }

  async disable(id: string, actor: AuditActor): Promise<PluginInstallView> {
    await this.found(id);
    const updated = await this.updated(id, { enabled: false }, actor, 'plugin.disabled');
    await this.runtime.reload();
    return this.view(updated);
  }

  async uninstall(id: string, actor: AuditActor): Promise<boolean> {
    const install = await this.found(id);
    await this.installs.delete(install.id, (deleted) =>
      deleted ? { action: 'plugin.uninstalled', actor, agencyId: null, target: { kind: 'plugin_install', id: install.name }, details: { pluginId: install.pluginId, version: install.version } } : null,
    );
    await this.runtime.reload();
    // Only what the hub unpacked itself is removed; a directory install belongs to whoever put it there. Unpacked
    // directories are content-addressed, so another install of the same tarball may still load from this one.
    const shared = (await this.installs.list()).some((other) => other.location === install.location);
    if (install.source === 'tarball' && !shared) rmSync(install.location, { recursive: true, force: true });
    return true;
  }

  routes(): Promise<PluginRouteRow[]> {
    return this.installs.routes();
  }

  /** Replaces a channel's routes (for one agency, or platform-wide) with the given installs, in priority order. */
  async setRoutes(channel: string, agencyCode: string | null, routes: readonly { installId: string; priority: number; weight: number }[], actor: AuditActor): Promise<PluginRouteRow[]> {
    const problems: string[] = [];
    const installs = new Map((await this.installs.list()).map((i) => [i.id, i]));
    for (const route of routes) {
      const install = installs.get(route.installId);
      if (install === undefined) problems.push(`no install ${route.installId}`);
      else if (install.channel !== channel) problems.push(`${install.name} serves ${install.channel}, not ${channel}`);
      if (!Number.isInteger(route.priority) || route.priority < 0 || route.priority > 100) problems.push('priority must be 0–100');
      if (!Number.isInteger(route.weight) || route.weight < 0 || route.weight > 10_000) problems.push('weight must be 0–10000');
    }
    if (new Set(routes.map((r) => r.installId)).size !== routes.length) problems.push('an install may appear once per route list');
    let agencyId: string | null = null;
    if (agencyCode !== null) {
      agencyId = (await this.agencies.findByCode(agencyCode))?.id ?? null;
      if (agencyId === null) problems.push(`no agency ${agencyCode}`);
    }
    if (problems.length > 0) throw new PluginAdminError(PluginAdminErrorCode.InvalidRoute, problems.join('; '), { problems });
    await this.installs.setRoutes(channel, agencyId, routes, () => ({
      action: 'plugin.route_set',
      actor,
      agencyId,
      target: { kind: 'route', id: `${channel}:${agencyCode ?? '*'}` },
      details: { installs: routes.map((r) => `${installs.get(r.installId)?.name ?? r.installId} priority ${String(r.priority)} weight ${String(r.weight)}`) },
    }));
    await this.runtime.reload();
    return (await this.installs.routes()).filter((r) => r.channel === channel && r.agencyId === agencyId);
  }

  private async found(id: string): Promise<PluginInstallRow> {
    const byId = /^[0-9a-f-]{36}$/.test(id) ? await this.installs.find(id) : null;
    const install = byId ?? (await this.installs.list()).find((i) => i.name === id) ?? null;
    if (install === null) throw new PluginAdminError(PluginAdminErrorCode.NotFound, `no installed plugin ${id}`);
    return install;
  }

  private async updated(id: string, patch: Parameters<PluginInstallRepository['update']>[1], actor: AuditActor, action: AuditAction, details: AuditDetails = {}): Promise<PluginInstallRow> {
    const install = await this.found(id);
    const updated = await this.installs.update(install.id, patch, (row) => (row === null ? null : { action, actor, agencyId: null, target: { kind: 'plugin_install', id: row.name }, details }));
    if (updated === null) throw new PluginAdminError(PluginAdminErrorCode.NotFound, `no installed plugin ${id}`);
    return updated;
  }

  /** The configuration with every secret property masked; secrets are never returned. */
  private async view(install: PluginInstallRow): Promise<PluginInstallView> {
    if (install.configSealed === null) return { install, config: null };
    const config = JSON.parse(this.box.decrypt(install.configSealed)) as Record<string, unknown>;
    try {
      const { manifest } = await loadPluginPackage(install.location);
      for (const pointer of secretPaths(manifest)) mask(config, pointer);
    } catch {
      return { install, config: null }; // cannot tell which values are secret: show none
    }
    return { install, config };
  }
}

/** The keys of a JSON Pointer (RFC 6901), unescaped. */
function pointerKeys(pointer: string): string[] {
  return pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let node = root;
  for (const key of keys) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Sets an existing property only: a path the configuration does not have stays absent. */
function setAt(root: unknown, keys: readonly string[], value: unknown): void {
  const parent = valueAt(root, keys.slice(0, -1));
  const last = keys.at(-1);
  if (last !== undefined && typeof parent === 'object' && parent !== null && last in parent) (parent as Record<string, unknown>)[last] = value;
}

function mask(config: Record<string, unknown>, pointer: string): void {
  setAt(config, pointerKeys(pointer), MASK);
}

/** `plugins/*` under the working directory and packages in `node_modules` (scoped ones included). */
function candidateDirectories(root: string): string[] {
  const dirs: string[] = [];
  const children = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() || d.isSymbolicLink()).map((d) => join(dir, d.name)) : []);
  dirs.push(...children(join(root, 'plugins')));
  for (const entry of children(join(root, 'node_modules'))) {
    if (entry.split('/').at(-1)?.startsWith('@') === true) dirs.push(...children(entry));
    else dirs.push(entry);
  }
  return dirs.filter((d) => existsSync(join(d, 'package.json')) && (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { kabar?: { plugin?: unknown } }).kabar?.plugin === true);
}
