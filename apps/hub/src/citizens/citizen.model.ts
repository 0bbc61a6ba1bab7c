import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { GraphQLJSONObject } from '../graphql/json.scalar.js';

export enum ConsentActionModel {
  granted = 'granted',
  withdrawn = 'withdrawn',
}
registerEnumType(ConsentActionModel, { name: 'ConsentAction' });

export enum DelegationDirectionModel {
  ACTS_FOR_ME = 'ACTS_FOR_ME',
  I_ACT_FOR = 'I_ACT_FOR',
}
registerEnumType(DelegationDirectionModel, {
  name: 'DelegationDirection',
  description: '`ACTS_FOR_ME`: the other citizen receives my notices; `I_ACT_FOR`: I receive theirs.',
});

@ObjectType('QuietHours', { description: 'A daily window in the citizen\'s time zone, "HH:MM"; start = end means no quiet hours.' })
export class QuietHoursModel {
  @Field()
  start!: string;

  @Field()
  end!: string;
}

@ObjectType('FrequencyCap')
export class FrequencyCapModel {
  @Field()
  messageClass!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Int)
  periodSeconds!: number;
}

@ObjectType('ChannelOrder', { description: 'Channels to try, in order, for a category (`*`: every other category).' })
export class ChannelOrderModel {
  @Field()
  category!: string;

  @Field(() => [String])
  channels!: readonly string[];
}

@ObjectType('ContactPoint')
export class ContactPointModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'sms, email, push or whatsapp.' })
  channel!: string;

  @Field({ description: 'Masked, e.g. +62812****7890 or a***@example.com.' })
  address!: string;

  @Field({ description: 'Verified and not reported dead by the provider: usable for delivery and sign-in.' })
  verified!: boolean;

  @Field(() => Date, { nullable: true })
  verifiedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'code (you confirmed it), import (an agency register), demo.' })
  verifiedBy!: string | null;

  @Field({ description: 'The provider reported the address dead (e.g. an unregistered device); add it again to revive it.' })
  invalid!: boolean;
}

@ObjectType('ConsentReceipt', { description: 'One consent record, as stored (append-only).' })
export class ConsentReceiptModel {
  @Field()
  purpose!: string;

  @Field(() => ConsentActionModel)
  action!: ConsentActionModel;

  @Field()
  basis!: string;

  @Field()
  noticeVersion!: string;

  @Field(() => String, { nullable: true, description: 'Where it was given, e.g. pref-centre (the preference centre).' })
  channel!: string | null;

  @Field(() => GraphQLJSONObject, { description: 'How it was recorded, e.g. { via: "graphql", at: "…" }.' })
  evidence!: Readonly<Record<string, string>>;

  @Field()
  recordedAt!: Date;
}

@ObjectType('ConsentState', { description: 'The consent in force for a purpose: the latest record.' })
export class ConsentStateModel {
  @Field()
  purpose!: string;

  @Field()
  granted!: boolean;

  @Field()
  noticeVersion!: string;

  @Field()
  since!: Date;
}

@ObjectType('ConsentPurpose', { description: 'A purpose some agencies send notices for only with your consent.' })
export class ConsentPurposeModel {
  @Field()
  purpose!: string;

  @Field({ description: 'The privacy notice in force: grantConsent and withdrawConsent take it.' })
  noticeVersion!: string;

  @Field(() => [String], { description: 'The agencies that ask, by name.' })
  agencies!: readonly string[];

  @Field(() => [String], { description: "What their notices are about, from the event types' descriptions." })
  descriptions!: readonly string[];
}

@ObjectType('CitizenConsents')
export class CitizenConsentsModel {
  @Field(() => [ConsentStateModel])
  current!: readonly ConsentStateModel[];

  @Field(() => [ConsentReceiptModel], { description: 'Every record, oldest first.' })
  history!: readonly ConsentReceiptModel[];
}

