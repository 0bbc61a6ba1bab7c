import { CITIZEN_SESSION_SECONDS } from '../auth/index.js';
import { CODE_TTL_MINUTES } from './code-message.js';

/**
 * What Kabar keeps about a citizen and for how long, as the data export states it. The per-class days of rendered
 * content come from KABAR_RETENTION_DAYS (`config.policy.retentionDays`, default critical=90 and 7 for the other
 * classes), which is also what the purge job reads; the rest is fixed here.
 */
export const DATA_RETENTION = {
  renderedContent: 'The subject and body of each notification (and its copy in your Kabar inbox) and the contact detail it went to, for the days below per message class; then they are erased.',
  deliveryOutcomes: 'Whether, when and on which channel a notification went out, and why (the decision trail), without personal data: kept for statistics.',
  profile: 'Your national ID, name, region, preferences and contact points: kept while an agency register lists you.',
  consents: 'Every consent you gave or withdrew, with when and how: kept as evidence while your profile exists (records are never changed).',
  delegations: 'Who receives your notices on your behalf and since when: kept while your profile exists; ended delegations show when they ended.',
  signInCodeMinutes: CODE_TTL_MINUTES,
  sessionHours: CITIZEN_SESSION_SECONDS / 3600,
} as const;

/** The retention section of a data export. */
export function retentionNotice(retentionDays: Readonly<Record<string, number>>): Record<string, unknown> {
  return { ...DATA_RETENTION, renderedContentDaysByMessageClass: { ...retentionDays } };
}
