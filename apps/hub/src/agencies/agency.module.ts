import { Module } from '@nestjs/common';

import { AgencyResolver } from './agency.resolver.js';
import { AgencyService } from './agency.service.js';

@Module({ providers: [AgencyService, AgencyResolver], exports: [AgencyService] })
export class AgencyModule {}