@ObjectType('Delegation')
export class DelegationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => DelegationDirectionModel)
  direction!: DelegationDirectionModel;

  @Field({ description: 'e.g. guardian, parent, caregiver.' })
  relation!: string;

  @Field(() => ID, { description: 'The other citizen; for ACTS_FOR_ME, the id removeDelegate takes.' })
  citizenId!: string;

  @Field(() => String, { nullable: true, description: "The other citizen's national ID, masked." })
  nationalId!: string | null;

  @Field()
  since!: Date;
}

@ObjectType('Citizen', { description: 'The signed-in citizen.' })
export class CitizenModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'Masked: only the last four digits show.' })
  nationalId!: string | null;

  @Field(() => String, { nullable: true })
  regionCode!: string | null;

  @Field({ description: 'id or en.' })
  language!: string;

  @Field({ description: 'WIB, WITA or WIT.' })
  timezone!: string;

  @Field(() => QuietHoursModel, { nullable: true, description: 'Null: the platform default.' })
  quietHours!: QuietHoursModel | null;

  @Field({ description: 'Informational messages gathered into one daily digest.' })
  digest!: boolean;

  @Field(() => [FrequencyCapModel], { description: 'Your own caps; only those tighter than the platform\'s apply.' })
  caps!: readonly FrequencyCapModel[];

  @Field(() => [ChannelOrderModel])
  channelOrder!: readonly ChannelOrderModel[];
}

@ObjectType('CitizenNotification', { description: 'A notification in the citizen\'s history, with the reasons for what happened to it.' })
export class CitizenNotificationModel {
  @Field(() => ID)
  id!: string;

  @Field()
  agencyName!: string;

  @Field()
  eventType!: string;

  @Field(() => String, { nullable: true })
  messageClass!: string | null;

  @Field(() => String, { nullable: true })
  channel!: string | null;

  @Field({ description: 'accepted, held, deferred, merged, suppressed, sent, delivered or failed.' })
  state!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => [String], { description: 'Each policy decision in plain words, in your language and time zone.' })
  decisionTrail!: readonly string[];

  @Field(() => String, { nullable: true, description: 'Null once purged under the retention policy.' })
  subject!: string | null;

  @Field(() => String, { nullable: true, description: 'Null once purged under the retention policy.' })
  body!: string | null;

  @Field(() => Date, { nullable: true, description: 'When a held or deferred notification is due.' })
  dueAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field({ description: 'Sent to one of your delegates, about you.' })
  forDelegate!: boolean;

  @Field(() => ID, { nullable: true, description: 'You received it as a delegate: the citizen it is about.' })
  onBehalfOf!: string | null;

  @Field(() => ID, { nullable: true, description: 'The notification it was merged into (cross-agency duplicate) or the digest that carried it.' })
  mergedInto!: string | null;

  @Field()
  purged!: boolean;
}

@ObjectType('CitizenSession')
export class CitizenSessionModel {
  @Field({ description: 'Send as Authorization: Bearer <token>. Shown once; Kabar keeps a hash.' })
  token!: string;

  @Field()
  expiresAt!: Date;
}

@ObjectType('InboxMessage', { description: 'A message delivered to your Kabar inbox (the in-app channel).' })
export class InboxMessageModel {
  @Field(() => ID, { description: 'The notification it delivered (see myNotifications).' })
  notificationId!: string;

  @Field()
  agencyName!: string;

  @Field()
  eventType!: string;

  @Field(() => String, { nullable: true })
  subject!: string | null;

  @Field()
  body!: string;

  @Field({ description: 'The language it was written in: yours, or the agency\'s when yours had no template.' })
  locale!: string;

  @Field({ description: 'When it reached the inbox.' })
  receivedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When you marked it read; null while unread.' })
  readAt!: Date | null;
}

@ObjectType('InboxPage')
export class InboxPageModel {
  @Field(() => [InboxMessageModel], { description: 'Newest first.' })
  messages!: readonly InboxMessageModel[];

  @Field(() => Int, { description: 'Unread messages in the whole inbox, not only this page.' })
  unread!: number;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next (older) page; null on the last page.' })
  next!: string | null;
}
