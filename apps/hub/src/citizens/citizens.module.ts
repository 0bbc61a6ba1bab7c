import { Module } from '@nestjs/common';

import { DeliveryModule } from '../delivery/delivery.module.js';
import { CitizenResolver } from './citizen.resolver.js';
import { CitizenHistoryResolver } from './citizen-history.resolver.js';
import { CitizenHistoryService } from './citizen-history.service.js';
import { CitizenImportResolver } from './citizen-import.resolver.js';
import { CitizenImportService } from './citizen-import.service.js';
import { CitizenInboxResolver } from './citizen-inbox.resolver.js';
import { CitizenInboxService } from './citizen-inbox.service.js';
import { CitizenProfileService } from './citizen-profile.service.js';
import { CitizenSignInResolver } from './citizen-sign-in.resolver.js';
import { CitizenSignInService } from './citizen-sign-in.service.js';
import { CodeSender } from './code-sender.js';
import { ContactPointResolver } from './contact-point.resolver.js';
import { ContactPointsService } from './contact-points.service.js';
import { OneTimeCodes } from './one-time-codes.js';

/** The citizen side of Kabar (ARCHITECTURE §1): sign-in by code, preference centre, history, inbox, export; and admin import. */
@Module({
  imports: [DeliveryModule],
  providers: [
    CodeSender,
    OneTimeCodes,
    CitizenSignInService,
    CitizenProfileService,
    ContactPointsService,
    CitizenHistoryService,
    CitizenInboxService,
    CitizenImportService,
    CitizenSignInResolver,
    CitizenResolver,
    ContactPointResolver,
    CitizenHistoryResolver,
    CitizenInboxResolver,
    CitizenImportResolver,
  ],
})
export class CitizensModule {}
