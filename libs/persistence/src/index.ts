export { AgencyRepository, type AgencyWithSources, type KeyCredential, type NewAgency, type NewApiKey, type SourceOwner } from './agency.repository.js';
export { DayOffRepository, type DayOffRow } from './answer-clock.js';
export { appendAudit, type Audited, audited, type AuditFilter, AuditRepository } from './audit.repository.js';
export { insertColumns, insertRows, Json } from './bulk.js';
export { type CallbackOutcome, CallbackRepository, type ClaimedCallback, type NewCallbackDelivery } from './callback.repository.js';
export { CatalogRepository, type ConsentPurposeRow, type EventTypeInput, type EventTypeRecord, type LatestTemplate, type TemplateInput } from './catalog.repository.js';
export { type CitizenRef, CitizenRepository, type ContactRef, type NewContactPoint } from './citizen.repository.js';
export { CitizenAuthRepository, type CitizenSessionRow, type CodeTarget, type LiveCode, type NewOneTimeCode } from './citizen-auth.repository.js';
export {
  COMPLAINT_EVENT_TYPE,
  COMPLAINT_SOURCE,
  type ComplaintMessageRow,
  type ComplaintPerformanceRow,
  ComplaintRepository,
  type ComplaintRow,
  type DeskAgency,
  type InboundRouteRow,
  type KnownSender,
  type NewComplaint,
  type NewComplaintMessage,
  type OverdueComplaint,
  type ThreadRow,
} from './complaint.repository.js';
export { DatabaseUnavailableError, describeDatabase, isDatabaseUnreachable, openDatabase, waitForDatabase } from './database.js';
export { type AttemptOutcome, DISPATCH_CLAIM_LEASE_MS, DispatchRepository, type DispatchRow, type InboxRow, type ReceiptedNotification, type ReceiptToApply, type SentNotification } from './dispatch.repository.js';
export * from './entities/index.js';
export {
  EventRepository,
  type IngestWrite,
  type NewEvent,
  type NewNotification,
  NOTIFICATION_COLUMNS,
  notificationRow,
  type NotificationView,
  type StoredEvent,
  type SubjectLookup,
  type SubjectNotification,
} from './event.repository.js';
export { INBOUND_DEDUP_DAYS, InboundRepository } from './inbound.repository.js';
export { type InboxCursor, type InboxEntry, InboxRepository } from './inbox.repository.js';
export { migrate, schemaDrift } from './migrate.js';
export { MIGRATION_NAMES } from './migrations/index.js';
export { ormOptions } from './orm-options.js';
export { OutboxRepository } from './outbox.repository.js';
export { type NewPluginInstall, type PluginInstallPatch, PluginInstallRepository, type PluginInstallRow, type PluginRouteRow } from './plugin-install.repository.js';
export {
  type CitizenPolicyRow,
  COUNTED_STATES,
  type CountedNotification,
  PolicyRepository,
  type Recipients,
  type StoredDedupHit,
} from './policy.repository.js';
export {
  type CitizenNotificationRow,
  type CitizenProfile,
  type ConsentRow,
  type ContactPointRow,
  type DelegateRow,
  type HistoryAnchor,
  type NewConsent,
  type PreferencePatch,
  PreferenceRepository,
  type SealedCitizen,
} from './preference.repository.js';
export { ProbeRepository } from './probe.repository.js';
export { type Bucket, RateCounterRepository } from './rate-counter.repository.js';
export { type ClaimedJob, type JobKind, type NewJob, ScheduleRepository } from './schedule.repository.js';
export { type ReencryptCursor, type RegisteredKey, type Reseal, SEALED_COLUMNS, type SealedCount, SecretKeyRepository } from './secret-key.repository.js';
export { type ExpiredSession, type SessionWrite, type StoredProgress, type SurveyOpening, SurveyRepository, type SurveyResponseRow, type SurveyRow, type SurveyTally } from './survey.repository.js';
export { type DeferredNotification, type FallbackCandidate, type ReleasedNotification, WaitingRepository } from './waiting.repository.js';
