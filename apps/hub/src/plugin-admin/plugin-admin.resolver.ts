import type { AuditActor, CircuitState } from '@kabar/core';
import type { PluginRouteRow } from '@kabar/persistence';
import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';

import { CurrentActor, RequireScope } from '../auth/index.js';
import { DispatchService } from '../delivery/dispatch.service.js';
import { GraphQLJSON } from '../graphql/json.scalar.js';
import { CircuitStateModel, DiscoveredPluginModel, PluginInstallModel, PluginRouteInput, PluginRouteModel } from './plugin-admin.model.js';
import { type DiscoveredPlugin, PluginAdminService, type PluginInstallView } from './plugin-admin.service.js';

const toModel = ({ install, config }: PluginInstallView, circuit: CircuitState): PluginInstallModel => ({
  id: install.id,
  name: install.name,
  pluginId: install.pluginId,
  packageName: install.packageName,
  version: install.version,
  channel: install.channel,
  source: install.source,
  integrity: install.integrity,
  approved: install.approvedAt !== null,
  approvedAt: install.approvedAt,
  configured: install.configSealed !== null,
  config,
  enabled: install.enabled,
  check: install.checkOk === null || install.checkedAt === null ? null : { ok: install.checkOk, detail: install.checkDetail ?? '', at: install.checkedAt },
  ratePerSecond: install.ratePerSecond,
  circuit: CIRCUIT_STATES[circuit],
});

const CIRCUIT_STATES: Readonly<Record<CircuitState, CircuitStateModel>> = { closed: CircuitStateModel.closed, open: CircuitStateModel.open, 'half-open': CircuitStateModel.halfOpen };

const toRoute = (r: PluginRouteRow): PluginRouteModel => ({ ...r });
const toDiscovered = (d: DiscoveredPlugin): DiscoveredPluginModel => ({ ...d });

/** Admins install, configure, check, enable and route channel plugins at run time. */
@Resolver(() => PluginInstallModel)
@RequireScope('admin')
export class PluginAdminResolver {
  constructor(
    private readonly admin: PluginAdminService,
    private readonly dispatch: DispatchService,
  ) {}

  private model(view: PluginInstallView): PluginInstallModel {
    return toModel(view, this.dispatch.circuitOf(view.install.name));
  }

  @Query(() => [DiscoveredPluginModel], { description: 'Plugin packages found on the hub machine (plugins/ and node_modules).' })
  async discoverPlugins(): Promise<DiscoveredPluginModel[]> {
    return (await this.admin.discover()).map(toDiscovered);
  }

  @Query(() => [PluginInstallModel])
  async pluginInstalls(): Promise<PluginInstallModel[]> {
    return (await this.admin.list()).map((v) => this.model(v));
  }

  @Query(() => [PluginRouteModel])
  async pluginRoutes(): Promise<PluginRouteModel[]> {
    return (await this.admin.routes()).map(toRoute);
  }

  @Mutation(() => PluginInstallModel, {
    description: "Installs from a directory or an `npm pack` tarball on the hub's machine; `integrity` (sha512-…) must match when given. `name` defaults to the plugin id; give another to install the same plugin twice.",
  })
  async installPlugin(
    @CurrentActor() actor: AuditActor,
    @Args('source') source: string,
    @Args('integrity', { type: () => String, nullable: true }) integrity: string | null,
    @Args('name', { type: () => String, nullable: true }) name: string | null,
  ): Promise<PluginInstallModel> {
    return this.model(await this.admin.install(source, integrity ?? null, name ?? null, actor));
  }

  @Mutation(() => PluginInstallModel, { description: "Caps the install's sends per second (per hub worker), as its provider's contract allows; null lifts the cap." })
  async setPluginRateLimit(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string, @Args('perSecond', { type: () => Int, nullable: true }) perSecond: number | null): Promise<PluginInstallModel> {
    return this.model(await this.admin.setRateLimit(id, perSecond ?? null, actor));
  }

  @Mutation(() => PluginInstallModel)
  async approvePlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<PluginInstallModel> {
    return this.model(await this.admin.approve(id, actor));
  }

  @Mutation(() => PluginInstallModel, { description: "Validated against the plugin's schema; stored sealed; secrets are never returned." })
  async configurePlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string, @Args('config', { type: () => GraphQLJSON }) config: unknown): Promise<PluginInstallModel> {
    return this.model(await this.admin.configure(id, config, actor));
  }

  @Mutation(() => PluginInstallModel, { description: "Runs the provider's check() against its peer and records the result." })
  async checkPlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<PluginInstallModel> {
    return this.model(await this.admin.check(id, actor));
  }

  @Mutation(() => PluginInstallModel)
  async enablePlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<PluginInstallModel> {
    return this.model(await this.admin.enable(id, actor));
  }

  @Mutation(() => PluginInstallModel)
  async disablePlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<PluginInstallModel> {
    return this.model(await this.admin.disable(id, actor));
  }

  @Mutation(() => Boolean)
  uninstallPlugin(@CurrentActor() actor: AuditActor, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.admin.uninstall(id, actor);
  }

  @Mutation(() => [PluginRouteModel], { description: "Replaces a channel's routes, platform-wide or for one agency." })
  async setPluginRoute(
    @CurrentActor() actor: AuditActor,
    @Args('channel') channel: string,
    @Args('agencyCode', { type: () => String, nullable: true }) agencyCode: string | null,
    @Args('installs', { type: () => [PluginRouteInput] }) installs: PluginRouteInput[],
  ): Promise<PluginRouteModel[]> {
    return (await this.admin.setRoutes(channel, agencyCode ?? null, installs, actor)).map(toRoute);
  }
}
