import { Module } from '@nestjs/common';

import { AgencyModule } from '../agencies/agency.module.js';
import { CatalogModule } from '../catalog/catalog.module.js';
import { ComplaintsModule } from '../complaints/complaints.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { SurveyModule } from '../surveys/survey.module.js';
import { DemoSeeder } from './demo.seeder.js';

/** Demo data for the embedded mode (see DemoSeeder); does nothing in other modes or on a used database. */
@Module({ imports: [AgencyModule, CatalogModule, ComplaintsModule, IngestModule, SurveyModule], providers: [DemoSeeder] })
export class DemoModule {}
