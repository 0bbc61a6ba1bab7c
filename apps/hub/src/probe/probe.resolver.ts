import type { Probe } from '@kabar/persistence';
import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';

import { RequireScope } from '../auth/index.js';
import { LiveEvents } from '../live/live-events.js';
import { ProbeModel, SendProbeInput } from './probe.model.js';
import { ProbeService } from './probe.service.js';

function toModel(probe: Probe): ProbeModel {
  const receivedAt = probe.receivedAt ?? null;
  return {
    id: probe.id,
    note: probe.note,
    createdAt: probe.createdAt,
    receivedAt,
    roundTripMs: receivedAt === null ? null : receivedAt.getTime() - probe.createdAt.getTime(),
  };
}

/** The bus round-trip diagnostic, for platform admins: it writes rows and publishes to the bus, so it is not open. */
@Resolver(() => ProbeModel)
@RequireScope('admin')
export class ProbeResolver {
  constructor(
    private readonly probes: ProbeService,
    private readonly live: LiveEvents,
  ) {}

  @Mutation(() => ProbeModel, { description: 'Writes a probe and publishes it through the outbox; poll `probe(id)` for `receivedAt`.' })
  async sendProbe(@Args('input') input: SendProbeInput): Promise<ProbeModel> {
    return toModel(await this.probes.send(input.note));
  }

  @Query(() => ProbeModel)
  async probe(@Args('id', { type: () => ID }) id: string): Promise<ProbeModel> {
    return toModel(await this.probes.find(id));
  }

  @Subscription(() => ProbeModel, {
    description: 'Fires when a consumer of this hub instance reads a probe back from the bus (only probe `id` if given).',
    filter: (payload: Probe, variables: { id?: string | null }) => variables.id == null || payload.id === variables.id,
    resolve: (payload: Probe) => toModel(payload),
  })
  probeReceived(@Args('id', { type: () => ID, nullable: true }) _id?: string): AsyncIterableIterator<Probe> {
    return this.live.iterator('probeReceived');
  }
}
