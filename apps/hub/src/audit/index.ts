export { AuditModule } from './audit.module.js';
export { AUDIT_PAGE_MAX, type AuditIntegrity, AuditTrail } from './audit-trail.js';
