import { ConfigErrorCode } from '@kabar/config';
import { CloudEventErrorCode } from '@kabar/contracts';
import { ProviderWebhookErrorCode } from '@kabar/plugin-sdk';

import { AgencyErrorCode } from '../agencies/agency.errors.js';
import { AuditErrorCode } from '../audit/audit.errors.js';
import { AuthErrorCode } from '../auth/auth.errors.js';
import { CatalogErrorCode } from '../catalog/catalog.errors.js';
import { CitizenErrorCode } from '../citizens/citizen.errors.js';
import { ComplaintErrorCode } from '../complaints/complaint.errors.js';
import { IngestErrorCode } from '../ingest/ingest.errors.js';
import { PluginAdminErrorCode } from '../plugin-admin/plugin-admin.errors.js';
import { ProbeErrorCode } from '../probe/probe.errors.js';
import { ProviderWebhookRouteErrorCode } from '../provider-webhooks/provider-webhook.errors.js';
import { SecretsErrorCode } from '../security/secrets.errors.js';
import { SurveyErrorCode } from '../surveys/survey.errors.js';
import { ServiceErrorCode } from './service-error.js';

// CitizenErrorCode.RateLimited has the same value as IngestErrorCode.RateLimited ('RATE_LIMITED'): its one entry serves both.
type DomainCode = AuthErrorCode | AgencyErrorCode | CatalogErrorCode | Exclude<CitizenErrorCode, CitizenErrorCode.RateLimited> | IngestErrorCode | PluginAdminErrorCode | CloudEventErrorCode | ProbeErrorCode | ConfigErrorCode | ProviderWebhookErrorCode | ProviderWebhookRouteErrorCode | SurveyErrorCode | ComplaintErrorCode | AuditErrorCode | SecretsErrorCode | ServiceErrorCode;

/**
 * The HTTP status of every domain error code, in one table. A new code does not compile until it is placed here.
 * (GraphQL uses the code itself as `extensions.code`; Kafka dead-letters carry it in a header.)
 */
