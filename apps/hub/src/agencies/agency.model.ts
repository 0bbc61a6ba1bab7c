import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ApiKeyKind {
  test = 'test',
  live = 'live',
}
registerEnumType(ApiKeyKind, { name: 'ApiKeyKind', description: '`test` keys reach only the sandbox; `live` keys reach citizens.' });

@InputType()
export class SenderIdsInput {
  @Field({ nullable: true, description: 'Alphanumeric SMS sender ID (masking), up to 11 characters, e.g. BAPENDA-BDG.' })
  sms?: string;

  @Field({ nullable: true, description: 'E-mail From, e.g. "Bapenda Kota Bandung <noreply@bapenda.bandung.go.id>".' })
  email?: string;
}

@InputType()
export class CreateAgencyInput {
  @Field({ description: 'Short stable code, lowercase letters, digits and dashes, e.g. bapenda-bdg.' })
  code!: string;

  @Field()
  name!: string;

  @Field({ defaultValue: 'id', description: '`id` or `en`.' })
  defaultLocale!: string;

  @Field(() => [String], { description: 'CloudEvents `source` values this agency publishes under (URI references).' })
  sources!: string[];

  @Field(() => SenderIdsInput, { nullable: true })
  senderIds?: SenderIdsInput | null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute per key (default 3000, as GOV.UK Notify).' })
  ratePerMinute?: number | null;

  @Field(() => Int, { nullable: true, description: 'Events per day per key (default 250000).' })
  dailyQuota?: number | null;

  @Field(() => Int, { nullable: true, description: "Hours a citizen's complaint may wait for the agency's answer before it is overdue (default 72, at most 2160)." })
  complaintResponseHours?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The answer time in working days instead (1 to 60): Monday to Friday in the agency zone, days off (`daysOff`) skipped, due at the end of the last one. Not with complaintResponseHours.',
  })
  complaintResponseWorkingDays?: number | null;

  @Field(() => String, { nullable: true, description: 'WIB (default), WITA or WIT: where the agency working days begin and end.' })
  timezone?: string | null;

  @Field(() => [Int], { nullable: true, description: 'The ISO weekdays (1 Monday … 7 Sunday) its working days fall on; Monday to Friday by default.' })
  workingWeekdays?: number[] | null;

  @Field(() => String, { nullable: true, description: 'The code of another agency (a supervisor, the city desk) told when this one lets a complaint wait past its due time.' })
  complaintEscalation?: string | null;
}

@InputType({ description: 'Only the fields given change; `senderIds` and `sources`, when given, replace the whole set.' })
export class UpdateAgencyInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: '`id` or `en`.' })
  defaultLocale?: string | null;

  @Field(() => [String], { nullable: true, description: 'Every CloudEvents `source` the agency publishes under from now on; events from a source left out are refused.' })
  sources?: string[] | null;

  @Field(() => SenderIdsInput, { nullable: true, description: 'Both sender IDs: one left out (or null) is removed.' })
  senderIds?: SenderIdsInput | null;

  @Field(() => Int, { nullable: true })
  ratePerMinute?: number | null;

  @Field(() => Int, { nullable: true })
  dailyQuota?: number | null;

  @Field(() => Int, { nullable: true, description: 'Answer time in hours (and no longer in working days). Complaints already waiting move to the new target.' })
  complaintResponseHours?: number | null;

  @Field(() => Int, { nullable: true, description: 'Answer time in working days (1 to 60), instead of hours. Complaints already waiting move to the new target.' })
  complaintResponseWorkingDays?: number | null;

  @Field(() => String, { nullable: true, description: 'WIB, WITA or WIT. Complaints already waiting in working days move with it.' })
  timezone?: string | null;

  @Field(() => [Int], { nullable: true, description: 'The ISO weekdays (1 Monday … 7 Sunday) its working days fall on, e.g. [1, 2, 3, 4, 5, 6] for a six-day week. Complaints already waiting in working days move with it.' })
  workingWeekdays?: number[] | null;

  @Field(() => String, { nullable: true, description: 'The code of another agency told when this one lets a complaint wait past its due time; "" removes it.' })
  complaintEscalation?: string | null;
}

@ObjectType('SenderIds')
export class SenderIdsModel {
  @Field(() => String, { nullable: true })
  sms!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;
}

@ObjectType('Agency')
export class AgencyModel {
  @Field(() => ID)
  id!: string;

  @Field()
  code!: string;

  @Field()
  name!: string;

  @Field()
  defaultLocale!: string;

  @Field(() => [String])
  sources!: string[];

  @Field(() => SenderIdsModel)
  senderIds!: SenderIdsModel;

  @Field(() => String, { nullable: true })
  callbackUrl!: string | null;

  @Field(() => Int)
  ratePerMinute!: number;

  @Field(() => Int)
  dailyQuota!: number;

  @Field(() => Int, { description: "Hours a citizen's complaint may wait for this agency's answer before it is overdue, unless complaintResponseWorkingDays is set." })
  complaintResponseHours!: number;

  @Field(() => Int, { nullable: true, description: 'When set, the answer time in working days (Monday to Friday in the agency zone, days off skipped); complaintResponseHours is then not used.' })
  complaintResponseWorkingDays!: number | null;

  @Field({ description: 'WIB, WITA or WIT.' })
  timezone!: string;

  @Field(() => [Int], { description: 'The ISO weekdays (1 Monday … 7 Sunday) its working days fall on.' })
  workingWeekdays!: number[];

  @Field(() => String, {
    nullable: true,
    description: 'The agency told (callback id.kabar.complaint.escalated.v1) when this one lets a complaint wait past its due time; it learns the reference and the times, not the thread.',
  })
  complaintEscalation!: string | null;
}

@ObjectType('ApiKey')
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ApiKeyKind)
  kind!: ApiKeyKind;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('IssuedApiKey', { description: 'A new key. `secret` is shown only here, once; Kabar keeps a hash.' })
export class IssuedApiKeyModel {
  @Field(() => ApiKeyModel)
  key!: ApiKeyModel;

  @Field({ description: 'The bearer token `<id>.<secret>`; also the JWT signing secret is the part after the dot.' })
  secret!: string;
}

@ObjectType('CallbackRegistration', { description: 'The signing secret for status callbacks, shown once.' })
export class CallbackRegistrationModel {
  @Field()
  url!: string;

  @Field({ description: 'Standard Webhooks secret (`whsec_…`) to verify webhook-signature headers.' })
  signingSecret!: string;
}
