import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

import { GraphQLJSON } from '../graphql/json.scalar.js';

export enum ComplaintStateModel {
  open = 'open',
  answered = 'answered',
  closed = 'closed',
}
registerEnumType(ComplaintStateModel, {
  name: 'ComplaintState',
  description: 'open: waiting for your answer (the citizen wrote last); answered: you wrote last; closed: a later message from the citizen opens a new complaint.',
});

@ObjectType('ComplaintMessage', { description: 'One message of a complaint: the citizen\'s (`in`) or yours (`out`).' })
export class ComplaintMessageModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'in | out' })
  direction!: string;

  @Field({ description: 'text, media, button, …: as the channel delivered it.' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'Empty once purged under the retention policy.' })
  text!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: "The provider's media reference (id, mimeType), when the citizen sent a photo or a file." })
  media!: unknown;

  @Field(() => ID, { nullable: true, description: 'For your messages: the notification it went out as (its statuses come like any other).' })
  notificationId!: string | null;

  @Field()
  at!: Date;
}

@ObjectType('Complaint', { description: "A complaint or question a citizen sent on their own, routed to you; never the citizen's address." })
export class ComplaintModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'What the citizen quotes, e.g. ADU-000042.' })
  reference!: string;

  @Field(() => Int, { description: 'The number in the reference; `before` in `complaints` pages by it.' })
  number!: number;

  @Field(() => ComplaintStateModel)
  state!: ComplaintStateModel;

  @Field({ description: 'sms | whatsapp: where the citizen wrote, and where your answer goes.' })
  channel!: string;

  @Field({ description: 'The address belongs to a registered citizen.' })
  registered!: boolean;

  @Field({ description: 'The language Kabar writes to the citizen in.' })
  locale!: string;

  @Field()
  openedAt!: Date;

  @Field()
  lastActivityAt!: Date;

  @Field(() => Date, { nullable: true })
  closedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'While the citizen waits for your answer: when it is due, by your response target (complaintResponseHours). Null once answered or closed.' })
  dueAt!: Date | null;

  @Field({ description: 'The answer is due and not given yet. Your callback hears it once, as id.kabar.complaint.overdue.v1.' })
  overdue!: boolean;

  @Field(() => [ComplaintMessageModel], { description: 'The thread, oldest first.' })
  messages!: ComplaintMessageModel[];
}

@ObjectType('InboundRoute', { description: "Where citizens' own messages go: by channel, the address they wrote to and their first word." })
export class InboundRouteModel {
  @Field(() => ID)
  id!: string;

  @Field()
  agencyCode!: string;

  @Field()
  channel!: string;

  @Field({ description: 'The short code, number or WhatsApp number id written to; empty for any.' })
  to!: string;

  @Field({ description: 'The first word, upper case; empty for any.' })
  keyword!: string;

  @Field()
  createdAt!: Date;
}

@InputType('InboundRouteInput')
export class InboundRouteInput {
  @Field()
  agencyCode!: string;

  @Field({ description: 'sms or whatsapp.' })
  channel!: string;

  @Field({ defaultValue: '', description: 'The short code, number or WhatsApp number id; empty for any.' })
  to!: string;

  @Field({ defaultValue: '', description: 'One word of 2–20 letters or digits, any case; empty for any.' })
  keyword!: string;
}

@ObjectType('MyComplaintMessage', { description: 'One message of your complaint: yours (`in`) or the agency\'s (`out`).' })
export class MyComplaintMessageModel {
  @Field({ description: 'in | out' })
  direction!: string;

  @Field(() => String, { nullable: true, description: 'Empty once purged under the retention policy, and for a photo without words.' })
  text!: string | null;

  @Field({ description: 'You sent a photo or a file with it.' })
  hasMedia!: boolean;

  @Field()
  at!: Date;
}

@ObjectType('MyComplaint', { description: 'A complaint or question you sent to an agency from one of your verified numbers.' })
export class MyComplaintModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'What to quote, e.g. ADU-000042.' })
  reference!: string;

  @Field()
  agencyName!: string;

  @Field()
  channel!: string;

  @Field(() => ComplaintStateModel)
  state!: ComplaintStateModel;

  @Field()
  openedAt!: Date;

  @Field(() => Date, { nullable: true, description: "While the agency's answer is awaited: when the agency aims to have answered by." })
  answerDueAt!: Date | null;

  @Field(() => [MyComplaintMessageModel], { description: 'The conversation, oldest first.' })
  messages!: MyComplaintMessageModel[];
}

@ObjectType('ComplaintPerformance', { description: 'How an agency handled the complaints opened in a period that it holds now.' })
export class ComplaintPerformanceModel {
  @Field()
  agencyCode!: string;

  @Field(() => Int)
  opened!: number;

  @Field(() => Int, { description: 'Still waiting for the agency.' })
  waiting!: number;

  @Field(() => Int, { description: 'Answered in words at least once (closing without words is no answer).' })
  answered!: number;

  @Field(() => Int)
  closed!: number;

  @Field(() => Int, { description: 'Went past a due time at least once.' })
  wentOverdue!: number;

  @Field(() => Int, { description: 'Answered, and never past a due time.' })
  answeredInTime!: number;

  @Field(() => Float, { nullable: true, description: 'answered / opened, three decimals.' })
  answerRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'answeredInTime / answered, three decimals.' })
  inTimeRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Median hours from opening to the first answer, one decimal.' })
  medianFirstAnswerHours!: number | null;
}
