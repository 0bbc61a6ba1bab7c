import { Module } from '@nestjs/common';

import { AgencyModule } from '../agencies/agency.module.js';
import { AgencyAuditResolver, AuditResolver } from './audit.resolver.js';
import { AuditTrail } from './audit-trail.js';

/** Seals and serves the audit trail that audited changes write in their own transactions. */
@Module({ imports: [AgencyModule], providers: [AuditTrail, AuditResolver, AgencyAuditResolver], exports: [AuditTrail] })
export class AuditModule {}
