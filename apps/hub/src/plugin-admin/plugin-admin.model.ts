import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { GraphQLJSONObject } from '../graphql/json.scalar.js';

export enum CircuitStateModel {
  closed = 'closed',
  open = 'open',
  halfOpen = 'half-open',
}
registerEnumType(CircuitStateModel, {
  name: 'CircuitState',
  description: 'An install as the answering hub instance sees it: `open` while it is refused traffic after repeated outages, `halfOpen` while one probe may go.',
});

@ObjectType('PluginCheck')
export class PluginCheckModel {
  @Field()
  ok!: boolean;

  @Field({ description: "One line from the provider's handshake, e.g. the SMSC's bind answer." })
  detail!: string;

  @Field()
  at!: Date;
}

@ObjectType('PluginInstall', { description: 'A channel plugin installed by an admin; it carries traffic only when approved, configured, checked and enabled.' })
export class PluginInstallModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Unique; the plugin id unless the admin named it (one plugin installed twice, e.g. per SMS contract).' })
  name!: string;

  @Field()
  pluginId!: string;

  @Field()
  packageName!: string;

  @Field()
  version!: string;

  @Field()
  channel!: string;

  @Field({ description: 'path or tarball.' })
  source!: string;

  @Field({ description: 'sha512 of what was installed (the tarball, or the directory files).' })
  integrity!: string;

  @Field()
  approved!: boolean;

  @Field(() => Date, { nullable: true })
  approvedAt!: Date | null;

  @Field()
  configured!: boolean;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The configuration with secret values shown as ********.' })
  config!: Record<string, unknown> | null;

  @Field()
  enabled!: boolean;

  @Field(() => PluginCheckModel, { nullable: true })
  check!: PluginCheckModel | null;

  @Field(() => Int, { nullable: true, description: 'Messages per second it may send, per hub worker; null when unlimited.' })
  ratePerSecond!: number | null;

  @Field(() => CircuitStateModel, { description: "Its circuit breaker on the hub instance that answers (each instance judges a provider by its own calls)." })
  circuit!: CircuitStateModel;
}

@ObjectType('DiscoveredPlugin')
export class DiscoveredPluginModel {
  @Field()
  packageName!: string;

  @Field()
  version!: string;

  @Field()
  directory!: string;

  @Field()
  pluginId!: string;

  @Field()
  channel!: string;

  @Field()
  installed!: boolean;
}

@ObjectType('PluginRoute')
export class PluginRouteModel {
  @Field()
  channel!: string;

  @Field(() => String, { nullable: true, description: 'Null for the platform-wide route of the channel.' })
  agencyCode!: string | null;

  @Field(() => ID)
  installId!: string;

  @Field()
  installName!: string;

  @Field()
  pluginId!: string;

  @Field(() => Int)
  priority!: number;

  @Field(() => Int)
  weight!: number;
}

@InputType()
export class PluginRouteInput {
  @Field(() => ID)
  installId!: string;

  @Field(() => Int, { defaultValue: 0, description: 'Lower first; failover goes down the priorities.' })
  priority!: number;

  @Field(() => Int, { defaultValue: 100, description: 'Share of traffic among installs of the same priority.' })
  weight!: number;
}
