// The admin-scope operations the console uses, with the shapes it reads back (apps/hub/schema.graphql is the contract).

export const HEALTH = '{ health { status database bus mode version } }';

export interface Health {
  readonly status: string;
  readonly database: string;
  readonly bus: string;
  readonly mode: string;
  readonly version: string;
}

export const AGENCIES = '{ agencies { id code name defaultLocale sources senderIds { sms email } ratePerMinute dailyQuota complaintResponseHours complaintResponseWorkingDays timezone workingWeekdays complaintEscalation callbackUrl } }';

export interface Agency {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly defaultLocale: string;
  readonly sources: readonly string[];
  readonly senderIds: { readonly sms: string | null; readonly email: string | null };
  readonly ratePerMinute: number;
  readonly dailyQuota: number;
  readonly complaintResponseHours: number;
  /** When set, the answer time is in working days and the hours are not used. */
  readonly complaintResponseWorkingDays: number | null;
  readonly timezone: string;
  /** ISO weekdays, 1 Monday to 7 Sunday. */
  readonly workingWeekdays: readonly number[];
  /** The agency told when this one lets a complaint wait past its due time. */
  readonly complaintEscalation: string | null;
  readonly callbackUrl: string | null;
}

export const CREATE_AGENCY = 'mutation($input: CreateAgencyInput!) { createAgency(input: $input) { code } }';

export interface CreateAgencyInput {
  readonly code: string;
  readonly name: string;
  readonly defaultLocale: string;
  readonly sources: readonly string[];
  readonly senderIds: { readonly sms: string | null; readonly email: string | null };
  readonly ratePerMinute: number | null;
  readonly dailyQuota: number | null;
  /** One of the two is sent: hours switch the agency to hours, working days to working days. */
  readonly complaintResponseHours: number | null;
  readonly complaintResponseWorkingDays: number | null;
  readonly timezone: string;
  readonly workingWeekdays: readonly number[];
  /** Another agency's code; "" for none. */
  readonly complaintEscalation: string;
}

export const UPDATE_AGENCY = 'mutation($code: String!, $input: UpdateAgencyInput!) { updateAgency(code: $code, input: $input) { code } }';

/** The code names the agency and never changes; a null number keeps the agency's current value. */
export type UpdateAgencyInput = Omit<CreateAgencyInput, 'code'>;

export const API_KEYS = 'query($agencyCode: String!) { apiKeys(agencyCode: $agencyCode) { id name kind createdAt revokedAt } }';
export const ISSUE_KEY = 'mutation($agencyCode: String!, $kind: ApiKeyKind!, $name: String!) { issueApiKey(agencyCode: $agencyCode, kind: $kind, name: $name) { key { id } secret } }';
export const REVOKE_KEY = 'mutation($agencyCode: String!, $keyId: String!) { revokeApiKey(agencyCode: $agencyCode, keyId: $keyId) }';

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly kind: 'test' | 'live';
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export const PLUGINS = `{ pluginInstalls { id name pluginId channel version approved configured enabled circuit ratePerSecond config
  check { ok detail at } }
  discoverPlugins { pluginId channel version packageName directory installed }
  pluginRoutes { channel agencyCode installName priority weight } }`;
export const INSTALL_PLUGIN = 'mutation($source: String!) { installPlugin(source: $source) { id } }';
export const CONFIGURE_PLUGIN = 'mutation($id: ID!, $config: JSON!) { configurePlugin(id: $id, config: $config) { id } }';
export const ROUTE_CHANNEL = 'mutation($channel: String!, $id: ID!) { setPluginRoute(channel: $channel, installs: [{ installId: $id }]) { channel } }';
export const CHECK_PLUGIN = 'mutation($id: ID!) { checkPlugin(id: $id) { id } }';
export const ENABLE_PLUGIN = 'mutation($id: ID!) { enablePlugin(id: $id) { id } }';
export const DISABLE_PLUGIN = 'mutation($id: ID!) { disablePlugin(id: $id) { id } }';
export const APPROVE_PLUGIN = 'mutation($id: ID!) { approvePlugin(id: $id) { id } }';

export interface PluginInstall {
  readonly id: string;
  readonly name: string;
  readonly pluginId: string;
  readonly channel: string;
  readonly version: string;
  readonly approved: boolean;
  readonly configured: boolean;
  readonly enabled: boolean;
  readonly circuit: 'closed' | 'halfOpen' | 'open';
  readonly ratePerSecond: number | null;
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly check: { readonly ok: boolean; readonly detail: string; readonly at: string } | null;
}

export interface DiscoveredPlugin {
  readonly pluginId: string;
  readonly channel: string;
  readonly version: string;
  readonly packageName: string;
  readonly directory: string;
  readonly installed: boolean;
}

export interface PluginRoute {
  readonly channel: string;
  readonly agencyCode: string | null;
  readonly installName: string;
  readonly priority: number;
  readonly weight: number;
}

export interface PluginsData {
  readonly pluginInstalls: readonly PluginInstall[];
  readonly discoverPlugins: readonly DiscoveredPlugin[];
  readonly pluginRoutes: readonly PluginRoute[];
}

