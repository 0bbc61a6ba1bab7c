import { Field, Int, ObjectType } from '@nestjs/graphql';

import { GraphQLJSONObject } from '../graphql/json.scalar.js';

@ObjectType('AuditActor', { description: 'Who made a change: an admin, an agency system (with the key it used) or the hub itself (system).' })
export class AuditActorModel {
  @Field({ description: 'admin | agency | system' })
  kind!: string;

  @Field({ description: "The admin's credential id, the agency's id, or what acted for the system (cli, demo)." })
  id!: string;

  @Field(() => String, { nullable: true, description: "The admin's name, or the agency's code." })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'The API key an agency system acted with.' })
  keyId!: string | null;

  @Field(() => String, { nullable: true, description: 'The client address the hub saw (behind a proxy, the one it forwarded).' })
  ip!: string | null;
}

@ObjectType('AuditEntry', { description: 'One change to the platform, as recorded in the transaction that made it.' })
export class AuditEntryModel {
  @Field(() => Int, { description: 'Its place in the chain: 1, 2, 3, … with no gaps.' })
  seq!: number;

  @Field()
  at!: Date;

  @Field({ description: 'What was done, e.g. api_key.issued, plugin.configured, complaint.answered.' })
  action!: string;

  @Field(() => AuditActorModel)
  actor!: AuditActorModel;

  @Field(() => String, { nullable: true, description: 'The agency the change concerns; null for platform-wide changes.' })
  agencyCode!: string | null;

  @Field({ description: 'What kind of thing was changed: agency, api_key, plugin_install, template, …' })
  targetKind!: string;

  @Field({ description: 'Its id (or code, or name).' })
  targetId!: string;

  @Field(() => GraphQLJSONObject, { description: "What changed: ids, names and counts. Never a secret, a citizen's address or what a citizen wrote." })
  details!: Record<string, unknown>;

  @Field({ description: 'The MAC that seals this entry to the one before it (see auditIntegrity).' })
  mac!: string;
}

@ObjectType('AuditBreak', {
  description:
    'Where the chain stops holding: a missing place (gap), an entry whose MAC does not match (mac), one sealed under a master key this hub does not hold (key), or against a head kept elsewhere: the chain ends before it (cut) or holds another MAC there (head).',
})
export class AuditBreakModel {
  @Field(() => Int)
  seq!: number;

  @Field({ description: 'gap | mac | key | cut | head' })
  reason!: string;
}

@ObjectType('AuditIntegrity', { description: 'The whole audit chain checked from its first entry.' })
export class AuditIntegrityModel {
  @Field(() => Int, { description: 'Entries that check out, from the first.' })
  checked!: number;

  @Field(() => Int, { nullable: true, description: 'The place of the last entry that checks out.' })
  headSeq!: number | null;

  @Field(() => String, { nullable: true, description: 'Its MAC. Keep a copy outside Kabar: a later check that ends before it means the trail was cut short.' })
  headMac!: string | null;

  @Field(() => AuditBreakModel, { nullable: true, description: 'The first break, or null when every entry checks out.' })
  broken!: AuditBreakModel | null;
}