const HTTP_STATUS: Readonly<Record<DomainCode, number>> = {
  [AuthErrorCode.Unauthenticated]: 401,
  [AuthErrorCode.InvalidCredentials]: 401,
  [AuthErrorCode.TokenExpired]: 401,
  [AuthErrorCode.Forbidden]: 403,
  [AgencyErrorCode.InvalidInput]: 400,
  [AgencyErrorCode.Conflict]: 409,
  [AgencyErrorCode.NotFound]: 404,
  [AgencyErrorCode.KeyNotFound]: 404,
  [AgencyErrorCode.DayOffInvalid]: 400,
  [AgencyErrorCode.DayOffNotFound]: 404,
  [CatalogErrorCode.InvalidEventType]: 400,
  [CatalogErrorCode.EventTypeTaken]: 409,
  [CatalogErrorCode.UnknownEventType]: 404,
  [CatalogErrorCode.InvalidTemplate]: 400,
  [IngestErrorCode.SourceNotAllowed]: 403,
  [IngestErrorCode.UnknownSource]: 400,
  // Kafka-only refusals (dead letters); mapped like their HTTP counterparts should they ever reach an edge.
  [IngestErrorCode.SignatureRequired]: 401,
  [IngestErrorCode.SignatureInvalid]: 401,
  [IngestErrorCode.UnknownKey]: 401,
  [IngestErrorCode.UnknownType]: 400,
  [IngestErrorCode.MissingSubject]: 400,
  [IngestErrorCode.DataInvalid]: 422,
  [IngestErrorCode.RateLimited]: 429,
  [IngestErrorCode.QuotaExceeded]: 429,
  [IngestErrorCode.UnknownEvent]: 404,
  [IngestErrorCode.Contended]: 503,
  [IngestErrorCode.NotStored]: 500,
  [PluginAdminErrorCode.InvalidPackage]: 400,
  [PluginAdminErrorCode.IntegrityMismatch]: 409,
  [PluginAdminErrorCode.InvalidConfig]: 400,
  [PluginAdminErrorCode.NotFound]: 404,
  [PluginAdminErrorCode.WrongState]: 409,
  [PluginAdminErrorCode.AlreadyInstalled]: 409,
  [PluginAdminErrorCode.InvalidRoute]: 400,
  [PluginAdminErrorCode.InvalidName]: 400,
  [PluginAdminErrorCode.InvalidRateLimit]: 400,
  [CloudEventErrorCode.MalformedJson]: 400,
  [CloudEventErrorCode.NotAnObject]: 400,
  [CloudEventErrorCode.NotAnArray]: 400,
  [CloudEventErrorCode.MissingAttribute]: 400,
  [CloudEventErrorCode.InvalidAttribute]: 400,
  [CloudEventErrorCode.UnsupportedSpecversion]: 400,
  [CloudEventErrorCode.UnsupportedContentType]: 415,
  [CloudEventErrorCode.DataNotJson]: 415,
  [CloudEventErrorCode.PayloadTooLarge]: 413,
  [CloudEventErrorCode.EmptyBatch]: 400,
  [CloudEventErrorCode.BatchTooLarge]: 413,
  [ProbeErrorCode.NoteTooLong]: 400,
  [ProbeErrorCode.NotFound]: 404,
  [ProbeErrorCode.InvalidId]: 400,
  [ConfigErrorCode.Invalid]: 400,
  [CitizenErrorCode.InvalidInput]: 400,
  [CitizenErrorCode.InvalidCode]: 401,
  [CitizenErrorCode.CitizenNotFound]: 404,
  [CitizenErrorCode.ContactPointNotFound]: 404,
  [CitizenErrorCode.DelegateNotFound]: 404,
  [CitizenErrorCode.CodeNotSent]: 503,
  [CitizenErrorCode.ImportTooLarge]: 413,
  [ProviderWebhookErrorCode.Malformed]: 400,
  [ProviderWebhookErrorCode.BadSignature]: 401,
  [ProviderWebhookErrorCode.Forbidden]: 403,
  [ProviderWebhookErrorCode.NotConfigured]: 404,
  [ProviderWebhookErrorCode.MethodNotAllowed]: 405,
  [ProviderWebhookErrorCode.NotRecorded]: 503,
  [ProviderWebhookRouteErrorCode.UnknownTarget]: 404,
  [ProviderWebhookRouteErrorCode.NotSupported]: 404,
  [SurveyErrorCode.Invalid]: 400,
  [SurveyErrorCode.Unknown]: 404,
  [SurveyErrorCode.BadCursor]: 400,
  [SurveyErrorCode.PeriodInvalid]: 400,
  [SurveyErrorCode.NotFound]: 404,
  [SurveyErrorCode.Closed]: 409,
  [SurveyErrorCode.NotWaiting]: 409,
  [SurveyErrorCode.AnswerInvalid]: 400,
  [ComplaintErrorCode.NotFound]: 404,
  [ComplaintErrorCode.Closed]: 409,
  [ComplaintErrorCode.AnswerInvalid]: 400,
  [ComplaintErrorCode.PeriodInvalid]: 400,
  [ComplaintErrorCode.TransferInvalid]: 400,
  [ComplaintErrorCode.MediaNotFound]: 404,
  [ComplaintErrorCode.MediaUnavailable]: 502,
  [ComplaintErrorCode.RouteInvalid]: 400,
  [ComplaintErrorCode.RouteNotFound]: 404,
  [AuditErrorCode.FilterInvalid]: 400,
  [AuditErrorCode.HeadInvalid]: 400,
  [SecretsErrorCode.CursorInvalid]: 400,
  [SecretsErrorCode.KeyNotHeld]: 409,
  [ServiceErrorCode.DatabaseUnavailable]: 503,
};

export function httpStatusOf(code: string): number {
  return (HTTP_STATUS as Readonly<Record<string, number>>)[code] ?? 500;
}
