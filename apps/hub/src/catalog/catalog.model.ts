import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { GraphQLJSONObject } from '../graphql/json.scalar.js';

export enum MessageClassEnum {
  critical = 'critical',
  transactional = 'transactional',
  reminder = 'reminder',
  informational = 'informational',
}
registerEnumType(MessageClassEnum, { name: 'MessageClass' });

export enum LawfulBasisEnum {
  consent = 'consent',
  legal_obligation = 'legal_obligation',
  public_task = 'public_task',
  vital_interest = 'vital_interest',
}
registerEnumType(LawfulBasisEnum, { name: 'LawfulBasis', description: 'Why Kabar may contact the citizen; only `consent` needs a consent record for the purpose.' });

@InputType()
export class DedupRuleInput {
  @Field({ description: 'Key template over subject and data, e.g. "death:{{data.deceasedNik}}"; equal keys from any agency merge.' })
  key!: string;

  @Field(() => Int, { description: 'Seconds within which a second event with the same key is merged into the first.' })
  windowSeconds!: number;
}

@ObjectType('DedupRule')
export class DedupRuleModel {
  @Field()
  key!: string;

  @Field(() => Int)
  windowSeconds!: number;
}

@InputType()
export class RegisterEventTypeInput {
  @Field({ description: 'Reverse-DNS name ending in a version, e.g. id.go.bapenda.tax-due.v1.' })
  type!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => MessageClassEnum)
  messageClass!: MessageClassEnum;

  @Field(() => GraphQLJSONObject, { description: 'JSON Schema that every event `data` must match.' })
  dataSchema!: Record<string, unknown>;

  @Field(() => [String], { description: 'Channels this kind of message may use: sms, email, push, whatsapp, inbox, webhook, console.' })
  allowedChannels!: string[];

  @Field(() => Int, { defaultValue: 7 * 24 * 3600, description: 'Seconds after the event time when it is no longer worth sending.' })
  defaultExpirySeconds!: number;

  @Field(() => [String], { defaultValue: ['id', 'en'], description: 'Locales every template must exist in; at least id and en.' })
  requiredLocales!: string[];

  @Field({ defaultValue: 'general', description: "Category for citizens' channel order, e.g. tax, civil-registry, health." })
  category!: string;

  @Field({ defaultValue: 'service-notices', description: 'Purpose a consent must name when the basis is consent.' })
  purpose!: string;

  @Field(() => LawfulBasisEnum, { defaultValue: LawfulBasisEnum.public_task })
  basis!: LawfulBasisEnum;

  @Field(() => DedupRuleInput, { nullable: true, description: 'Cross-agency dedup rule; none by default.' })
  dedup?: DedupRuleInput | null;

  @Field(() => Int, { nullable: true, description: 'Seconds the first channel has to report delivery before the next is tried; platform default when null.' })
  fallbackAfterSeconds?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Code of one of your surveys: on SMS and WhatsApp its first question follows the message, and the citizen\'s replies take them through it.',
  })
  survey?: string | null;
}

@ObjectType('EventType')
export class EventTypeModel {
  @Field(() => ID)
  id!: string;

  @Field()
  type!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => MessageClassEnum)
  messageClass!: MessageClassEnum;

  @Field(() => GraphQLJSONObject)
  dataSchema!: Record<string, unknown>;

  @Field(() => [String])
  allowedChannels!: string[];

  @Field(() => Int)
  defaultExpirySeconds!: number;

  @Field(() => [String])
  requiredLocales!: string[];

  @Field()
  category!: string;

  @Field()
  purpose!: string;

  @Field(() => LawfulBasisEnum)
  basis!: LawfulBasisEnum;

  @Field(() => DedupRuleModel, { nullable: true })
  dedup!: DedupRuleModel | null;

  @Field(() => Int, { nullable: true })
  fallbackAfterSeconds!: number | null;

  @Field(() => String, { nullable: true })
  survey!: string | null;
}

@InputType()
export class TemplateLocaleInput {
  @Field()
  locale!: string;

  @Field(() => String, { nullable: true, description: 'Subject (e-mail, push title); Handlebars.' })
  subject?: string | null;

  @Field({ description: 'Plain-text body; Handlebars with strict variables.' })
  body!: string;

  @Field(() => String, { nullable: true, description: 'HTML body for e-mail; values are HTML-escaped.' })
  html?: string | null;
}

@InputType()
export class SaveTemplateInput {
  @Field()
  eventType!: string;

  @Field()
  channel!: string;

  @Field(() => [TemplateLocaleInput], { description: 'One entry per locale; every required locale of the type must be present.' })
  locales!: TemplateLocaleInput[];
}

@ObjectType('Template')
export class TemplateModel {
  @Field(() => ID)
  id!: string;

  @Field()
  channel!: string;

  @Field()
  locale!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  subject!: string | null;

  @Field()
  body!: string;

  @Field(() => String, { nullable: true })
  html!: string | null;
}