export const IMPORT_CSV = 'mutation($csv: String!, $dryRun: Boolean!) { importCitizensCsv(csv: $csv, dryRun: $dryRun) { rows created updated errors { line column message } } }';

export interface CsvImport {
  readonly rows: number;
  readonly created: number;
  readonly updated: number;
  readonly errors: readonly { readonly line: number; readonly column: string; readonly message: string }[];
}

export const INBOUND_ROUTES = '{ inboundRoutes { id agencyCode channel to keyword } agencies { code name } }';
export const SET_INBOUND_ROUTE = 'mutation($r: InboundRouteInput!) { setInboundRoute(route: $r) { id } }';
export const REMOVE_INBOUND_ROUTE = 'mutation($id: ID!) { removeInboundRoute(id: $id) }';

export const DAYS_OFF = 'query($year: Int!) { daysOff(year: $year) { day name agencyCode } agencies { code name } }';
export const SET_DAYS_OFF = 'mutation($days: [DayOffInput!]!) { setDaysOff(days: $days) { changed dueTimesMoved } }';
export const REMOVE_DAY_OFF = 'mutation($day: String!, $agencyCode: String) { removeDayOff(day: $day, agencyCode: $agencyCode) { changed dueTimesMoved } }';

export interface DayOff {
  readonly day: string;
  readonly name: string;
  /** Null: every agency. */
  readonly agencyCode: string | null;
}

export const COMPLAINT_PERFORMANCE =
  '{ complaintPerformanceByAgency { agencyCode opened waiting answered closed wentOverdue answeredInTime answerRate inTimeRate medianFirstAnswerHours } }';

export interface ComplaintPerformance {
  readonly agencyCode: string;
  readonly opened: number;
  readonly waiting: number;
  readonly answered: number;
  readonly closed: number;
  readonly wentOverdue: number;
  readonly answeredInTime: number;
  readonly answerRate: number | null;
  readonly inTimeRate: number | null;
  readonly medianFirstAnswerHours: number | null;
}

export interface DaysOffChange {
  readonly changed: number;
  readonly dueTimesMoved: number;
}

export interface InboundRoute {
  readonly id: string;
  readonly agencyCode: string;
  readonly channel: string;
  readonly to: string;
  readonly keyword: string;
}

export const AUDIT_LOG = `query($agencyCode: String, $action: String, $before: Int, $first: Int!) {
  auditLog(agencyCode: $agencyCode, action: $action, before: $before, first: $first) { seq at action actor { kind id name keyId ip } agencyCode targetKind targetId details mac } }`;
export const AUDIT_INTEGRITY = '{ auditIntegrity { checked headSeq headMac broken { seq reason } } }';

/** The hub's master keys and what still needs each (`kabar secrets status`). */
export const SECRET_KEYS = '{ secretKeys { keys { keyId current lookup held sealedValues auditEntries neededFor } } }';

/** One step of moving sealed values to the current master key, from the previous step's cursor. */
export const REENCRYPT_SECRETS = 'mutation($after: String, $limit: Int!) { reencryptSecrets(after: $after, limit: $limit) { moved cursor } }';

export interface SecretKeyStatus {
  readonly keyId: string;
  readonly current: boolean;
  readonly lookup: boolean;
  readonly held: boolean;
  readonly sealedValues: number;
  readonly auditEntries: number;
  readonly neededFor: readonly string[];
}

/** The actions the hub records; a filter naming another is refused (AUDIT_FILTER_INVALID). */
export const AUDIT_ACTIONS = [
  'admin.created',
  'agency.created',
  'agency.updated',
  'api_key.issued',
  'api_key.revoked',
  'status_callback.set',
  'event_type.registered',
  'template.saved',
  'survey.saved',
  'event.cancelled',
  'plugin.installed',
  'plugin.configured',
  'plugin.approved',
  'plugin.checked',
  'plugin.enabled',
  'plugin.disabled',
  'plugin.uninstalled',
  'plugin.route_set',
  'plugin.rate_limit_set',
  'citizens.imported',
  'inbound_route.set',
  'inbound_route.removed',
  'complaint.answered',
  'complaint.closed',
  'complaint.transferred',
  'secret_key.registered',
  'secrets.reencrypted',
  'day_off.set',
  'day_off.removed',
  'citizen.looked_up',
  'credentials.refused',
] as const;

export interface AuditActor {
  /** admin, agency or system: a plain string in the schema, shown as it comes. */
  readonly kind: string;
  readonly id: string;
  readonly name: string | null;
  readonly keyId: string | null;
  readonly ip: string | null;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly actor: AuditActor;
  readonly agencyCode: string | null;
  readonly targetKind: string;
  readonly targetId: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly mac: string;
}

export interface AuditIntegrity {
  readonly checked: number;
  readonly headSeq: number | null;
  readonly headMac: string | null;
  /** reason: gap or mac; a plain string in the schema, so another is shown as it comes. */
  readonly broken: { readonly seq: number; readonly reason: string } | null;
}
