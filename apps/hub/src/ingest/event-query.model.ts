import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Notification')
export class NotificationModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  channel!: string | null;

  @Field({ description: 'accepted, held, deferred, merged, digested, suppressed, dispatching, sent, delivered or failed.' })
  state!: string;

  @Field(() => String, { nullable: true, description: 'Reason code for suppressed or failed, e.g. UNKNOWN_SUBJECT, NO_CHANNEL.' })
  reason!: string | null;

  @Field(() => Int, { nullable: true })
  templateVersion!: number | null;

  @Field({ description: 'subject, delegate (someone acting for the subject, e.g. a guardian) or audience (a broadcast).' })
  recipientRole!: string;

  @Field(() => [String], { description: "The policy's decisions in order, as codes (e.g. CONSENT_OK, MERGED, QUIET_HOURS_HELD): no personal data." })
  decisions!: string[];

  @Field(() => Date, { nullable: true, description: 'When a held or deferred notification is due.' })
  dueAt!: Date | null;

  @Field()
  updatedAt!: Date;
}

@ObjectType('Event')
export class EventModel {
  @Field(() => ID)
  eventId!: string;

  @Field()
  source!: string;

  @Field()
  id!: string;

  @Field()
  type!: string;

  @Field()
  status!: string;

  @Field({ description: 'kafka, graphql or http.' })
  receivedVia!: string;

  @Field()
  receivedAt!: Date;

  @Field(() => [NotificationModel])
  notifications!: NotificationModel[];
}

@ObjectType('DeliveryStatus')
export class DeliveryStatusModel {
  @Field(() => ID)
  notificationId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field()
  source!: string;

  @Field()
  id!: string;

  @Field()
  state!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  channel!: string | null;

  @Field()
  at!: string;
}

@ObjectType('SubjectNotification', { description: 'One of your notifications to a citizen, with the event it was about.' })
export class SubjectNotificationModel extends NotificationModel {
  @Field({ description: 'Your event: its CloudEvents source.' })
  eventSource!: string;

  @Field({ description: 'Your event: its CloudEvents id.' })
  eventId!: string;

  @Field()
  eventType!: string;

  @Field()
  createdAt!: Date;
}
