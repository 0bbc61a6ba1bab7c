import { type CloudEvent, CloudEventError, CloudEventErrorCode, parseCloudEventInput } from '@kabar/contracts';
import { Args, Mutation, Resolver } from '@nestjs/graphql';

import { type AgencyPrincipal, CurrentAgency, RequireScope } from '../auth/index.js';
import { CloudEventInput, PublishResultModel } from './publish.model.js';
import { type ParsedItem, type PublishOutcome, PublishService } from './publish.service.js';

/** Larger batches go over Kafka or HTTP batch mode. */
const MAX_GRAPHQL_BATCH = 500;

function parse(input: CloudEventInput): ParsedItem {
  try {
    const event: CloudEvent = parseCloudEventInput(input);
    return { ok: true, event };
  } catch (error) {
    if (error instanceof CloudEventError) return { ok: false, error, source: input.source, id: input.id };
    throw error;
  }
}

function toResult(outcome: PublishOutcome): PublishResultModel {
  if (outcome.ok) return { eventId: outcome.eventId, source: outcome.source, id: outcome.id, duplicate: outcome.duplicate, status: outcome.status, error: null };
  return { eventId: null, source: outcome.source, id: outcome.id, duplicate: false, status: 'rejected', error: { code: outcome.error.code, message: outcome.error.message } };
}

@Resolver(() => PublishResultModel)
@RequireScope('agency')
export class PublishResolver {
  constructor(private readonly publisher: PublishService) {}

  @Mutation(() => PublishResultModel, { description: 'Publishes one CloudEvent; a rejected event is a GraphQL error with its code.' })
  async publishEvent(@CurrentAgency() agency: AgencyPrincipal, @Args('event') event: CloudEventInput): Promise<PublishResultModel> {
    const parsed = parse(event);
    if (!parsed.ok) throw parsed.error;
    const [outcome] = await this.publisher.publish(agency, [parsed], 'graphql');
    if (outcome === undefined) throw new Error('publish returned no outcome');
    if (!outcome.ok) throw outcome.error;
    return toResult(outcome);
  }

  @Mutation(() => [PublishResultModel], { description: `Publishes up to ${MAX_GRAPHQL_BATCH} CloudEvents; each result says accepted, duplicate or rejected.` })
  async publishEvents(@CurrentAgency() agency: AgencyPrincipal, @Args('events', { type: () => [CloudEventInput] }) events: CloudEventInput[]): Promise<PublishResultModel[]> {
    if (events.length > MAX_GRAPHQL_BATCH) {
      throw new CloudEventError(CloudEventErrorCode.BatchTooLarge, `at most ${MAX_GRAPHQL_BATCH} events per publishEvents call`);
    }
    return (await this.publisher.publish(agency, events.map(parse), 'graphql')).map(toResult);
  }
}
