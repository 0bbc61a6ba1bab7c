import type { Migration } from '@mikro-orm/migrations';

import { Migration20261123Foundation } from './migration-20261123-foundation.js';
import { Migration20261123190226AgencyContract } from './migration-20261123190226-agency-contract.js';
import { Migration20261123200203DispatchClaims } from './migration-20261123200203-dispatch-claims.js';
import { Migration20261123202944RenderedHtml } from './migration-20261123202944-rendered-html.js';
import { Migration20261201142038PreferenceStore } from './migration-20261201142038-preference-store.js';
import { Migration20261201150208PluginInstalls } from './migration-20261201150208-plugin-installs.js';
import { Migration20261201152330Sandbox } from './migration-20261201152330-sandbox.js';
import { Migration20261201165309PluginInstallNames } from './migration-20261201165309-plugin-install-names.js';
import { Migration20261201171000NotificationFillfactor } from './migration-20261201171000-notification-fillfactor.js';
import { Migration20261201171525OutboxPacks } from './migration-20261201171525-outbox-packs.js';
import { Migration20261201193500LeanIndexes } from './migration-20261201193500-lean-indexes.js';
import { Migration20261202000000LeanWrites } from './migration-20261202000000-lean-writes.js';
import { Migration20261202035446InboundSeen } from './migration-20261202035446-inbound-seen.js';
import { Migration20261202064040Surveys } from './migration-20261202064040-surveys.js';
import { Migration20261202080035SurveySessions } from './migration-20261202080035-survey-sessions.js';
import { Migration20261202102713Complaints } from './migration-20261202102713-complaints.js';
import { Migration20261202112724ReplyOptions } from './migration-20261202112724-reply-options.js';
import { Migration20261202135457AuditLog } from './migration-20261202135457-audit-log.js';
import { Migration20261202135936ComplaintDeadlines } from './migration-20261202135936-complaint-deadlines.js';
import { Migration20261202162739SecretKeys } from './migration-20261202162739-secret-keys.js';
import { Migration20261202213053WorkingDays } from './migration-20261202213053-working-days.js';
import { Migration20261202214933ComplaintEscalation } from './migration-20261202214933-complaint-escalation.js';
import { Migration20261202222107ComplaintPerformance } from './migration-20261202222107-complaint-performance.js';
import { Migration20261202225957WorkingWeekdays } from './migration-20261202225957-working-weekdays.js';
import { Migration20261203005921UnlockedReferences } from './migration-20261203005921-unlocked-references.js';
import { Migration20261203011811CitizenIndexes } from './migration-20261203011811-citizen-indexes.js';
import { Migration20261203013544ReportAndPurgeIndexes } from './migration-20261203013544-report-and-purge-indexes.js';
import { Migration20261203013819PurgeIndex } from './migration-20261203013819-purge-index.js';
import { Migration20261203014234Housekeeping } from './migration-20261203014234-housekeeping.js';
import { Migration20261204000000OutboxLeases } from './migration-20261204000000-outbox-leases.js';

/** In order. Listed explicitly (no file globbing) so built and source runs see the same set. */
export const MIGRATIONS: { name: string; class: new (...args: ConstructorParameters<typeof Migration>) => Migration }[] = [
  { name: 'Migration20261123Foundation', class: Migration20261123Foundation },
  { name: 'Migration20261123190226AgencyContract', class: Migration20261123190226AgencyContract },
  { name: 'Migration20261123200203DispatchClaims', class: Migration20261123200203DispatchClaims },
  { name: 'Migration20261123202944RenderedHtml', class: Migration20261123202944RenderedHtml },
  { name: 'Migration20261201142038PreferenceStore', class: Migration20261201142038PreferenceStore },
  { name: 'Migration20261201150208PluginInstalls', class: Migration20261201150208PluginInstalls },
  { name: 'Migration20261201152330Sandbox', class: Migration20261201152330Sandbox },
  { name: 'Migration20261201165309PluginInstallNames', class: Migration20261201165309PluginInstallNames },
  { name: 'Migration20261201171000NotificationFillfactor', class: Migration20261201171000NotificationFillfactor },
  { name: 'Migration20261201171525OutboxPacks', class: Migration20261201171525OutboxPacks },
  { name: 'Migration20261201193500LeanIndexes', class: Migration20261201193500LeanIndexes },
  { name: 'Migration20261202000000LeanWrites', class: Migration20261202000000LeanWrites },
  { name: 'Migration20261202035446InboundSeen', class: Migration20261202035446InboundSeen },
  { name: 'Migration20261202064040Surveys', class: Migration20261202064040Surveys },
  { name: 'Migration20261202080035SurveySessions', class: Migration20261202080035SurveySessions },
  { name: 'Migration20261202102713Complaints', class: Migration20261202102713Complaints },
  { name: 'Migration20261202112724ReplyOptions', class: Migration20261202112724ReplyOptions },
  { name: 'Migration20261202135457AuditLog', class: Migration20261202135457AuditLog },
  { name: 'Migration20261202135936ComplaintDeadlines', class: Migration20261202135936ComplaintDeadlines },
  { name: 'Migration20261202162739SecretKeys', class: Migration20261202162739SecretKeys },
  { name: 'Migration20261202213053WorkingDays', class: Migration20261202213053WorkingDays },
  { name: 'Migration20261202214933ComplaintEscalation', class: Migration20261202214933ComplaintEscalation },
  { name: 'Migration20261202222107ComplaintPerformance', class: Migration20261202222107ComplaintPerformance },
  { name: 'Migration20261202225957WorkingWeekdays', class: Migration20261202225957WorkingWeekdays },
  { name: 'Migration20261203005921UnlockedReferences', class: Migration20261203005921UnlockedReferences },
  { name: 'Migration20261203011811CitizenIndexes', class: Migration20261203011811CitizenIndexes },
  { name: 'Migration20261203013544ReportAndPurgeIndexes', class: Migration20261203013544ReportAndPurgeIndexes },
  { name: 'Migration20261203013819PurgeIndex', class: Migration20261203013819PurgeIndex },
  { name: 'Migration20261203014234Housekeeping', class: Migration20261203014234Housekeeping },
  { name: 'Migration20261204000000OutboxLeases', class: Migration20261204000000OutboxLeases },
];

/** Names of every migration, in order. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);
