import { Module } from '@nestjs/common';

import { AgencyResolver } from './agency.resolver.js';
import { AgencyService } from './agency.service.js';
import { AgencyDaysOffResolver, DaysOffResolver } from './days-off.resolver.js';
import { DaysOffService } from './days-off.service.js';

@Module({ providers: [AgencyService, AgencyResolver, DaysOffService, DaysOffResolver, AgencyDaysOffResolver], exports: [AgencyService, DaysOffService] })
export class AgencyModule {}
