import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * The audit trail (libs/core `AuditRecord`): written unsealed in the transaction of the change it records, then given
 * its place (`seq`) and chained MAC by the hub's sealer. A trigger (migration AuditLog) refuses deletes and any update
 * of a sealed row, so the table is append-only for the application; the MAC chain shows tampering beyond it.
 */
export const AuditLogSchema = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  // An agency reads its own entries newest first; an admin filters by action.
  indexes: [
    { properties: ['agencyId', 'seq'] },
    { properties: ['action', 'seq'] },
  ],
  properties: {
    /** Time-ordered, so unsealed rows are sealed in the order they were written. */
    id: p.uuid().primary(),
    seq: p.bigint('number').nullable().unique(),
    at: p.datetime(),
    actorKind: p.string().length(16),
    actorId: p.string().length(64),
    /** The API key an agency system acted with. */
    credentialId: p.string().length(64).nullable(),
    ip: p.string().length(64).nullable(),
    agencyId: p.uuid().nullable(),
    action: p.string().length(40),
    targetKind: p.string().length(40),
    targetId: p.string().length(200),
    details: p.json<Record<string, unknown>>(),
    keyId: p.string().length(32).nullable(),
    mac: p.string().length(64).nullable(),
  },
});
export type AuditLog = InferEntity<typeof AuditLogSchema>;
