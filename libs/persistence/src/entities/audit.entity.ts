import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

import { JsonbType } from './jsonb.type.js';

/**
 * The audit trail (libs/core `AuditRecord`): written unsealed in the transaction of the change it records, then given
 * its place (`seq`) and chained MAC by the hub's sealer. Its trigger refuses deletes and any update but the one that
 * seals a row (and the migration adds one refusing TRUNCATE, which MikroORM cannot see: PostgreSQL's
 * information_schema leaves truncate triggers out), so the table is append-only for the application; the MAC chain
 * shows tampering beyond them.
 */
export const AuditLogSchema = defineEntity({
  name: 'AuditLog',
  tableName: 'audit_log',
  // An agency reads its own entries newest first; an admin filters by action.
  indexes: [
    { properties: ['agencyId', 'seq'] },
    { properties: ['action', 'seq'] },
  ],
  triggers: [
    {
      name: 'audit_log_append_only',
      timing: 'before',
      events: ['update', 'delete'],
      forEach: 'row',
      body: `if tg_op = 'DELETE' then raise exception 'audit_log is append-only: DELETE refused' using errcode = 'insufficient_privilege'; end if;
if old."seq" is not null or new."seq" is null
  or (new."id", new."at", new."actor_kind", new."actor_id", new."credential_id", new."ip", new."agency_id", new."action", new."target_kind", new."target_id", new."details")
     is distinct from
     (old."id", old."at", old."actor_kind", old."actor_id", old."credential_id", old."ip", old."agency_id", old."action", old."target_kind", old."target_id", old."details")
then raise exception 'audit_log entries are sealed once and never changed' using errcode = 'insufficient_privilege'; end if;
return new;`,
    },
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
    details: p.json<Record<string, unknown>>().type(JsonbType),
    keyId: p.string().length(32).nullable(),
    mac: p.string().length(64).nullable(),
  },
});
export type AuditLog = InferEntity<typeof AuditLogSchema>;
