import type { EntitySchema } from '@mikro-orm/core';

import { AdminCredentialSchema, AgencySchema, AgencySourceSchema, ApiKeySchema, RateCounterSchema } from './agency.entity.js';
import { AuditLogSchema } from './audit.entity.js';
import { CitizenSchema, CitizenSessionSchema, ConsentRecordSchema, ContactPointSchema, DelegateSchema, OneTimeCodeSchema, ProgrammeMemberSchema } from './citizen.entity.js';
import { ComplaintMessageSchema, ComplaintSchema, DayOffSchema, InboundRouteSchema } from './complaint.entity.js';
import {
  CallbackAttemptSchema,
  CallbackDeliverySchema,
  DeliveryAttemptSchema,
  EventSchema,
  InboundSeenSchema,
  InboxItemSchema,
  NotificationSchema,
  ScheduledJobSchema,
} from './event.entity.js';
import { EventTypeSchema, SurveySchema, SurveySessionSchema, TemplateSchema } from './event-type.entity.js';
import { OutboxMessageSchema } from './outbox-message.entity.js';
import { PluginInstallSchema, PluginRouteSchema } from './plugin-install.entity.js';
import { ProbeSchema } from './probe.entity.js';
import { SecretKeySchema } from './secret-key.entity.js';

export * from './agency.entity.js';
export { type AuditLog, AuditLogSchema } from './audit.entity.js';
export * from './citizen.entity.js';
export * from './complaint.entity.js';
export * from './event.entity.js';
export * from './event-type.entity.js';
export { type OutboxMessage, OutboxMessageSchema } from './outbox-message.entity.js';
export * from './plugin-install.entity.js';
export { type Probe, ProbeSchema } from './probe.entity.js';
export { type SecretKey, SecretKeySchema } from './secret-key.entity.js';

/** Every entity, for the ORM configuration. */
export const ENTITIES: EntitySchema[] = [
  AuditLogSchema,
  SecretKeySchema,
  ProbeSchema,
  OutboxMessageSchema,
  AgencySchema,
  AgencySourceSchema,
  ApiKeySchema,
  AdminCredentialSchema,
  RateCounterSchema,
  EventTypeSchema,
  TemplateSchema,
  CitizenSchema,
  ContactPointSchema,
  ConsentRecordSchema,
  DelegateSchema,
  OneTimeCodeSchema,
  CitizenSessionSchema,
  ProgrammeMemberSchema,
  EventSchema,
  NotificationSchema,
  DeliveryAttemptSchema,
  InboxItemSchema,
  CallbackDeliverySchema,
  CallbackAttemptSchema,
  ScheduledJobSchema,
  PluginInstallSchema,
  PluginRouteSchema,
  InboundSeenSchema,
  SurveySchema,
  SurveySessionSchema,
  InboundRouteSchema,
  ComplaintSchema,
  DayOffSchema,
  ComplaintMessageSchema,
];
